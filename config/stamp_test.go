package config

import (
	"os"
	"testing"
)

func TestStampChangesWithEveryWriteOnly(t *testing.T) {
	s, _ := newStore(t)
	before := s.Stamp()
	if before.IsZero() {
		t.Fatal("the stamp of an existing store is zero")
	}
	if _, err := s.Load(); err != nil {
		t.Fatal(err)
	}
	if s.Stamp() != before {
		t.Fatal("reading the store changed its stamp")
	}
	setProvider(t, s, "github", Credential{Settings: Settings{Host: "https://github.com/", Org: "acme", Token: "ghp_x"}})
	after := s.Stamp()
	if after == before || after.IsZero() {
		t.Fatalf("a write left the stamp as it was: %+v", after)
	}
	if err := os.Remove(s.Path()); err != nil {
		t.Fatal(err)
	}
	if !s.Stamp().IsZero() {
		t.Fatal("a missing store file has a stamp")
	}
}
