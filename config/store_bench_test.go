package config

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// benchDir is where the store lives: GITOPSCFG_BENCH_DIR (e.g. a directory on a real disk when
// /tmp is tmpfs, so that fsync is honest), else a temp dir.
func benchDir(b *testing.B) string {
	if base := os.Getenv("GITOPSCFG_BENCH_DIR"); base != "" {
		dir, err := os.MkdirTemp(base, "bench-")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { os.RemoveAll(dir) })
		return filepath.Join(dir, "cfg")
	}
	return filepath.Join(b.TempDir(), "cfg")
}

// benchStore is a store with 4 providers and about 50 audit entries.
func benchStore(b *testing.B) *Store {
	b.Helper()
	s, err := Init(benchDir(b), "")
	if err != nil {
		b.Fatal(err)
	}
	names := []string{"github", "gitlab", "azure", "bitbucket"}
	for i := 0; i < 48; i++ {
		name := names[i%len(names)]
		_, err := s.Update(context.Background(), "alice (local)", "set", AnyRevision, func(d *Data) error {
			exp := time.Now().Add(30 * 24 * time.Hour)
			d.Credentials[name] = &Credential{Provider: name, Settings: Settings{Host: "https://" + name + ".example.com/", Org: "acme", Username: "octocat", Token: fmt.Sprintf("%s-token-%040d", name, i)}, UpdatedAt: time.Now(),
				LastCheck: &CheckRecord{At: time.Now(), OK: true, ExpiresAt: &exp, DurationMS: 180,
					Checks: []CheckStatus{{ID: "auth", Status: "pass", Message: "authenticated as octocat"}, {ID: "org", Status: "pass"}}}}
			d.Active = "github"
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return s
}

func BenchmarkLoad(b *testing.B) {
	s := benchStore(b)
	d, err := s.Load()
	if err != nil || len(d.Credentials) != 4 || len(d.Audit) < 45 {
		b.Fatalf("setup: %v, %d providers, %d audit entries", err, len(d.Credentials), len(d.Audit))
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Load(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSave(b *testing.B) {
	s := benchStore(b)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		_, err := s.Update(context.Background(), "alice (local)", "set", AnyRevision, func(d *Data) error {
			d.Credentials["github"].Username = fmt.Sprintf("user-%d", i)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecordCheck is what `gitopscfg check` does with the store: open it, load it, then
// record a check result (a save that changes no settings, so the backup is left as it is, and
// starts from the content just loaded instead of decrypting the file again).
func BenchmarkRecordCheck(b *testing.B) {
	s := benchStore(b)
	d, err := s.Load()
	if err != nil {
		b.Fatal(err)
	}
	tested := d.Credentials["github"].Settings
	b.ReportAllocs()
	for b.Loop() {
		o, err := Open(s.Dir(), nil)
		if err == nil {
			_, err = o.Load()
		}
		if err == nil {
			_, err = o.RecordChecks(context.Background(), "cron", Checked{Credential: "github", Tested: tested,
				Record: &CheckRecord{At: time.Now(), OK: true, DurationMS: 180, Checks: []CheckStatus{{ID: "auth", Status: "pass"}}}})
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnlockPassphrase(b *testing.B) {
	dir := benchDir(b)
	if _, err := Init(dir, "correct horse battery staple"); err != nil {
		b.Fatal(err)
	}
	pass := func() (string, error) { return "correct horse battery staple", nil }
	b.ReportMetric(float64(ScryptWorkFactor), "scrypt-logN")
	for b.Loop() {
		if _, err := Open(dir, pass); err != nil {
			b.Fatal(err)
		}
	}
}
