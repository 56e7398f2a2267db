package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/platforms/devtronfake"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// runFixture is what the run tests inject: a store, the provider emulators (and a Devtron
// emulator once devtron is called), fake streams and a fixed clock.
type runFixture struct {
	t        *testing.T
	s        *config.Store
	emu      *fake.Emulators
	dt       *devtronfake.Server
	out, err bytes.Buffer
	now      time.Time
	// said is everything every run wrote, for the canary scans.
	said strings.Builder
}

func newRunFixture(t *testing.T) *runFixture {
	t.Helper()
	s, err := config.Init(filepath.Join(t.TempDir(), "cfg"), "")
	if err != nil {
		t.Fatal(err)
	}
	emu, err := fake.Start(fake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emu.Close)
	return &runFixture{t: t, s: s, emu: emu, now: time.Now().UTC().Truncate(time.Second)}
}

// set stores provider id's credentials on the emulators with token; check, when set, is kept as
// their last check.
func (x *runFixture) set(id providers.ID, token string, activate bool, check *config.CheckRecord) {
	x.t.Helper()
	c := config.Change{Provider: string(id), Base: config.AnyRevision, Settings: x.emu.Credentials(id, token).Settings(),
		Check: check, Activate: activate}
	if _, err := x.s.Set(context.Background(), "setup", c); err != nil {
		x.t.Fatal(err)
	}
}

// devtron starts a Devtron emulator that knows tokens (true: a super-admin's) and stores it with token.
func (x *runFixture) devtron(tokens map[string]bool, token string) {
	x.t.Helper()
	if x.dt == nil {
		dt, err := devtronfake.Start(devtronfake.Options{Tokens: tokens})
		if err != nil {
			x.t.Fatal(err)
		}
		x.t.Cleanup(dt.Close)
		x.dt = dt
	}
	if _, err := x.s.SetDevtron(context.Background(), "setup", config.Devtron{URL: x.dt.URL(), Token: token}); err != nil {
		x.t.Fatal(err)
	}
}

// streams are fresh fake streams with stdin; what the previous run wrote is kept in said.
func (x *runFixture) streams(stdin string, isTerm bool) Streams {
	x.said.WriteString(x.out.String() + x.err.String())
	x.out.Reset()
	x.err.Reset()
	return Streams{In: strings.NewReader(stdin), Out: &x.out, Err: &x.err, IsTerm: isTerm}
}

func (x *runFixture) openStore() (*config.Store, error) { return x.s, nil }
func (x *runFixture) clock() time.Time                  { return x.now }
func (x *runFixture) who() string                       { return "tester" }

func (x *runFixture) env(d time.Duration) *providers.Env {
	env := providers.NewEnv("test")
	env.Timeout = d
	return env
}

func (x *runFixture) data() *config.Data {
	x.t.Helper()
	d, err := x.s.Load()
	if err != nil {
		x.t.Fatal(err)
	}
	return d
}

// noneLeaked fails when any token appears in anything the runs wrote.
func (x *runFixture) noneLeaked(tokens ...string) {
	x.t.Helper()
	all := x.said.String() + x.out.String() + x.err.String()
	for _, tok := range tokens {
		if strings.Contains(all, tok) {
			x.t.Fatalf("a token leaked into the output:\n%s", all)
		}
	}
}

// checkOpts are check's options with x's dependencies, in format name.
func (x *runFixture) checkOpts(format string) *checkOptions {
	x.t.Helper()
	cf, err := lookupCheckFormat(format)
	if err != nil {
		x.t.Fatal(err)
	}
	env := x.env(providers.DefaultTimeout)
	return &checkOptions{IO: x.streams("", false), OpenStore: x.openStore, Env: x.env, Now: x.clock, Who: x.who,
		DevtronDrift: (&factory{env: env}).devtronStatus,
		Timeout:      providers.DefaultTimeout, Format: cf, Expiry: expiryThresholds{Warn: defaultWarnExpiry}}
}

// TestCheckRunInProcess drives check's run function with an injected store, emulators, streams
// and clock: results are graded against the injected clock and remembered at its time, a failed
// provider fails the run, and no token reaches the output.
func TestCheckRunInProcess(t *testing.T) {
	t.Parallel()
	x := newRunFixture(t)
	x.set(providers.GitHub, fake.GitHubTokenNoDeleteRepo, true, nil)
	x.set(providers.GitLab, fake.GitLabTokenFull, false, nil)
	// The GitLab token expires in 300 days: 290 days on, it is within the 14-day window.
	x.now = x.now.Add(290 * 24 * time.Hour)

	opts := x.checkOpts("text")
	opts.All = true
	err := checkRun(context.Background(), opts)
	if exitCode(err) != exitCheckFail {
		t.Fatalf("exit %d (want 1: GitHub lacks delete_repo), %v\n%s", exitCode(err), err, x.out.String())
	}
	for _, want := range []string{"GitHub (active) — ", "FAILED", "GitLab — ", "within the warning window of 14d"} {
		if !strings.Contains(x.out.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, x.out.String())
		}
	}
	if !regexp.MustCompile(`token expires in (9|10) days`).MatchString(x.out.String()) {
		t.Errorf("the text's expiry note is not of the injected clock:\n%s", x.out.String())
	}
	d := x.data()
	for _, id := range []string{"github", "gitlab"} {
		if lc := d.Providers[id].LastCheck; lc == nil || !lc.At.Equal(x.now) {
			t.Errorf("%s's last check %+v, want one at the injected time %v", id, lc, x.now)
		}
	}
	if d.Providers["github"].LastCheck.OK || !d.Providers["gitlab"].LastCheck.OK {
		t.Errorf("remembered verdicts: github %v, gitlab %v", d.Providers["github"].LastCheck.OK, d.Providers["gitlab"].LastCheck.OK)
	}

	// One provider, as JSON: only it is checked.
	opts = x.checkOpts("json")
	gl := providers.MustLookup(providers.GitLab)
	opts.Provider = &gl
	if err := checkRun(context.Background(), opts); err != nil {
		t.Fatalf("check gitlab --json: %v", err)
	}
	var doc struct{ Results []providers.Result }
	if err := json.Unmarshal(x.out.Bytes(), &doc); err != nil || len(doc.Results) != 1 || doc.Results[0].Provider != providers.GitLab {
		t.Fatalf("check gitlab --json: %v\n%s", err, x.out.String())
	}
	x.noneLeaked(fake.GitHubTokenNoDeleteRepo, fake.GitLabTokenFull)
}

// TestCheckRunNothingToCheck: with nothing to check, each format gives its own account (nagios:
// UNKNOWN, exit 3; text: the reason on stderr, exit 1) and an --output file is written only
// when the format wrote one.
func TestCheckRunNothingToCheck(t *testing.T) {
	t.Parallel()
	x := newRunFixture(t)
	opts := x.checkOpts("nagios")
	if err := checkRun(context.Background(), opts); exitCode(err) != 3 || !strings.HasPrefix(x.out.String(), "GITOPSCFG UNKNOWN - no provider is active") {
		t.Fatalf("nagios: exit %d, %q", exitCode(err), x.out.String())
	}
	opts = x.checkOpts("text")
	gh := providers.MustLookup(providers.GitHub)
	opts.Provider = &gh
	if err := checkRun(context.Background(), opts); exitCode(err) != exitCheckFail || x.out.Len() != 0 ||
		!strings.Contains(x.err.String(), "GitHub is not configured") {
		t.Fatalf("text: exit %d, stdout %q, stderr %q", exitCode(err), x.out.String(), x.err.String())
	}

	file := filepath.Join(t.TempDir(), "gitopscfg.prom")
	if err := os.WriteFile(file, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	opts = x.checkOpts("prometheus")
	opts.Output = file
	if err := checkRun(context.Background(), opts); exitCode(err) != exitCheckFail {
		t.Fatalf("prometheus: exit %d", exitCode(err))
	}
	if b, _ := os.ReadFile(file); string(b) != "old\n" {
		t.Errorf("prometheus has no account of nothing to check, yet the file became %q", b)
	}
	x.set(providers.GitLab, fake.GitLabTokenFull, true, nil)
	opts = x.checkOpts("prometheus")
	opts.Output = file
	if err := checkRun(context.Background(), opts); err != nil || x.out.Len() != 0 {
		t.Fatalf("prometheus --output: %v, stdout %q", err, x.out.String())
	}
	if b, _ := os.ReadFile(file); !strings.Contains(string(b), `gitopscfg_check_success{provider="gitlab"`) {
		t.Errorf("the metrics file holds %q", b)
	}
	x.noneLeaked(fake.GitLabTokenFull)
}

// TestCheckRunDevtron: --devtron adds the instance's check and, only when it passed, the drift
// the injected comparison reports; a failed instance check fails the run.
func TestCheckRunDevtron(t *testing.T) {
	t.Parallel()
	const adminCanary = "devtron-CANARY-run-admin-token-000000005"
	const viewerCanary = "devtron-CANARY-run-viewer-token-00000006"
	x := newRunFixture(t)
	x.set(providers.GitLab, fake.GitLabTokenFull, true, nil)
	x.devtron(map[string]bool{adminCanary: true, viewerCanary: false}, adminCanary)

	opts := x.checkOpts("text")
	opts.Devtron = true
	if err := checkRun(context.Background(), opts); err != nil {
		t.Fatalf("check --devtron: %v\n%s", err, x.out.String())
	}
	if !strings.Contains(x.out.String(), "Devtron — ") || !strings.Contains(x.out.String(), "gitlab     absent") {
		t.Errorf("check --devtron text:\n%s", x.out.String())
	}

	x.devtron(nil, viewerCanary)
	compared := false
	opts = x.checkOpts("json")
	opts.Devtron = true
	opts.DevtronDrift = func(context.Context, *config.Data) *devtronStatusJSON { compared = true; return nil }
	if err := checkRun(context.Background(), opts); exitCode(err) != exitCheckFail {
		t.Fatalf("a viewer's token: exit %d, %v", exitCode(err), err)
	}
	var doc struct{ Devtron *devtronCheckJSON }
	if err := json.Unmarshal(x.out.Bytes(), &doc); err != nil || doc.Devtron == nil || doc.Devtron.OK {
		t.Fatalf("a viewer's token, JSON: %v\n%s", err, x.out.String())
	}
	if compared {
		t.Error("the drift was compared although the instance check failed")
	}

	opts = x.checkOpts("text")
	opts.Devtron = true
	if _, err := x.s.RemoveDevtron(context.Background(), "setup"); err != nil {
		t.Fatal(err)
	}
	if err := checkRun(context.Background(), opts); exitCode(err) != exitUsageStore || !strings.Contains(err.Error(), "no Devtron instance is stored") {
		t.Fatalf("--devtron without an instance: exit %d, %v", exitCode(err), err)
	}
	x.noneLeaked(adminCanary, viewerCanary, fake.GitLabTokenFull)
}

// TestCheckCmdPassesItsOptions checks the constructor's seam: flags and the provider argument
// are parsed into the options with the factory's dependencies, and bad ones are usage errors
// (exit 2) that never reach the run function.
func TestCheckCmdPassesItsOptions(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	f := newFactory(Streams{In: strings.NewReader(""), Out: &out, Err: &out}, "test", func(string) string { return "" }, nil)
	parse := func(args ...string) (*checkOptions, error) {
		var got *checkOptions
		cmd := newCheckCmd(f, func(_ context.Context, o *checkOptions) error { got = o; return nil })
		cmd.SetArgs(args)
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		err := cmd.Execute()
		return got, err
	}
	got, err := parse("GitLab", "--deep", "--format", "nagios", "--output", "x.prom", "--warn-expiry", "3d", "--fail-expiry", "36h", "--devtron")
	if err != nil || got == nil {
		t.Fatalf("parse: %v", err)
	}
	if got.Provider == nil || got.Provider.ID != providers.GitLab || !got.Deep || got.Timeout != providers.DeepTimeout ||
		got.Format.Name != "nagios" || got.Output != "x.prom" || got.Expiry != (expiryThresholds{Warn: 72 * time.Hour, Fail: 36 * time.Hour}) ||
		!got.Devtron || got.All {
		t.Fatalf("options %+v", got)
	}
	if got.IO.Out != &out || got.OpenStore == nil || got.Env == nil || got.Now == nil || got.Who == nil || got.DevtronDrift == nil {
		t.Fatalf("dependencies not filled: %+v", got)
	}
	got, err = parse("--all", "--json", "--timeout", "5s")
	if err != nil || got == nil || !got.All || got.Provider != nil || got.Format.Name != "json" || got.Timeout != 5*time.Second ||
		got.Expiry != (expiryThresholds{Warn: defaultWarnExpiry}) {
		t.Fatalf("--all --json: %v %+v", err, got)
	}
	if got, _ := parse("--deep", "--timeout", "2m"); got == nil || got.Timeout != 2*time.Minute {
		t.Fatalf("--deep --timeout 2m: %+v", got)
	}
	for _, bad := range [][]string{
		{"--all", "github"}, {"nosuch"}, {"github", "gitlab"}, {"--timeout", "0"}, {"--format", "xml"},
		{"--json", "--format", "nagios"}, {"--warn-expiry", "2w"}, {"--warn-expiry", "3d", "--fail-expiry", "5d"}, {"--nosuch"},
	} {
		got, err := parse(bad...)
		if got != nil || exitCode(err) != exitUsageStore {
			t.Errorf("%v: ran %v, exit %d (%v), want a usage error before the run", bad, got != nil, exitCode(err), err)
		}
	}
}
