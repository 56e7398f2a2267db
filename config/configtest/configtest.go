// Package configtest helps other packages' tests set up stores. It is imported by tests only.
package configtest

import (
	"bytes"
	"io"
	"maps"
	"os"
	"path/filepath"
	"testing"

	"filippo.io/age"
	"filippo.io/age/armor"

	"gitopscfg/config"
)

// WorkFactor is the scrypt cost (2^WorkFactor) of the stores InitPassphrase creates: cheap enough
// that a test unlocking (or failing to unlock) a store several times under -race takes
// milliseconds, where the real cost (config.ScryptWorkFactor) takes seconds.
const WorkFactor = 10

// InitPassphrase creates a passphrase-protected store in dir, as config.Init(dir, pass) does but
// with the key file encrypted at WorkFactor. The store opens like any other: age reads the cost
// from the file. The product never writes such a store; tests that exercise the real cost call
// config.Init themselves.
func InitPassphrase(t testing.TB, dir, pass string) *config.Store {
	t.Helper()
	if _, err := config.Init(dir, ""); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, config.IdentityFile)
	key, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := age.NewScryptRecipient(pass)
	if err != nil {
		t.Fatal(err)
	}
	r.SetWorkFactor(WorkFactor)
	var buf bytes.Buffer
	aw := armor.NewWriter(&buf)
	w, err := age.Encrypt(aw, r)
	if err == nil {
		_, err = io.Copy(w, bytes.NewReader(key))
	}
	if err == nil {
		err = w.Close()
	}
	if err == nil {
		err = aw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	s, err := config.Open(dir, func() (string, error) { return pass, nil })
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Snapshot returns every file below dir by path, for byte-for-byte comparisons (nothing changed)
// and leak scans (no file holds the canary).
func Snapshot(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		files[p] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// SameFiles reports whether two snapshots hold the same files with the same bytes.
func SameFiles(a, b map[string][]byte) bool {
	return maps.EqualFunc(a, b, bytes.Equal)
}
