package config

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

func TestUpdateProviderConflictsOnlyOnTheSameProvider(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Init(filepath.Join(t.TempDir(), "cfg"), "")
	if err != nil {
		t.Fatal(err)
	}
	set := func(id, org string) func(*Data) error {
		return func(d *Data) error {
			p := d.Credentials[id]
			if p == nil {
				p = &Credential{Provider: id, Settings: Settings{Host: "https://example.com/", Username: "u", Token: "t"}}
				d.Credentials[id] = p
			}
			p.Org = org
			return nil
		}
	}
	d, err := s.Update(ctx, "setup", "set", AnyRevision, func(d *Data) error {
		_ = set("github", "a")(d)
		return set("gitlab", "a")(d)
	})
	if err != nil {
		t.Fatal(err)
	}
	base := d.Revision // two editors open at this revision: one on github, one on gitlab
	if _, err := s.UpdateProvider(ctx, "alice", "set", "github", base, set("github", "b")); err != nil {
		t.Fatalf("first save: %v", err)
	}
	if _, err := s.UpdateProvider(ctx, "bob", "set", "gitlab", base, set("gitlab", "b")); err != nil {
		t.Fatalf("a save of another provider conflicted: %v", err)
	}
	// A third editor that opened github at base is behind alice's save.
	_, err = s.UpdateProvider(ctx, "carol", "set", "github", base, set("github", "c"))
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("stale save of the same provider: %v", err)
	}
	// Check records alone do not move a provider's revision.
	cur, _ := s.Load()
	if _, err := s.Update(ctx, "cron", "check", AnyRevision, func(d *Data) error {
		d.Credentials["github"].LastCheck = &CheckRecord{OK: true}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateProvider(ctx, "dave", "set", "github", cur.Revision, set("github", "d")); err != nil {
		t.Fatalf("a check record made a later edit conflict: %v", err)
	}
	// A removal after the edit began is a conflict too: the save would silently re-add it.
	cur, _ = s.Load()
	if _, err := s.Update(ctx, "erin", "remove", AnyRevision, func(d *Data) error { delete(d.Credentials, "gitlab"); return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateProvider(ctx, "frank", "set", "gitlab", cur.Revision, set("gitlab", "f")); !errors.Is(err, ErrConflict) {
		t.Fatalf("save over a removal: %v", err)
	}
	final, _ := s.Load()
	if final.Credentials["github"].Org != "d" || final.Credentials["gitlab"] != nil {
		t.Fatalf("final state %+v", final.Credentials)
	}
}

func TestChangedCredentialsForgetTheirOldCheckResults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Init(filepath.Join(t.TempDir(), "cfg"), "")
	if err != nil {
		t.Fatal(err)
	}
	ok := &CheckRecord{OK: true}
	if _, err := s.Update(ctx, "a", "set", AnyRevision, func(d *Data) error {
		d.Credentials["github"] = &Credential{Provider: "github", Settings: Settings{Host: "https://github.com/", Org: "acme", Username: "u", Token: "t1"}, LastCheck: ok, LastDeep: ok}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// A check record alone, or an unrelated change, keeps them.
	d, err := s.Update(ctx, "a", "activate", AnyRevision, func(d *Data) error { d.Active = "github"; return nil })
	if err != nil || d.Credentials["github"].LastCheck == nil || d.Credentials["github"].LastDeep == nil {
		t.Fatalf("an activation dropped the check records: %v", err)
	}
	// A new token without a new check: both records go.
	d, err = s.Update(ctx, "a", "set", AnyRevision, func(d *Data) error { d.Credentials["github"].Token = "t2"; return nil })
	if err != nil || d.Credentials["github"].LastCheck != nil || d.Credentials["github"].LastDeep != nil {
		t.Fatalf("a new token kept the old token's check results: %+v %v", d.Credentials["github"], err)
	}
	// A new token with its own check keeps that one.
	fresh := &CheckRecord{OK: false, User: "octocat"}
	d, err = s.Update(ctx, "a", "set", AnyRevision, func(d *Data) error {
		d.Credentials["github"].Token, d.Credentials["github"].LastCheck = "t3", fresh
		return nil
	})
	if err != nil || d.Credentials["github"].LastCheck == nil || d.Credentials["github"].LastCheck.User != "octocat" {
		t.Fatalf("the new check result was dropped: %+v %v", d.Credentials["github"], err)
	}
}
