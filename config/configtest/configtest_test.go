package configtest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"gitopscfg/config"
)

func TestInitPassphraseMakesAStoreOnlyThePassphraseOpens(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg")
	InitPassphrase(t, dir, "right passphrase")
	if prot, err := config.PassphraseProtected(dir); err != nil || !prot {
		t.Fatalf("not passphrase-protected: %v %v", prot, err)
	}
	key, _ := os.ReadFile(filepath.Join(dir, config.IdentityFile))
	if bytes.Contains(key, []byte("AGE-SECRET-KEY-")) {
		t.Fatal("the key file holds the key in the clear")
	}
	if _, err := config.Open(dir, func() (string, error) { return "wrong passphrase", nil }); !config.IsKind(err, config.KindWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	s, err := config.Open(dir, func() (string, error) { return "right passphrase", nil })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(); err != nil {
		t.Fatal(err)
	}
}
