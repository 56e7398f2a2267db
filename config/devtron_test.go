package config

import (
	"context"
	"slices"
	"testing"
	"time"
)

func TestDevtronInstanceIsStoredEncryptedAndAudited(t *testing.T) {
	s, dir := newStore(t)
	ctx := context.Background()
	set := func(dt *Platform) *Data {
		t.Helper()
		d, err := s.Update(ctx, "tester (local)", PlatformAction("devtron", false), -1, func(d *Data) error {
			setDevtron(d, dt)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	set(&Platform{URL: "https://devtron.example.com/", Token: canary})
	set(&Platform{URL: "https://devtron.example.com/", Token: canary, LastCheck: &CheckRecord{At: time.Now(), OK: true}})
	// A new token keeping the old check record: the record no longer vouches for it.
	d, err := s.Update(ctx, "tester (local)", PlatformAction("devtron", false), -1, func(d *Data) error {
		d.Platforms["devtron"]["default"].Token, d.Platforms["devtron"]["default"].CABundle = canary+"2", "/ca.pem"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if d.Platforms["devtron"]["default"].LastCheck != nil {
		t.Error("a check record survived a token change it did not test")
	}
	assertNoCanary(t, dir)
	loaded, err := s.Load()
	if err != nil || loaded.Platforms["devtron"]["default"] == nil || loaded.Platforms["devtron"]["default"].Token != canary+"2" {
		t.Fatalf("load: %+v %v", loaded.Platforms["devtron"]["default"], err)
	}
	d, err = s.Update(ctx, "tester (local)", PlatformAction("devtron", true), -1, func(d *Data) error { delete(d.Platforms, "devtron"); return nil })
	if err != nil {
		t.Fatal(err)
	}
	var got [][]string
	for _, e := range d.Audit {
		got = append(got, append([]string{string(e.Action)}, e.Fields...))
	}
	want := [][]string{{"devtron-set", "url", "token"}, {"devtron-set", "token", "ca_bundle"}, {"devtron-remove"}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("audit %v, want %v", got, want)
	}
	if _, err := s.Update(ctx, "t", PlatformAction("devtron", false), -1, func(d *Data) error { setDevtron(d, &Platform{Token: "x"}); return nil }); err == nil {
		t.Error("a Devtron instance without URL was saved")
	}
	// Clone is deep.
	setDevtron(d, &Platform{URL: "u", LastCheck: &CheckRecord{OK: true}})
	c := d.Clone()
	c.Platforms["devtron"]["default"].URL, c.Platforms["devtron"]["default"].LastCheck.OK = "v", false
	if d.Platforms["devtron"]["default"].URL != "u" || !d.Platforms["devtron"]["default"].LastCheck.OK {
		t.Error("Clone shares the Devtron instance")
	}
}
