package cli

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// setFieldsOf are the field flags set would be given for c, in set's order.
func setFieldsOf(c providers.Credentials) []setField {
	return []setField{{"host", providers.FieldHost, c.Host}, {"org", providers.FieldOrg, c.Org},
		{"username", providers.FieldUsername, c.Username}, {"api-url", providers.FieldAPIURL, c.APIURL}}
}

// TestSetRunInProcess drives set's run function with an injected store, fake streams, a fixed
// clock and the provider emulators: credentials that pass the live check are saved with that
// check (at the clock's time, by the injected identity, with the check's timeout); credentials
// that fail it are not saved (exit 1); a field the provider does not have is a usage error before
// any check; --no-check saves one field and keeps the token. No token reaches any output.
func TestSetRunInProcess(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	gh := providers.MustLookup(providers.GitHub)
	var all strings.Builder
	set := func(opts *setOptions, stdin string) error {
		t.Helper()
		streams, out, errb := testStreams(stdin)
		opts.IO, opts.Now, opts.Who, opts.Credential = streams, fixedClock, testWho, string(gh.ID)
		if opts.Timeout == 0 {
			opts.Timeout = 7 * time.Second
		}
		err := setRun(context.Background(), opts)
		all.WriteString(out.String() + errb.String())
		t.Logf("stdout:\n%s\nstderr:\n%s", out, errb)
		return err
	}

	// A token that lacks delete_repo fails the check: nothing is saved.
	s, open := newRunStore(t)
	bad := emu.Credentials(providers.GitHub, fake.GitHubTokenNoDeleteRepo)
	envs := &envRecorder{}
	err := set(&setOptions{runDeps: runDeps{OpenStore: open, Env: envs.env}, Fields: setFieldsOf(bad), TokenStdin: true, Activate: true}, bad.Token+"\n")
	if exitCode(err) != exitCheckFail || !strings.Contains(all.String(), "not saved: the check failed") {
		t.Fatalf("set with a failing token: exit %d, %v", exitCode(err), err)
	}
	if d := loadData(t, s); d.Revision != 0 || len(d.Credentials) != 0 {
		t.Fatalf("a failed check saved: %+v", d)
	}

	good := emu.Credentials(providers.GitHub, fake.GitHubTokenFull)
	envs = &envRecorder{}
	all.Reset()
	if err := set(&setOptions{runDeps: runDeps{OpenStore: open, Env: envs.env}, Fields: setFieldsOf(good), TokenStdin: true, Activate: true}, " "+good.Token+"\n"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(all.String(), "Saved and activated GitHub.\n") {
		t.Fatalf("set output:\n%s", all.String())
	}
	if got := envs.asked(); !slices.Equal(got, []time.Duration{7 * time.Second}) {
		t.Errorf("environments asked for with timeouts %v, want one with --timeout", got)
	}
	d := loadData(t, s)
	p := d.Credentials["github"]
	if p == nil || p.Token != good.Token || p.Org != good.Org || p.Host != good.Host || d.Active != "github" {
		t.Fatalf("stored %+v, active %q", p, d.Active)
	}
	if p.LastCheck == nil || !p.LastCheck.OK || !p.LastCheck.At.Equal(runNow) {
		t.Fatalf("stored check %+v; want a passing one at %v", p.LastCheck, runNow)
	}
	if !p.UpdatedAt.Equal(runNow) {
		t.Errorf("updated at %v; want the clock's %v", p.UpdatedAt, runNow)
	}
	for _, e := range d.Audit {
		if e.Who != "tester" {
			t.Fatalf("audit entry %+v; want it by the injected identity", e)
		}
	}

	rev := d.Revision
	err = set(&setOptions{runDeps: runDeps{OpenStore: open, Env: noEnv(t)}, Fields: []setField{{"project-key", providers.FieldProjectKey, "KEY"}}}, "")
	if exitCode(err) != exitUsageStore || !strings.Contains(err.Error(), "--project-key does not apply to GitHub") {
		t.Fatalf("set --project-key on GitHub: exit %d, %v", exitCode(err), err)
	}
	if loadData(t, s).Revision != rev {
		t.Fatal("a refused set changed the store")
	}

	all.Reset()
	if err := set(&setOptions{runDeps: runDeps{OpenStore: open, Env: noEnv(t)}, Fields: []setField{{"org", providers.FieldOrg, "acme-two"}}, NoCheck: true}, ""); err != nil {
		t.Fatal(err)
	}
	if all.String() != "Saved GitHub (not checked: run `gitopscfg check github`).\n" {
		t.Fatalf("set --no-check output %q", all.String())
	}
	d = loadData(t, s)
	if p := d.Credentials["github"]; p.Org != "acme-two" || p.Token != good.Token {
		t.Fatalf("after set --org: %+v", p)
	}
	if last := d.Audit[len(d.Audit)-1]; !slices.Equal(last.Fields, []string{"org"}) {
		t.Fatalf("last audit entry %+v; want the org only", last)
	}
	for _, tok := range []string{good.Token, bad.Token} {
		if strings.Contains(all.String(), tok) {
			t.Fatal("a token reached set's output")
		}
	}
}

// TestSetCmdPassesItsOptions checks set's constructor: PROVIDER, the field flags given (in set's
// order, an empty value kept as given), the switches and the timeout (60s with --deep unless
// --timeout is given) reach the run function; contradictory or bad flags are refused unrun.
func TestSetCmdPassesItsOptions(t *testing.T) {
	t.Parallel()
	f, out, _ := testFactory("")
	var got *setOptions
	capture := func(_ context.Context, o *setOptions) error { got = o; return nil }
	if err := execute(newSetCmd(f, capture), "GitHub", "--org", "acme", "--host", "https://ghe.example.com", "--username=", "--token-stdin", "--deep", "--activate"); err != nil {
		t.Fatal(err)
	}
	want := []setField{{"host", providers.FieldHost, "https://ghe.example.com"}, {"org", providers.FieldOrg, "acme"}, {"username", providers.FieldUsername, ""}}
	if got == nil || got.Credential != "github" || !slices.Equal(got.Fields, want) || !got.TokenStdin || !got.Deep || !got.Activate || got.NoCheck ||
		got.Timeout != providers.DeepTimeout || got.IO.Out != out || got.OpenStore == nil || got.Env == nil || got.Now == nil || got.Who == nil {
		t.Fatalf("options %+v", got)
	}
	if err := execute(newSetCmd(f, capture), "gitlab", "--deep", "--timeout", "5s"); err != nil || got.Timeout != 5*time.Second || len(got.Fields) != 0 {
		t.Fatalf("set --deep --timeout 5s: %v, %+v", err, got)
	}
	if err := execute(newSetCmd(f, capture), "gitlab", "--no-check"); err != nil || got.Timeout != providers.DefaultTimeout || !got.NoCheck {
		t.Fatalf("set --no-check: %v, %+v", err, got)
	}
	for _, args := range [][]string{
		{"github", "--deep", "--no-check"}, {"github", "--timeout", "0"}, {"no such!", "--org", "x"}, {}, {"github", "--token", "ghp_x"},
	} {
		if err := execute(newSetCmd(f, mustNotRun[*setOptions](t, args...)), args...); exitCode(err) != exitUsageStore {
			t.Errorf("%v: exit %d, %v", args, exitCode(err), err)
		}
	}
}
