package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gitopscfg/config"
)

// A symbolic link in place of config.age is refused when the store is read; no warning before
// that advises a chmod, which would change the link's target rather than the link.
func TestNoChmodAdviceForALink(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "cfg")
	if _, err := config.Init(dir, ""); err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(dir, config.StoreFile)
	elsewhere := filepath.Join(t.TempDir(), "elsewhere.age")
	if err := os.Rename(store, elsewhere); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(elsewhere, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, store); err != nil {
		t.Fatal(err)
	}
	s, err := config.Open(dir, func() (string, error) { return "", nil })
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range s.Warnings() {
		if strings.Contains(w, "chmod") && strings.Contains(w, config.StoreFile) {
			t.Errorf("a warning advises a chmod on the link: %s", w)
		}
	}
	if _, err := s.Load(); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("the link was not refused: %v", err)
	}
	// A real file with a loose mode is still warned about.
	if err := os.Remove(store); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(elsewhere, store); err != nil {
		t.Fatal(err)
	}
	s, err = config.Open(dir, func() (string, error) { return "", nil })
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(s.Warnings(), "\n"); !strings.Contains(w, "chmod 600") {
		t.Errorf("no warning about a 0644 store: %q", w)
	}
}
