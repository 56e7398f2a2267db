package config

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"
)

func assertNoCanary(t *testing.T, dir string) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		for _, needle := range [][]byte{[]byte(canary), []byte(canary[4:20]), []byte(base64.StdEncoding.EncodeToString([]byte(canary)))} {
			if bytes.Contains(b, needle) {
				t.Errorf("%s holds the canary in plaintext", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 4 {
		t.Errorf("scanned only %d files", n)
	}
}

func TestCanaryNeverInPlaintext(t *testing.T) {
	for _, pass := range []string{"", "pass"} {
		dir := filepath.Join(t.TempDir(), "cfg")
		s, err := Init(dir, pass)
		if err != nil {
			t.Fatal(err)
		}
		setProvider(t, s, "github", Credential{Settings: Settings{Host: "https://github.com/", Org: "acme", Token: canary}})
		setProvider(t, s, "gitlab", Credential{Settings: Settings{Host: "https://gitlab.com/", Org: "acme", Token: canary}})
		// A leftover of a killed save, a stale backup temp: still only ciphertext.
		cur, _ := os.ReadFile(s.Path())
		_ = os.WriteFile(filepath.Join(dir, "."+StoreFile+".tmp-123"), cur, 0o600)
		_ = os.Link(s.Path(), filepath.Join(dir, "."+BackupFile+".tmp"))
		assertNoCanary(t, dir)
		// Errors about the store never carry the token either.
		if _, err := s.Update(context.Background(), "a", "set", 0, func(*Data) error { return nil }); err == nil || bytes.Contains([]byte(err.Error()), []byte(canary)) {
			t.Errorf("conflict error: %v", err)
		}
	}
}
