package config

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestInitModesAndRevision(t *testing.T) {
	s, dir := newStore(t)
	if got := mode(t, dir); got != 0o700 {
		t.Errorf("dir mode %04o, want 0700", got)
	}
	for _, f := range []string{StoreFile, IdentityFile, RecipientFile} {
		if got := mode(t, filepath.Join(dir, f)); got != 0o600 {
			t.Errorf("%s mode %04o, want 0600", f, got)
		}
	}
	d, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if d.Revision != 0 || d.Version != schemaVersion || len(d.Credentials) != 0 || len(d.Audit) != 0 {
		t.Errorf("fresh store = %+v", d)
	}
	if s.Dir() != dir || s.Path() != filepath.Join(dir, StoreFile) {
		t.Errorf("Dir/Path = %s %s", s.Dir(), s.Path())
	}
	if !Exists(dir) {
		t.Error("Exists = false after Init")
	}
	if pp, err := PassphraseProtected(dir); err != nil || pp {
		t.Errorf("PassphraseProtected = %v, %v", pp, err)
	}
	// A pre-existing directory of the user's, readable by others, is used but never chmod'ed
	// (it is not the store's); the looser mode is warned about.
	loose := filepath.Join(t.TempDir(), "loose")
	if err := os.Mkdir(loose, 0o755); err != nil {
		t.Fatal(err)
	}
	ls, err := Init(loose, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := mode(t, loose); got != 0o755 {
		t.Errorf("existing dir mode %04o after Init, want it left at 0755", got)
	}
	if w := strings.Join(ls.Warnings(), "\n"); !strings.Contains(w, "chmod 700 "+loose) {
		t.Errorf("warnings = %q, want the chmod advice", w)
	}
}

func TestInitExistingStore(t *testing.T) {
	s, dir := newStore(t)
	setProvider(t, s, "github", Credential{Settings: Settings{Host: "https://github.com/", Org: "acme", Token: canary}})
	before := snapshot(t, dir)
	for _, pass := range []string{"", "pass"} {
		_, err := Init(dir, pass)
		if !IsKind(err, KindExists) {
			t.Fatalf("Init on existing store: %v, want KindExists", err)
		}
		assertUnchanged(t, before, snapshot(t, dir))
	}
	// Only the backup left (config.age lost): Init must not replace the key that decrypts it.
	if err := os.Remove(filepath.Join(dir, StoreFile)); err != nil {
		t.Fatal(err)
	}
	before = snapshot(t, dir)
	if _, err := Init(dir, ""); !IsKind(err, KindExists) {
		t.Fatalf("Init beside a backup: %v, want KindExists", err)
	}
	assertUnchanged(t, before, snapshot(t, dir))
}

func TestUpdateRevisionBackupAudit(t *testing.T) {
	s, dir := newStore(t)
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return at }
	ctx := context.Background()

	d1, err := s.Update(ctx, "alice (local)", "set", 0, func(d *Data) error {
		d.Credentials["github"] = &Credential{Provider: "github", Settings: Settings{Host: "https://github.com/", Org: "acme", Username: "octocat", Token: canary}}
		d.Active = "github"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if d1.Revision != 1 {
		t.Fatalf("revision %d, want 1", d1.Revision)
	}
	bak := filepath.Join(dir, BackupFile)
	if got := mode(t, bak); got != 0o600 {
		t.Errorf("backup mode %04o", got)
	}
	if b, err := s.loadFile(bak); err != nil || b.Revision != 0 {
		t.Fatalf("backup after rev 1: %v %+v", err, b)
	}
	prev, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}

	d2, err := s.Update(ctx, "SHA256:abc (ssh)", "set", 1, func(d *Data) error {
		d.Credentials["github"].Token = canary + "-rotated"
		d.Credentials["github"].Org = "acme2"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if d2.Revision != 2 {
		t.Fatalf("revision %d, want 2", d2.Revision)
	}
	if got, _ := os.ReadFile(bak); string(got) != string(prev) {
		t.Error("config.age.bak is not the previous config.age byte for byte")
	}
	if b, err := s.loadFile(bak); err != nil || b.Revision != 1 || b.Credentials["github"].Org != "acme" {
		t.Fatalf("backup after rev 2: %v %+v", err, b)
	}
	loaded, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Revision != 2 || loaded.Credentials["github"].Org != "acme2" || loaded.Active != "github" {
		t.Errorf("loaded %+v", loaded)
	}

	want := []AuditEntry{
		{At: at, Who: "alice (local)", Action: "add", Credential: "github", Fields: []string{"host", "org", "username", "token"}},
		{At: at, Who: "alice (local)", Action: "activate", Credential: "github"},
		{At: at, Who: "SHA256:abc (ssh)", Action: "set", Credential: "github", Fields: []string{"org", "token"}},
	}
	if len(loaded.Audit) != len(want) {
		t.Fatalf("audit = %+v", loaded.Audit)
	}
	for i, w := range want {
		g := loaded.Audit[i]
		if !g.At.Equal(w.At) || g.Who != w.Who || g.Action != w.Action || g.Credential != w.Credential || !slices.Equal(g.Fields, w.Fields) {
			t.Errorf("audit[%d] = %+v, want %+v", i, g, w)
		}
	}
	js, err := json.Marshal(loaded.Audit)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(js), "CANARY") || strings.Contains(string(js), "acme") {
		t.Errorf("audit holds values: %s", js)
	}

	// Removing and deactivating are audited too.
	d3, err := s.Update(ctx, "alice (local)", "remove", AnyRevision, func(d *Data) error {
		delete(d.Credentials, "github")
		d.Active = ""
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tail := d3.Audit[len(d3.Audit)-2:]
	if tail[0].Action != "remove" || tail[0].Credential != "github" || tail[1].Action != "deactivate" || tail[1].Credential != "github" {
		t.Errorf("audit tail %+v", tail)
	}
}

func TestCheckRecordOnlyNoAudit(t *testing.T) {
	s, _ := newStore(t)
	d := setProvider(t, s, "gitlab", Credential{Settings: Settings{Host: "https://gitlab.com/", Org: "g", Token: canary}})
	n := len(d.Audit)
	d2, err := s.Update(context.Background(), "alice (local)", "check", d.Revision, func(d *Data) error {
		exp := time.Now().Add(48 * time.Hour)
		d.Credentials["gitlab"].LastCheck = &CheckRecord{At: time.Now(), OK: true, ExpiresAt: &exp,
			Checks: []CheckStatus{{ID: "auth", Status: "pass"}}}
		d.Credentials["gitlab"].LastDeep = &CheckRecord{At: time.Now(), OK: true, Deep: true}
		d.Credentials["gitlab"].UpdatedAt = time.Now()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(d2.Audit) != n {
		t.Errorf("check-only save added audit entries: %+v", d2.Audit[n:])
	}
	if d2.Revision != d.Revision+1 {
		t.Errorf("revision %d, want %d", d2.Revision, d.Revision+1)
	}
	l, err := s.Load()
	if err != nil || l.Credentials["gitlab"].LastCheck == nil || !l.Credentials["gitlab"].LastCheck.OK {
		t.Fatalf("check record not saved: %v %+v", err, l)
	}
}

func TestAuditBounded(t *testing.T) {
	d := NewData()
	before := NewData()
	for i := range maxAudit + 10 {
		d.Audit = append(d.Audit, AuditEntry{Who: "x", Action: "set", Credential: string(rune('a' + i%26))})
	}
	d.audit(before, "w", "set", time.Now())
	if len(d.Audit) != maxAudit {
		t.Errorf("audit len %d, want %d", len(d.Audit), maxAudit)
	}
}

func TestConflict(t *testing.T) {
	s, dir := newStore(t)
	setProvider(t, s, "github", Credential{Settings: Settings{Org: "a", Token: canary}})
	setProvider(t, s, "github", Credential{Settings: Settings{Org: "b", Token: canary}})
	before := snapshot(t, dir)
	called := false
	_, err := s.Update(context.Background(), "alice (local)", "set", 1, func(d *Data) error {
		called = true
		d.Credentials["github"].Org = "stale"
		return nil
	})
	if !errors.Is(err, ErrConflict) || !IsKind(err, KindConflict) {
		t.Fatalf("stale save: %v, want a conflict", err)
	}
	if !strings.Contains(err.Error(), "revision 1") || !strings.Contains(err.Error(), "2") {
		t.Errorf("conflict message does not name the revisions: %v", err)
	}
	if called {
		t.Error("edit ran on a conflicting save")
	}
	assertUnchanged(t, before, snapshot(t, dir))
	if errors.Is(&Error{Kind: KindCorrupt}, ErrConflict) {
		t.Error("a non-conflict matches ErrConflict")
	}
}

func TestEditErrorWritesNothing(t *testing.T) {
	s, dir := newStore(t)
	before := snapshot(t, dir)
	boom := errors.New("boom")
	if _, err := s.Update(context.Background(), "a", "set", AnyRevision, func(*Data) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	assertUnchanged(t, before, snapshot(t, dir))
}

// An edit that leaves the content invalid must be refused, not saved as a store that no longer loads.
func TestUpdateRefusesInvalidContent(t *testing.T) {
	s, dir := newStore(t)
	setProvider(t, s, "github", Credential{Settings: Settings{Org: "a", Token: canary}})
	before := snapshot(t, dir)
	for name, edit := range map[string]func(*Data) error{
		"nil provider":   func(d *Data) error { d.Credentials["gitlab"] = nil; return nil },
		"unknown active": func(d *Data) error { d.Active = "azure"; return nil },
		"removed active": func(d *Data) error { d.Active = "github"; delete(d.Credentials, "github"); return nil },
	} {
		_, err := s.Update(context.Background(), "a", "set", AnyRevision, edit)
		if err == nil {
			t.Errorf("%s: saved", name)
		}
		assertUnchanged(t, before, snapshot(t, dir))
		if _, err := s.Load(); err != nil {
			t.Fatalf("%s: store no longer loads: %v", name, err)
		}
	}
}

func TestLooseModesWarn(t *testing.T) {
	_, dir := newStore(t)
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings()) != 0 {
		t.Errorf("fresh store warns: %v", s.Warnings())
	}
	for _, c := range []struct {
		path string
		mode os.FileMode
	}{{dir, 0o755}, {filepath.Join(dir, StoreFile), 0o644}, {filepath.Join(dir, IdentityFile), 0o640}} {
		if err := os.Chmod(c.path, c.mode); err != nil {
			t.Fatal(err)
		}
	}
	s, err = Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := strings.Join(s.Warnings(), "\n")
	if len(s.Warnings()) != 3 || !strings.Contains(w, "0755") || !strings.Contains(w, StoreFile) || !strings.Contains(w, IdentityFile) || !strings.Contains(w, "chmod") {
		t.Errorf("warnings = %q", s.Warnings())
	}
	if _, err := s.Load(); err != nil {
		t.Errorf("loose modes stop loading: %v", err)
	}
}

func TestOpenNotFound(t *testing.T) {
	_, err := Open(t.TempDir(), nil)
	if !IsKind(err, KindNotFound) {
		t.Fatalf("Open of empty dir: %v", err)
	}
	if Exists(t.TempDir()) {
		t.Error("Exists on empty dir")
	}
}

func TestLocalUser(t *testing.T) {
	if u := LocalUser(); !strings.HasSuffix(u, " (local)") || len(u) <= len(" (local)") {
		t.Errorf("LocalUser = %q", u)
	}
}

func TestConcurrentUpdatesLoseNothing(t *testing.T) {
	s, dir := newStore(t)
	s2, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	const n = 10
	errc := make(chan error, 2*n)
	for i := range n {
		for _, st := range []*Store{s, s2} {
			go func() {
				_, err := st.Update(context.Background(), "w", "set", AnyRevision, func(d *Data) error {
					p := d.Credentials["github"]
					if p == nil {
						p = &Credential{Provider: "github"}
						d.Credentials["github"] = p
					}
					p.Username += "x"
					_ = i
					return nil
				})
				errc <- err
			}()
		}
	}
	for range 2 * n {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	d, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if d.Revision != 2*n || len(d.Credentials["github"].Username) != 2*n {
		t.Errorf("revision %d, username %q: updates lost", d.Revision, d.Credentials["github"].Username)
	}
}

func TestUpdateCanceledLockWait(t *testing.T) {
	s, _ := newStore(t)
	unlock, err := s.lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	s2, err := Open(s.Dir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := s2.Update(ctx, "w", "set", AnyRevision, func(*Data) error { return nil }); !IsKind(err, KindLocked) {
		t.Fatalf("locked store: %v, want KindLocked", err)
	}
}
