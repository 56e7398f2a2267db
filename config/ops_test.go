package config

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"
)

var (
	ghSettings = Settings{Host: "https://github.com/", Org: "acme", Username: "octocat", Token: canary}
	glSettings = Settings{Host: "https://gitlab.com/", Org: "group", Username: "jdoe", Token: "glpat-0123456789abcdefghij"}
)

func mustSet(t *testing.T, s *Store, c Change) *Data {
	t.Helper()
	d, err := s.Set(context.Background(), "tester (local)", c)
	if err != nil {
		t.Fatalf("Set %s: %v", c.Credential, err)
	}
	return d
}

func lastAudit(d *Data) AuditEntry { return d.Audit[len(d.Audit)-1] }

func okRecord(deep bool) *CheckRecord {
	return &CheckRecord{At: time.Now().UTC().Truncate(time.Second), OK: true, Deep: deep, Checks: []CheckStatus{{ID: "auth", Status: "pass"}}}
}

// failsUnchanged asserts that op fails with kind and leaves every file as it was.
func failsUnchanged(t *testing.T, dir string, kind ErrorKind, op func() error) {
	t.Helper()
	before := snapshot(t, dir)
	err := op()
	if kindOf(err) != kind {
		t.Fatalf("got %v (kind %d), want kind %d", err, kindOf(err), kind)
	}
	assertUnchanged(t, before, snapshot(t, dir))
}

func TestSetAddsThenChangesWithTypedAuditActions(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	d := mustSet(t, s, Change{Credential: "github", Base: 0, Settings: ghSettings, Activate: true})
	if d.Active != "github" || d.Credentials["github"].Settings != ghSettings || d.Credentials["github"].UpdatedAt.IsZero() {
		t.Fatalf("after add: active %q, %+v", d.Active, d.Credentials["github"])
	}
	tail := d.Audit[len(d.Audit)-2:]
	if tail[0].Action != ActionAdd || !slices.Equal(tail[0].Fields, []string{"host", "org", "username", "token"}) || tail[1].Action != ActionActivate {
		t.Fatalf("audit after add: %+v", tail)
	}
	next := ghSettings
	next.Org = "acme-2"
	d = mustSet(t, s, Change{Credential: "github", Base: d.Revision, Settings: next})
	if e := lastAudit(d); e.Action != ActionSet || !slices.Equal(e.Fields, []string{"org"}) || e.Credential != "github" {
		t.Fatalf("audit after set: %+v", e)
	}
	// The typed actions are the strings the store file and `status --json` have always held.
	b, _ := json.Marshal(lastAudit(d))
	var raw struct{ Action string }
	if err := json.Unmarshal(b, &raw); err != nil || raw.Action != "set" {
		t.Fatalf("audit JSON %s", b)
	}
}

func TestSetConflictsOnlyWhenTheSameProviderChangedAfterBase(t *testing.T) {
	t.Parallel()
	s, dir := newStore(t)
	d := mustSet(t, s, Change{Credential: "github", Base: AnyRevision, Settings: ghSettings})
	base := d.Revision
	// Another provider changing, or a check being recorded, does not get in the way.
	mustSet(t, s, Change{Credential: "gitlab", Base: base, Settings: glSettings})
	if _, err := s.RecordChecks(context.Background(), "cron", Checked{Credential: "github", Tested: ghSettings, Record: okRecord(false)}); err != nil {
		t.Fatal(err)
	}
	a := ghSettings
	a.Org = "alice"
	mustSet(t, s, Change{Credential: "github", Base: base, Settings: a})
	b := ghSettings
	b.Org = "bob"
	failsUnchanged(t, dir, KindConflict, func() error {
		_, err := s.Set(context.Background(), "bob", Change{Credential: "github", Base: base, Settings: b})
		return err
	})
	// AnyRevision applies to whatever is current.
	if d := mustSet(t, s, Change{Credential: "github", Base: AnyRevision, Settings: b}); d.Credentials["github"].Org != "bob" {
		t.Fatalf("AnyRevision save: %+v", d.Credentials["github"])
	}
}

func TestSetFieldsApplyOverTheCurrentSettings(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	mustSet(t, s, Change{Credential: "github", Base: AnyRevision, Settings: ghSettings})
	// Another writer changes the username; this edit sets only the org.
	other := ghSettings
	other.Username = "someone"
	mustSet(t, s, Change{Credential: "github", Base: AnyRevision, Settings: other})
	mine := ghSettings
	mine.Org = "mine"
	d := mustSet(t, s, Change{Credential: "github", Base: AnyRevision, Settings: mine, Fields: []Field{FieldOrg}})
	if p := d.Credentials["github"]; p.Org != "mine" || p.Username != "someone" {
		t.Fatalf("fields merge: %+v", p)
	}
}

func TestSetKeepsOnlyChecksOfTheSavedSettings(t *testing.T) {
	t.Parallel()
	s, dir := newStore(t)
	ctx := context.Background()
	d := mustSet(t, s, Change{Credential: "github", Base: AnyRevision, Settings: ghSettings, Check: okRecord(false), Deep: okRecord(true), DeepOf: ghSettings})
	if p := d.Credentials["github"]; p.LastCheck == nil || p.LastDeep == nil {
		t.Fatalf("checks of the saved settings were not kept: %+v", p)
	}
	// A change without a check forgets the records of the old settings.
	next := ghSettings
	next.Token = "ghp_other0123456789abcdefghijklmn"
	d = mustSet(t, s, Change{Credential: "github", Base: AnyRevision, Settings: next})
	if p := d.Credentials["github"]; p.LastCheck != nil || p.LastDeep != nil {
		t.Fatalf("records of the old token vouch for the new one: %+v", p)
	}
	// A round trip of an older draft is not kept.
	d = mustSet(t, s, Change{Credential: "github", Base: AnyRevision, Settings: ghSettings, Deep: okRecord(true), DeepOf: next})
	if p := d.Credentials["github"]; p.LastDeep != nil {
		t.Fatalf("a round trip of other settings was kept: %+v", p.LastDeep)
	}
	// A check of settings other than the ones that would be saved is refused, and nothing changes:
	// the command line checked org "checked" over username octocat, but another writer has since
	// changed the username.
	other := ghSettings
	other.Username = "someone"
	mustSet(t, s, Change{Credential: "github", Base: AnyRevision, Settings: other})
	checked := ghSettings
	checked.Org = "checked"
	for _, c := range []Change{
		{Credential: "github", Base: AnyRevision, Settings: checked, Fields: []Field{FieldOrg}, Check: okRecord(false)},
		{Credential: "github", Base: AnyRevision, Settings: checked, Fields: []Field{FieldOrg}, Deep: okRecord(true), DeepOf: checked},
	} {
		failsUnchanged(t, dir, KindStale, func() error { _, err := s.Set(ctx, "cli", c); return err })
	}
}

func TestSetRefusesMalformedEdits(t *testing.T) {
	t.Parallel()
	s, dir := newStore(t)
	for name, c := range map[string]Change{
		"no provider":     {Base: AnyRevision, Settings: ghSettings},
		"unknown field":   {Credential: "github", Base: AnyRevision, Settings: ghSettings, Fields: []Field{"password"}},
		"deep as a check": {Credential: "github", Base: AnyRevision, Settings: ghSettings, Check: okRecord(true)},
	} {
		t.Run(name, func(t *testing.T) {
			failsUnchanged(t, dir, KindInvalid, func() error { _, err := s.Set(context.Background(), "x", c); return err })
		})
	}
}

func TestActivateNeedsAConfiguredProvider(t *testing.T) {
	t.Parallel()
	s, dir := newStore(t)
	ctx := context.Background()
	failsUnchanged(t, dir, KindNotConfigured, func() error { _, err := s.Activate(ctx, "x", "github"); return err })
	mustSet(t, s, Change{Credential: "github", Base: AnyRevision, Settings: ghSettings})
	mustSet(t, s, Change{Credential: "gitlab", Base: AnyRevision, Settings: glSettings})
	d, err := s.Activate(ctx, "alice", "gitlab")
	if err != nil || d.Active != "gitlab" {
		t.Fatalf("activate: %v, active %q", err, d.Active)
	}
	if e := lastAudit(d); e.Action != ActionActivate || e.Credential != "gitlab" || e.Who != "alice" {
		t.Fatalf("audit: %+v", e)
	}
	// Removed by another writer: activating it must fail rather than point at nothing.
	if _, _, err := s.Remove(ctx, "bob", "github", AnyRevision); err != nil {
		t.Fatal(err)
	}
	failsUnchanged(t, dir, KindNotConfigured, func() error { _, err := s.Activate(ctx, "x", "github"); return err })
}

func TestRemoveConflictsOnlyWhenThatProviderChanged(t *testing.T) {
	t.Parallel()
	s, dir := newStore(t)
	ctx := context.Background()
	failsUnchanged(t, dir, KindNotConfigured, func() error { _, _, err := s.Remove(ctx, "x", "github", AnyRevision); return err })
	mustSet(t, s, Change{Credential: "github", Base: AnyRevision, Settings: ghSettings, Activate: true})
	d := mustSet(t, s, Change{Credential: "gitlab", Base: AnyRevision, Settings: glSettings})
	seen := d.Revision // the admin looks at the store here
	// Another provider changing and a recorded check do not make the removal conflict.
	other := glSettings
	other.Org = "group-2"
	mustSet(t, s, Change{Credential: "gitlab", Base: AnyRevision, Settings: other})
	if _, err := s.RecordChecks(ctx, "cron", Checked{Credential: "github", Tested: ghSettings, Record: okRecord(false)}); err != nil {
		t.Fatal(err)
	}
	d, wasActive, err := s.Remove(ctx, "alice", "github", seen)
	if err != nil || !wasActive || d.Credentials["github"] != nil || d.Active != "" {
		t.Fatalf("remove: %v, wasActive %v, %+v", err, wasActive, d)
	}
	tail := d.Audit[len(d.Audit)-2:]
	if tail[0].Action != ActionRemove || tail[1].Action != ActionDeactivate || tail[1].Credential != "github" {
		t.Fatalf("audit: %+v", tail)
	}
	// Removing a provider whose settings changed after what the admin saw is a conflict.
	changed := other
	changed.Org = "group-3"
	mustSet(t, s, Change{Credential: "gitlab", Base: AnyRevision, Settings: changed})
	failsUnchanged(t, dir, KindConflict, func() error { _, _, err := s.Remove(ctx, "x", "gitlab", seen); return err })
	if _, wasActive, err := s.Remove(ctx, "x", "gitlab", AnyRevision); err != nil || wasActive {
		t.Fatalf("AnyRevision remove: %v, wasActive %v", err, wasActive)
	}
}

func TestRecordChecksKeepsOnlyResultsOfTheStoredSettings(t *testing.T) {
	t.Parallel()
	s, dir := newStore(t)
	ctx := context.Background()
	d := mustSet(t, s, Change{Credential: "github", Base: AnyRevision, Settings: ghSettings})
	mustSet(t, s, Change{Credential: "gitlab", Base: AnyRevision, Settings: glSettings})
	audits := len(d.Audit) + 1
	d, err := s.RecordChecks(ctx, "cron", Checked{Credential: "github", Tested: ghSettings, Record: okRecord(false)},
		Checked{Credential: "gitlab", Tested: glSettings, Record: okRecord(true)})
	if err != nil {
		t.Fatal(err)
	}
	if d.Credentials["github"].LastCheck == nil || d.Credentials["github"].LastDeep != nil || d.Credentials["gitlab"].LastDeep == nil || d.Credentials["gitlab"].LastCheck != nil {
		t.Fatalf("records in the wrong slots: github %+v, gitlab %+v", d.Credentials["github"], d.Credentials["gitlab"])
	}
	if len(d.Audit) != audits {
		t.Fatalf("recording checks made audit entries: %+v", d.Audit[audits:])
	}
	// The token changed while a check ran: its result is left out, the other one kept.
	rotated := ghSettings
	rotated.Token = "ghp_rotated0123456789abcdefghijkl"
	mustSet(t, s, Change{Credential: "github", Base: AnyRevision, Settings: rotated})
	failed := &CheckRecord{At: time.Now().UTC(), OK: false}
	d, err = s.RecordChecks(ctx, "cron", Checked{Credential: "github", Tested: ghSettings, Record: failed},
		Checked{Credential: "gitlab", Tested: glSettings, Record: failed})
	if err != nil || d.Credentials["github"].LastCheck != nil || d.Credentials["gitlab"].LastCheck == nil || d.Credentials["gitlab"].LastCheck.OK {
		t.Fatalf("partly stale: %v, github %+v, gitlab %+v", err, d.Credentials["github"].LastCheck, d.Credentials["gitlab"].LastCheck)
	}
	// Nothing left to keep: nothing is written.
	failsUnchanged(t, dir, KindStale, func() error {
		_, err := s.RecordChecks(ctx, "cron", Checked{Credential: "github", Tested: ghSettings, Record: okRecord(false)})
		return err
	})
	failsUnchanged(t, dir, KindStale, func() error {
		_, err := s.RecordChecks(ctx, "cron", Checked{Credential: "bitbucket", Tested: ghSettings, Record: okRecord(false)})
		return err
	})
	failsUnchanged(t, dir, KindInvalid, func() error { _, err := s.RecordChecks(ctx, "cron"); return err })
}

func TestAnyRevisionIsNotARevision(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	// Update with AnyRevision never conflicts; any other base must be the current revision.
	if _, err := s.Update(context.Background(), "x", ActionSet, AnyRevision, func(*Data) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(context.Background(), "x", ActionSet, 0, func(*Data) error { return nil }); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale base: %v", err)
	}
}

const rotatedToken = "glpat-CANARYrotated000000"

// rotationOf is the rotation of glSettings' token to rotatedToken; by hand it carries the new
// token's passing check and round trip.
func rotationOf(issued bool) TokenRotation {
	r := TokenRotation{Credential: "gitlab", From: glSettings, Token: rotatedToken, Issued: issued}
	if !issued {
		// a minute after okRecord's: the new token's records are not the old one's
		r.Check, r.Deep = okRecord(false), okRecord(true)
		r.Check.At, r.Deep.At = r.Check.At.Add(time.Minute), r.Deep.At.Add(time.Minute)
	}
	return r
}

// TestRotateTokenRecordsARotation: the new token replaces the old one with a "rotate" audit entry
// that names the token alone; the old token's check records go, and a rotation by hand keeps the
// new token's check and round trip.
func TestRotateTokenRecordsARotation(t *testing.T) {
	t.Parallel()
	for _, issued := range []bool{true, false} {
		s, _ := newStore(t)
		ctx := context.Background()
		mustSet(t, s, Change{Credential: "gitlab", Base: AnyRevision, Settings: glSettings, Check: okRecord(false), Deep: okRecord(true), DeepOf: glSettings})
		d, err := s.RotateToken(ctx, "alice (local)", rotationOf(issued))
		if err != nil {
			t.Fatalf("issued %v: %v", issued, err)
		}
		p := d.Credentials["gitlab"]
		want := glSettings
		want.Token = rotatedToken
		if p.Settings != want {
			t.Fatalf("issued %v: stored %+v", issued, p.Settings)
		}
		if e := lastAudit(d); e.Action != ActionRotate || e.Credential != "gitlab" || e.Who != "alice (local)" || !slices.Equal(e.Fields, []string{"token"}) {
			t.Fatalf("issued %v: audit %+v", issued, e)
		}
		if issued && (p.LastCheck != nil || p.LastDeep != nil) {
			t.Fatalf("the old token's records vouch for the new one: %+v %+v", p.LastCheck, p.LastDeep)
		}
		if !issued && (p.LastCheck == nil || p.LastCheck.Deep || p.LastDeep == nil || !p.LastDeep.Deep) {
			t.Fatalf("the new token's check and round trip were not kept: %+v %+v", p.LastCheck, p.LastDeep)
		}
	}
}

// TestRotateTokenIssuedGoesOverOtherChanges: a token the provider issued is the only one that
// works, so it is saved over other changes made meanwhile; a token made by hand was checked with
// the old settings, so it is not.
func TestRotateTokenIssuedGoesOverOtherChanges(t *testing.T) {
	t.Parallel()
	s, dir := newStore(t)
	ctx := context.Background()
	mustSet(t, s, Change{Credential: "gitlab", Base: AnyRevision, Settings: glSettings})
	other := glSettings
	other.Username = "someone"
	mustSet(t, s, Change{Credential: "gitlab", Base: AnyRevision, Settings: other})
	failsUnchanged(t, dir, KindStale, func() error { _, err := s.RotateToken(ctx, "x", rotationOf(false)); return err })
	d, err := s.RotateToken(ctx, "x", rotationOf(true))
	if err != nil {
		t.Fatal(err)
	}
	if p := d.Credentials["gitlab"]; p.Token != rotatedToken || p.Username != "someone" {
		t.Fatalf("stored %s as %s", p.Token, p.Username)
	}
}

// TestRotateTokenKeepsATokenSomeoneElseStored: when another writer replaced the token meanwhile,
// theirs is kept, however the new one came; a provider removed meanwhile is not brought back.
func TestRotateTokenKeepsATokenSomeoneElseStored(t *testing.T) {
	t.Parallel()
	s, dir := newStore(t)
	ctx := context.Background()
	theirs := glSettings
	theirs.Token = "glpat-theirs0000000000000"
	mustSet(t, s, Change{Credential: "gitlab", Base: AnyRevision, Settings: theirs})
	for _, issued := range []bool{true, false} {
		failsUnchanged(t, dir, KindConflict, func() error { _, err := s.RotateToken(ctx, "x", rotationOf(issued)); return err })
	}
	if _, _, err := s.Remove(ctx, "x", "gitlab", AnyRevision); err != nil {
		t.Fatal(err)
	}
	for _, issued := range []bool{true, false} {
		failsUnchanged(t, dir, KindNotConfigured, func() error { _, err := s.RotateToken(ctx, "x", rotationOf(issued)); return err })
	}
}

// TestRotateTokenRefusesMalformedRotations: an issued token is saved before anything else (no
// records yet); one made by hand only once its check and round trip passed.
func TestRotateTokenRefusesMalformedRotations(t *testing.T) {
	t.Parallel()
	s, dir := newStore(t)
	mustSet(t, s, Change{Credential: "gitlab", Base: AnyRevision, Settings: glSettings})
	failed := &CheckRecord{At: time.Now().UTC(), OK: false}
	edit := func(issued bool, f func(r *TokenRotation)) TokenRotation { r := rotationOf(issued); f(&r); return r }
	for name, r := range map[string]TokenRotation{
		"no provider":                  edit(true, func(r *TokenRotation) { r.Credential = "" }),
		"no token":                     edit(true, func(r *TokenRotation) { r.Token = "" }),
		"the same token":               edit(false, func(r *TokenRotation) { r.Token = glSettings.Token }),
		"issued with a check":          edit(true, func(r *TokenRotation) { r.Check = okRecord(false) }),
		"issued with a round trip":     edit(true, func(r *TokenRotation) { r.Deep = okRecord(true) }),
		"by hand, unchecked":           edit(false, func(r *TokenRotation) { r.Check = nil }),
		"by hand, check failed":        edit(false, func(r *TokenRotation) { r.Check = failed }),
		"by hand, deep as check":       edit(false, func(r *TokenRotation) { r.Check = okRecord(true) }),
		"by hand, check as round trip": edit(false, func(r *TokenRotation) { r.Deep = okRecord(false) }),
		"by hand, no round trip":       edit(false, func(r *TokenRotation) { r.Deep = nil }),
		"by hand, round trip failed":   edit(false, func(r *TokenRotation) { r.Deep = failed }),
	} {
		t.Run(name, func(t *testing.T) {
			failsUnchanged(t, dir, KindInvalid, func() error { _, err := s.RotateToken(context.Background(), "x", r); return err })
		})
	}
}
