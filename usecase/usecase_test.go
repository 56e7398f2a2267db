package usecase_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/platforms"
	"gitopscfg/platforms/devtronfake"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
	"gitopscfg/usecase"
)

// rig is a store, the provider emulators and the use cases on them, at a fixed clock.
type rig struct {
	t   *testing.T
	s   *config.Store
	emu *fake.Emulators
	b   *usecase.Backend
	now time.Time
}

func newRig(t *testing.T) *rig {
	t.Helper()
	s, err := config.Init(filepath.Join(t.TempDir(), "cfg"), "")
	if err != nil {
		t.Fatal(err)
	}
	emu := kit.Emulators(t, fake.Options{})
	now := time.Now().UTC().Truncate(time.Second)
	b := usecase.New(s, usecase.Options{Now: func() time.Time { return now }, Who: "tester"})
	return &rig{t: t, s: s, emu: emu, b: b, now: now}
}

// devtron starts a Devtron emulator that takes token as a super-admin's and stores it as the
// instance.
func (r *rig) devtron(token string) *devtronfake.Server {
	r.t.Helper()
	dt := kit.Devtron(r.t, devtronfake.Options{Tokens: map[string]bool{token: true}})
	if _, err := r.s.SetPlatform(context.Background(), "t", "devtron", "default", config.Platform{URL: dt.URL(), Token: token}); err != nil {
		r.t.Fatal(err)
	}
	return dt
}

func (r *rig) data() *config.Data {
	r.t.Helper()
	d, err := r.s.Load()
	if err != nil {
		r.t.Fatal(err)
	}
	return d
}

// TestSaveKeepsOnlyWhatPassed: a save runs the check it is asked for and saves only when it
// passed (or the admin said to save anyway), keeping the record of exactly what was saved.
func TestSaveKeepsOnlyWhatPassed(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	good := r.emu.Credentials(providers.GitHub, fake.GitHubTokenFull)
	good.Token = "  " + good.Token + "\n" // a paste: Save normalises it

	out, err := r.b.Save(ctx, usecase.SaveInput{Credentials: good, Base: config.AnyRevision, Activate: true, Verify: usecase.VerifyCheck})
	if err != nil || out.Result == nil || !out.Result.OK || out.Data == nil {
		t.Fatalf("save of good credentials: %+v, %v", out, err)
	}
	p := r.data().Credentials["github"]
	if p.Token != fake.GitHubTokenFull || p.LastCheck == nil || !p.LastCheck.OK || !p.LastCheck.At.Equal(r.now) || r.data().Active != "github" {
		t.Fatalf("stored %+v, active %q", p.LastCheck, r.data().Active)
	}

	bad := r.emu.Credentials(providers.GitHub, fake.GitHubTokenRevoked)
	rev := r.data().Revision
	_, err = r.b.Save(ctx, usecase.SaveInput{Credentials: bad, Base: config.AnyRevision, Verify: usecase.VerifyCheck})
	var failed *usecase.CheckFailedError
	if !errors.As(err, &failed) || failed.Result.OK || r.data().Revision != rev {
		t.Fatalf("save of a revoked token: %v (revision %d, was %d)", err, r.data().Revision, rev)
	}
	if strings.Contains(err.Error(), fake.GitHubTokenRevoked) {
		t.Fatal("the error holds the token")
	}

	// Saved anyway, the failed check is what the store remembers.
	if _, err := r.b.Save(ctx, usecase.SaveInput{Credentials: bad, Base: config.AnyRevision, Verify: usecase.VerifyCheck, Anyway: true}); err != nil {
		t.Fatal(err)
	}
	if p := r.data().Credentials["github"]; p.Token != fake.GitHubTokenRevoked || p.LastCheck == nil || p.LastCheck.OK {
		t.Fatalf("saved anyway: %+v", p.LastCheck)
	}

	// Invalid input is refused before anything runs.
	inv := good
	inv.Host = "ftp://example.com/"
	calls := 0
	b := usecase.New(r.s, usecase.Options{Who: "tester", Check: func(context.Context, *providers.Env, providers.Credentials) providers.Result {
		calls++
		return providers.Result{OK: true}
	}})
	_, err = b.Save(ctx, usecase.SaveInput{Credentials: inv, Base: config.AnyRevision, Verify: usecase.VerifyCheck})
	var invalid *usecase.InvalidError
	if !errors.As(err, &invalid) || calls != 0 {
		t.Fatalf("invalid host: %v, %d checks run", err, calls)
	}
}

// TestSaveKeepsAGivenResultOnlyForWhatItTested: a check or round trip the front-end ran is kept
// only when it tested exactly the credentials saved.
func TestSaveKeepsAGivenResultOnlyForWhatItTested(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	creds := r.emu.Credentials(providers.GitHub, fake.GitHubTokenFull)
	other := creds
	other.Org = "someone-else"
	passed := providers.Result{Provider: providers.GitHub, OK: true}
	in := usecase.SaveInput{Credentials: creds, Base: config.AnyRevision,
		Check: &usecase.Verified{Creds: other, Result: passed, At: r.now}, Deep: &usecase.Verified{Creds: other, Result: passed, At: r.now}}
	if _, err := r.b.Save(ctx, in); err != nil {
		t.Fatal(err)
	}
	if p := r.data().Credentials["github"]; p.LastCheck != nil || p.LastDeep != nil {
		t.Fatalf("results of other credentials were kept: %+v %+v", p.LastCheck, p.LastDeep)
	}
	in.Check.Creds, in.Deep.Creds = creds, creds
	if _, err := r.b.Save(ctx, in); err != nil {
		t.Fatal(err)
	}
	if p := r.data().Credentials["github"]; p.LastCheck == nil || p.LastDeep == nil || !p.LastDeep.Deep {
		t.Fatalf("results of these credentials were dropped: %+v %+v", p.LastCheck, p.LastDeep)
	}
}

// TestTestRecordsOnlyUnchangedCredentials: a re-test's result is kept when the stored settings are
// still the ones tested, and dropped when they changed meanwhile.
func TestTestRecordsOnlyUnchangedCredentials(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	for _, id := range []providers.ID{providers.GitHub, providers.GitLab} {
		if _, err := r.b.Save(ctx, usecase.SaveInput{Credentials: r.emu.Credentials(id, tokenOf(id)), Base: config.AnyRevision}); err != nil {
			t.Fatal(err)
		}
	}
	d := r.data()
	// GitLab changes while it is tested: its result is not kept.
	changed := false
	b := usecase.New(r.s, usecase.Options{Who: "tester", Now: func() time.Time { return r.now }, Check: func(ctx context.Context, env *providers.Env, c providers.Credentials) providers.Result {
		if c.Provider == providers.GitLab && !changed {
			changed = true
			other := c
			other.Username = "someone-else"
			if _, err := r.s.Set(ctx, "other", config.Change{Credential: "gitlab", Base: config.AnyRevision, Settings: other.Settings}); err != nil {
				t.Error(err)
			}
		}
		return providers.Run(ctx, env, c)
	}})
	out := b.Test(ctx, d, []string{"github", "gitlab"}, usecase.TestOptions{})
	if len(out.Results) != 2 || out.Results[0].Provider != providers.GitHub || out.Results[1].Provider != providers.GitLab || out.RecordErr != nil {
		t.Fatalf("results %+v, %v", out.Results, out.RecordErr)
	}
	now := r.data()
	if now.Credentials["github"].LastCheck == nil || now.Credentials["gitlab"].LastCheck != nil {
		t.Fatalf("github %+v, gitlab %+v: want github's kept, gitlab's dropped", now.Credentials["github"].LastCheck, now.Credentials["gitlab"].LastCheck)
	}
}

func tokenOf(id providers.ID) string {
	switch id {
	case providers.GitLab:
		return fake.GitLabTokenFull
	case providers.Azure:
		return fake.AzureTokenFull
	}
	return fake.GitHubTokenFull
}

// TestDeliveriesPassTheFreshnessGate: credentials whose latest check failed, or that were never
// checked, are neither pushed nor exported unless forced; the latest of the check and the round
// trip decides.
func TestDeliveriesPassTheFreshnessGate(t *testing.T) {
	t.Parallel()
	const devtronToken = "devtron-CANARY-usecase-gate-000000031"
	r := newRig(t)
	ctx := context.Background()
	dt := r.devtron(devtronToken)
	creds := r.emu.Credentials(providers.GitHub, fake.GitHubTokenFull)
	set := func(check, deep *config.CheckRecord) {
		t.Helper()
		c := config.Change{Credential: "github", Base: config.AnyRevision, Settings: creds.Settings, Check: check, Activate: true}
		if deep != nil {
			c.Deep, c.DeepOf = deep, creds.Settings
		}
		if _, err := r.s.Set(ctx, "t", c); err != nil {
			t.Fatal(err)
		}
	}
	at := func(ok bool, ago time.Duration, deep bool) *config.CheckRecord {
		return &config.CheckRecord{At: r.now.Add(-ago), OK: ok, Deep: deep}
	}
	cases := []struct {
		name        string
		check, deep *config.CheckRecord
		fresh       bool
	}{
		{"a passing check", at(true, time.Hour, false), nil, true},
		{"a failed check", at(false, time.Hour, false), nil, false},
		{"a round trip that failed after a passing check", at(true, 2*time.Hour, false), at(false, time.Hour, true), false},
		{"a check that passed after a failed round trip", at(true, time.Hour, false), at(false, 2*time.Hour, true), true},
	}
	for _, c := range cases {
		r.b = usecase.New(r.s, usecase.Options{Who: "tester"})
		if _, _, err := r.b.Remove(ctx, string(providers.GitHub), config.AnyRevision); err != nil && !config.IsKind(err, config.KindNotConfigured) {
			t.Fatal(err)
		}
		set(c.check, c.deep)
		d := r.data()
		_, err := r.b.Export(ctx, d, usecase.ExportInput{Platform: "flux"})
		var nf *usecase.NotFreshError
		if c.fresh != (err == nil) || (!c.fresh && !errors.As(err, &nf)) {
			t.Errorf("%s: export: %v", c.name, err)
		}
		if !c.fresh {
			if _, err := r.b.Push(ctx, d, usecase.PushInput{}); !errors.As(err, &nf) {
				t.Errorf("%s: push: %v", c.name, err)
			}
			if ex, err := r.b.Export(ctx, d, usecase.ExportInput{Platform: "flux", Force: true}); err != nil || ex.Forced == nil || len(ex.Objects) == 0 {
				t.Errorf("%s: forced export: %+v %v", c.name, ex, err)
			}
		}
	}
	if len(dt.Rows()) != 0 {
		t.Fatal("a refused push reached Devtron")
	}
	// Never checked since set.
	if _, _, err := r.b.Remove(ctx, string(providers.GitHub), config.AnyRevision); err != nil {
		t.Fatal(err)
	}
	set(nil, nil)
	var nf *usecase.NotFreshError
	if _, err := r.b.Push(ctx, r.data(), usecase.PushInput{}); !errors.As(err, &nf) || !nf.Never {
		t.Fatalf("unchecked push: %v", err)
	}
}

// TestPushActivatesHereOnlyWhenAsked: a push with Activate that makes the provider Devtron's
// active one makes it the active one here too; without Activate the disagreement is reported.
func TestPushActivatesHereOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	const devtronToken = "devtron-CANARY-usecase-push-000000032"
	r := newRig(t)
	ctx := context.Background()
	r.devtron(devtronToken)
	for _, id := range []providers.ID{providers.GitHub, providers.Azure} {
		if _, err := r.b.Save(ctx, usecase.SaveInput{Credentials: r.emu.Credentials(id, tokenOf(id)), Base: config.AnyRevision,
			Activate: id == providers.GitHub, Verify: usecase.VerifyCheck}); err != nil {
			t.Fatal(err)
		}
	}
	// Devtron holds nothing: Azure DevOps becomes its active provider, and the two disagree.
	out, err := r.b.Push(ctx, r.data(), usecase.PushInput{Credential: "azure"})
	if err != nil || !out.Result.OK() || out.Disagree != "github" || out.ActivatedHere || r.data().Active != "github" {
		t.Fatalf("push azure: %+v, %v", out, err)
	}
	if dd := r.b.CompareDevtronNamed(ctx, r.data(), "default"); dd == nil || dd.Err != nil || !dd.ActiveDiffers || dd.ActiveHere != "github" || dd.Drift.Active != providers.Azure {
		t.Fatalf("drift: %+v", dd)
	}
	// GitHub in its place, as asked: active there and here.
	out, err = r.b.Push(ctx, r.data(), usecase.PushInput{Credential: "github"})
	var se *platforms.SwitchError
	if !errors.As(err, &se) {
		t.Fatalf("push github without Activate: %+v, %v", out, err)
	}
	out, err = r.b.Push(ctx, r.data(), usecase.PushInput{Credential: "azure", Activate: true})
	if err != nil || out.ActivatedHere != true || r.data().Active != "azure" {
		t.Fatalf("push azure --activate: %+v, %v (active here %q)", out, err, r.data().Active)
	}
	if dd := r.b.CompareDevtronNamed(ctx, r.data(), "default"); dd.ActiveDiffers {
		t.Fatalf("agreeing providers reported as differing: %+v", dd)
	}
}
