package config

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestRecordChecksKeepsTheBackup: recording check results changes no settings, so the backup
// stays the store as it was before the last change of settings; the next change of settings
// makes the store as it was just before it (the check records included) the backup.
func TestRecordChecksKeepsTheBackup(t *testing.T) {
	t.Parallel()
	s, dir := newStore(t)
	ctx := context.Background()
	bak := filepath.Join(dir, BackupFile)
	mustSet(t, s, Change{Credential: "github", Base: AnyRevision, Settings: ghSettings})
	changed := ghSettings
	changed.Org = "acme2"
	mustSet(t, s, Change{Credential: "github", Base: AnyRevision, Settings: changed})
	before, err := os.ReadFile(bak)
	if err != nil {
		t.Fatal(err)
	}
	var last *Data
	for range 3 {
		if last, err = s.RecordChecks(ctx, "cron", Checked{Credential: "github", Tested: changed, Record: okRecord(false)}); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := os.ReadFile(bak); !bytes.Equal(got, before) {
		t.Fatal("recording a check replaced the backup")
	}
	b, err := s.loadFile(bak)
	if err != nil || b.Revision != 1 || b.Credentials["github"].Org != "acme" {
		t.Fatalf("backup: %v %+v", err, b)
	}
	if last.Revision != 5 || last.Credentials["github"].LastCheck == nil {
		t.Fatalf("check-only saves: revision %d, last check %+v", last.Revision, last.Credentials["github"].LastCheck)
	}
	// A change of the Devtron instance's check record only is a check-only save too.
	if _, err := s.SetPlatform(ctx, "tester", "devtron", "default", Platform{URL: "https://devtron.example.com", Token: "dt-token"}); err != nil {
		t.Fatal(err)
	}
	before, _ = os.ReadFile(bak)
	if _, err := s.Update(ctx, "cron", ActionCheck, AnyRevision, func(d *Data) error {
		d.Platforms["devtron"]["default"].LastCheck = okRecord(false)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(bak); !bytes.Equal(got, before) {
		t.Fatal("recording Devtron's check replaced the backup")
	}
	// A change of settings makes the current store (its check records included) the backup.
	cur, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	changed.Username = "hubot"
	mustSet(t, s, Change{Credential: "github", Base: AnyRevision, Settings: changed})
	if got, _ := os.ReadFile(bak); !bytes.Equal(got, cur) {
		t.Fatal("a change of settings did not make the previous store the backup")
	}
}

// TestOnlyChecksChanged: every change but a check record (or the revision) counts as a change.
func TestOnlyChecksChanged(t *testing.T) {
	t.Parallel()
	base := func() *Data {
		d := NewData()
		d.Revision = 4
		d.Credentials["github"] = &Credential{Provider: "github", Settings: Settings{Host: "https://github.com/", Org: "acme", Token: canary}, Revision: 2}
		setDevtron(d, &Platform{URL: "https://devtron.example.com", Token: "dt"})
		d.Audit = append(d.Audit, AuditEntry{Who: "a", Action: ActionAdd, Credential: "github"})
		return d
	}
	for name, tc := range map[string]struct {
		edit func(*Data)
		only bool
	}{
		"nothing":          {func(*Data) {}, true},
		"revision":         {func(d *Data) { d.Revision++ }, true},
		"last check":       {func(d *Data) { d.Credentials["github"].LastCheck = okRecord(false) }, true},
		"last deep":        {func(d *Data) { d.Credentials["github"].LastDeep = okRecord(true) }, true},
		"devtron check":    {func(d *Data) { d.Platforms["devtron"]["default"].LastCheck = okRecord(false) }, true},
		"org":              {func(d *Data) { d.Credentials["github"].Org = "other" }, false},
		"token":            {func(d *Data) { d.Credentials["github"].Token = "other" }, false},
		"updated at":       {func(d *Data) { d.Credentials["github"].UpdatedAt = time.Now() }, false},
		"provider added":   {func(d *Data) { d.Credentials["gitlab"] = &Credential{Provider: "gitlab"} }, false},
		"provider removed": {func(d *Data) { delete(d.Credentials, "github") }, false},
		"active":           {func(d *Data) { d.Active = "github" }, false},
		"devtron token":    {func(d *Data) { d.Platforms["devtron"]["default"].Token = "other" }, false},
		"devtron removed":  {func(d *Data) { delete(d.Platforms, "devtron") }, false},
		"audit":            {func(d *Data) { d.Audit = append(d.Audit, AuditEntry{Who: "b"}) }, false},
		"version":          {func(d *Data) { d.Version++ }, false},
	} {
		cur := base()
		next := cur.Clone()
		tc.edit(next)
		if got := onlyChecksChanged(cur, next); got != tc.only {
			t.Errorf("%s: onlyChecksChanged = %v, want %v", name, got, tc.only)
		}
		if cur.Credentials["github"].LastCheck != nil || cur.Revision != 4 {
			t.Errorf("%s: onlyChecksChanged changed its argument", name)
		}
	}
}

// TestSaveSeesOtherWriters: a save starts from the file as it is, whoever wrote it last: a
// Store that read or wrote the file before never saves over another writer's change, and a file
// damaged since is refused, not replaced.
func TestSaveSeesOtherWriters(t *testing.T) {
	t.Parallel()
	a, dir := newStore(t)
	ctx := context.Background()
	mustSet(t, a, Change{Credential: "github", Base: AnyRevision, Settings: ghSettings})
	if _, err := a.Load(); err != nil {
		t.Fatal(err)
	}
	b, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustSet(t, b, Change{Credential: "gitlab", Base: AnyRevision, Settings: glSettings})
	d, err := a.Update(ctx, "a", "set", AnyRevision, func(d *Data) error {
		if d.Credentials["gitlab"] == nil {
			t.Error("the save started from content older than the file")
		}
		d.Active = "github"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if d.Revision != 3 || d.Credentials["gitlab"] == nil {
		t.Fatalf("saved over the other writer's change: %+v", d)
	}
	// a saved last: b's view is older, and a save based on it conflicts.
	if _, err := b.Update(ctx, "b", "set", 2, func(*Data) error { return nil }); kindOf(err) != KindConflict {
		t.Fatalf("save from an older revision: %v, want a conflict", err)
	}
	// The file a wrote last is damaged meanwhile: a refuses to save over it.
	raw, err := os.ReadFile(a.Path())
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)-3] ^= 0xff
	if err := os.WriteFile(a.Path(), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	failsUnchanged(t, dir, KindCorrupt, func() error {
		_, err := a.RecordChecks(ctx, "cron", Checked{Credential: "github", Tested: ghSettings, Record: okRecord(false)})
		return err
	})
}

// TestSavedContentIsACopy: what Load and a save return is the caller's to change; the next save
// starts from the file's content, not from what a caller did to a returned copy.
func TestSavedContentIsACopy(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	d := mustSet(t, s, Change{Credential: "github", Base: AnyRevision, Settings: ghSettings})
	d.Credentials["github"].Org = "changed by the caller"
	l, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	l.Credentials["github"].Token = "changed by the caller"
	d, err = s.RecordChecks(context.Background(), "cron", Checked{Credential: "github", Tested: ghSettings, Record: okRecord(false)})
	if err != nil {
		t.Fatal(err)
	}
	if p := d.Credentials["github"]; p.Org != ghSettings.Org || p.Token != ghSettings.Token || p.LastCheck == nil {
		t.Fatalf("saved %+v", p)
	}
}
