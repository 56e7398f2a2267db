package config

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// canary is a token-shaped secret that must never appear in plaintext outside the encrypted store.
const canary = "ghp_CANARY0123456789abcdefTOKENzz"

func newStore(t testing.TB) (*Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cfg")
	s, err := Init(dir, "")
	if err != nil {
		t.Fatalf("Init: %v", err)
	}
	return s, dir
}

func setProvider(t testing.TB, s *Store, name string, p Credential) *Data {
	t.Helper()
	d, err := s.Update(context.Background(), "tester (local)", "set", AnyRevision, func(d *Data) error {
		cp := p
		cp.Provider = cmp.Or(cp.Provider, name)
		d.Credentials[name] = &cp
		return nil
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	return d
}

// snapshot returns the name → content of every file in dir (the lock file excluded: it is
// empty and exists by design).
func snapshot(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range ents {
		if e.Name() == lockFile || e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

func assertUnchanged(t testing.TB, before, after map[string][]byte) {
	t.Helper()
	var names []string
	for n := range before {
		names = append(names, n)
	}
	for n := range after {
		if _, ok := before[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		b, okb := before[n]
		a, oka := after[n]
		switch {
		case !okb:
			t.Errorf("file %s appeared", n)
		case !oka:
			t.Errorf("file %s disappeared", n)
		case !bytes.Equal(a, b):
			t.Errorf("file %s changed", n)
		}
	}
}

func kindOf(err error) ErrorKind {
	var se *Error
	if errors.As(err, &se) {
		return se.Kind
	}
	return 0
}

// setDevtron stores p as d's devtron instance named default (nil: removes it).
func setDevtron(d *Data, p *Platform) {
	if p == nil {
		delete(d.Platforms, "devtron")
		return
	}
	if d.Platforms == nil {
		d.Platforms = map[string]map[string]*Platform{}
	}
	d.Platforms["devtron"] = map[string]*Platform{DefaultInstance: p}
}
