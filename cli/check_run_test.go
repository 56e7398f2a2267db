package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/platforms"
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
	emu := kit.Emulators(t, fake.Options{})
	return &runFixture{t: t, s: s, emu: emu, now: time.Now().UTC().Truncate(time.Second)}
}

// set stores provider id's credentials on the emulators with token; check, when set, is kept as
// their last check.
func (x *runFixture) set(id providers.ID, token string, activate bool, check *config.CheckRecord) {
	x.t.Helper()
	c := config.Change{Credential: string(id), Base: config.AnyRevision, Settings: x.emu.Credentials(id, token).Settings,
		Check: check, Activate: activate}
	if _, err := x.s.Set(context.Background(), "setup", c); err != nil {
		x.t.Fatal(err)
	}
}

// devtron starts a Devtron emulator that knows tokens (true: a super-admin's) and stores it with token.
func (x *runFixture) devtron(tokens map[string]bool, token string) {
	x.t.Helper()
	if x.dt == nil {
		dt := kit.Devtron(x.t, devtronfake.Options{Tokens: tokens})
		x.dt = dt
	}
	if _, err := x.s.SetPlatform(context.Background(), "setup", "devtron", "default", config.Platform{URL: x.dt.URL(), Token: token}); err != nil {
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

// deps are the dependencies x gives a verb's run, with stdin on standard input.
func (x *runFixture) deps(stdin string, isTerm bool) runDeps {
	return runDeps{IO: x.streams(stdin, isTerm), OpenStore: x.openStore, Env: x.env, Now: x.clock, Who: x.who}
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
	drift := func(ctx context.Context, d *config.Data, kind platforms.Kind, name string) *devtronStatusJSON {
		return compareNamed(ctx, env, d, kind, name)
	}
	return &checkOptions{runDeps: x.deps("", false), Drift: drift,
		Timeout: providers.DefaultTimeout, Format: cf, Expiry: expiryThresholds{Warn: defaultWarnExpiry}}
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
		if lc := d.Credentials[id].LastCheck; lc == nil || !lc.At.Equal(x.now) {
			t.Errorf("%s's last check %+v, want one at the injected time %v", id, lc, x.now)
		}
	}
	if d.Credentials["github"].LastCheck.OK || !d.Credentials["gitlab"].LastCheck.OK {
		t.Errorf("remembered verdicts: github %v, gitlab %v", d.Credentials["github"].LastCheck.OK, d.Credentials["gitlab"].LastCheck.OK)
	}

	// One provider, as JSON: only it is checked.
	opts = x.checkOpts("json")
	opts.Credential = "gitlab"
	if err := checkRun(context.Background(), opts); err != nil {
		t.Fatalf("check gitlab --json: %v", err)
	}
	var doc struct{ Results []providers.Result }
	if err := json.Unmarshal(x.out.Bytes(), &doc); err != nil || len(doc.Results) != 1 || doc.Results[0].Provider != providers.GitLab ||
		doc.Results[0].Kind != "token" {
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
	if err := checkRun(context.Background(), opts); exitCode(err) != 3 || !strings.HasPrefix(x.out.String(), "GITOPSCFG UNKNOWN - no provider is configured: run `gitopscfg set PROVIDER …` first") {
		t.Fatalf("nagios: exit %d, %q", exitCode(err), x.out.String())
	}
	opts = x.checkOpts("text")
	opts.Credential = "github"
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
	opts.Drift = func(context.Context, *config.Data, platforms.Kind, string) *devtronStatusJSON {
		compared = true
		return nil
	}
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
	if _, err := x.s.RemovePlatform(context.Background(), "setup", "devtron", ""); err != nil {
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
	parse := func(args ...string) (*checkOptions, error) { return parseOptions(f, newCheckCmd, args...) }
	got, err := parse("GitLab", "--deep", "--format", "nagios", "--output", "x.prom", "--warn-expiry", "3d", "--fail-expiry", "36h", "--devtron")
	if err != nil || got == nil {
		t.Fatalf("parse: %v", err)
	}
	if got.Credential != "gitlab" || !got.Deep || got.Timeout != providers.DeepTimeout ||
		got.Format.Name != "nagios" || got.Output != "x.prom" || got.Expiry != (expiryThresholds{Warn: 72 * time.Hour, Fail: 36 * time.Hour}) ||
		!got.Devtron || got.All {
		t.Fatalf("options %+v", got)
	}
	if got.IO.Out != &out || got.OpenStore == nil || got.Env == nil || got.Now == nil || got.Who == nil || got.Drift == nil {
		t.Fatalf("dependencies not filled: %+v", got)
	}
	got, err = parse("--all", "--json", "--timeout", "5s")
	if err != nil || got == nil || !got.All || got.Credential != "" || got.Format.Name != "json" || got.Timeout != 5*time.Second ||
		got.Expiry != (expiryThresholds{Warn: defaultWarnExpiry}) {
		t.Fatalf("--all --json: %v %+v", err, got)
	}
	if got, _ := parse("--deep", "--timeout", "2m"); got == nil || got.Timeout != 2*time.Minute {
		t.Fatalf("--deep --timeout 2m: %+v", got)
	}
	for _, bad := range [][]string{
		{"--all", "github"}, {"no such!"}, {"github", "gitlab"}, {"--timeout", "0"}, {"--format", "xml"},
		{"--json", "--format", "nagios"}, {"--warn-expiry", "2w"}, {"--warn-expiry", "3d", "--fail-expiry", "5d"}, {"--nosuch"},
	} {
		got, err := parse(bad...)
		if got != nil || exitCode(err) != exitUsageStore {
			t.Errorf("%v: ran %v, exit %d (%v), want a usage error before the run", bad, got != nil, exitCode(err), err)
		}
	}
}

// parsePromText parses the Prometheus text format as a scraper would, failing the test when it
// is not that format.
func parsePromText(t *testing.T, text string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("not the Prometheus text format: %v\n%s", err, text)
	}
	return fams
}

// requireGauges fails the test unless each named family is in fams as a gauge with HELP and
// without timestamps (node_exporter's textfile collector refuses them).
func requireGauges(t *testing.T, fams map[string]*dto.MetricFamily, text string, names ...string) {
	t.Helper()
	for _, name := range names {
		f := fams[name]
		if f == nil || f.GetType() != dto.MetricType_GAUGE || f.GetHelp() == "" {
			t.Fatalf("%s missing, not a gauge or without HELP:\n%s", name, text)
		}
		for _, m := range f.GetMetric() {
			if m.TimestampMs != nil {
				t.Fatalf("%s has a timestamp: the textfile collector refuses them", name)
			}
		}
	}
}

// promSamples maps each sample of family name to its value, keyed by the values of labels.
func promSamples(fams map[string]*dto.MetricFamily, name string, labels ...string) map[string]float64 {
	out := map[string]float64{}
	for _, m := range fams[name].GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		var key []string
		for _, l := range labels {
			key = append(key, got[l])
		}
		out[strings.Join(key, " ")] = m.GetGauge().GetValue()
	}
	return out
}

// TestCheckRunDevtronPrometheus runs check --devtron --format prometheus against the provider
// and Devtron emulators: the instance's success and duration, and in_sync 1 for a provider
// pushed as stored, 0 for one changed since its push, no sample for one Devtron does not hold
// (azure) or cannot hold (gitea); the provider metrics keep their names; with a viewer's token,
// success is 0, there is no drift, and the run fails.
func TestCheckRunDevtronPrometheus(t *testing.T) {
	t.Parallel()
	const adminCanary = "devtron-CANARY-prom-admin-token-0000010"
	const viewerCanary = "devtron-CANARY-prom-viewer-token-000011"
	x := newRunFixture(t)
	ctx := context.Background()
	checked := &config.CheckRecord{At: x.now, OK: true}
	x.set(providers.GitHub, fake.GitHubTokenFull, true, checked)
	x.set(providers.GitLab, fake.GitLabTokenFull, false, checked)
	x.set(providers.Azure, fake.AzureTokenFull, false, nil)
	x.set(providers.Gitea, fake.GiteaTokenFull, false, nil)
	x.devtron(map[string]bool{adminCanary: true, viewerCanary: false}, adminCanary)
	for _, p := range []string{"gitlab", "github"} {
		opts := x.pushOpts()
		opts.Credential, opts.Activate = p, true
		if err := pushRun(ctx, opts); err != nil {
			t.Fatalf("push %s: %v\n%s", p, err, x.err.String())
		}
	}
	gl := x.emu.Credentials(providers.GitLab, fake.GitLabTokenFull)
	gl.Username = "someone-else"
	if _, err := x.s.Set(ctx, "setup", config.Change{Credential: "gitlab", Base: config.AnyRevision, Settings: gl.Settings}); err != nil {
		t.Fatal(err)
	}

	opts := x.checkOpts("prometheus")
	opts.All, opts.Devtron = true, true
	if err := checkRun(ctx, opts); err != nil {
		t.Fatalf("check --all --devtron --format prometheus: %v\n%s", err, x.out.String())
	}
	text := x.out.String()
	fams := parsePromText(t, text)
	requireGauges(t, fams, text, "gitopscfg_check_success", "gitopscfg_check_duration_seconds", "gitopscfg_check_timestamp_seconds",
		"gitopscfg_devtron_check_success", "gitopscfg_devtron_check_duration_seconds", "gitopscfg_devtron_in_sync")
	url := x.dt.URL() + "/"
	if got := promSamples(fams, "gitopscfg_devtron_check_success", "url"); len(got) != 1 || got[url] != 1 {
		t.Errorf("gitopscfg_devtron_check_success %v, want 1 for %s", got, url)
	}
	if got := promSamples(fams, "gitopscfg_devtron_check_duration_seconds", "url"); len(got) != 1 {
		t.Errorf("gitopscfg_devtron_check_duration_seconds %v", got)
	}
	if got := promSamples(fams, "gitopscfg_devtron_active_provider_matches", "url"); len(got) != 1 || got[url] != 1 {
		t.Errorf("gitopscfg_devtron_active_provider_matches %v, want 1 for %s", got, url)
	}
	want := map[string]float64{"github " + url: 1, "gitlab " + url: 0}
	if got := promSamples(fams, "gitopscfg_devtron_in_sync", "provider", "url"); !maps.Equal(got, want) {
		t.Errorf("gitopscfg_devtron_in_sync %v, want %v\n%s", got, want, text)
	}
	if got := promSamples(fams, "gitopscfg_check_success", "provider"); len(got) != 4 {
		t.Errorf("gitopscfg_check_success %v, want the four providers", got)
	}

	x.devtron(nil, viewerCanary)
	opts = x.checkOpts("prometheus")
	opts.Devtron = true
	if err := checkRun(ctx, opts); exitCode(err) != exitCheckFail {
		t.Fatalf("a viewer's token: exit %d, %v", exitCode(err), err)
	}
	fams = parsePromText(t, x.out.String())
	if got := promSamples(fams, "gitopscfg_devtron_check_success", "url"); got[url] != 0 || len(got) != 1 {
		t.Errorf("a viewer's token: gitopscfg_devtron_check_success %v", got)
	}
	if _, ok := fams["gitopscfg_devtron_in_sync"]; ok {
		t.Errorf("drift without a passing instance check:\n%s", x.out.String())
	}
	x.noneLeaked(adminCanary, viewerCanary, fake.GitHubTokenFull, fake.GitLabTokenFull, fake.AzureTokenFull, fake.GiteaTokenFull)
}

// TestCheckRunDevtronNagios runs check --devtron --format nagios with the instance checked on the
// Devtron emulator and the drift injected: a failed instance check is CRITICAL, drift or a
// comparison that could not be made a WARNING, providers Devtron does not hold are no drift, the
// worst part comes first, the perfdata is the providers' alone, and no token is shown.
func TestCheckRunDevtronNagios(t *testing.T) {
	t.Parallel()
	const adminCanary = "devtron-CANARY-nagios-admin-token-00012"
	const viewerCanary = "devtron-CANARY-nagios-viewer-token-0013"
	compareErr := "Devtron answered 502"
	cases := []struct {
		name    string
		token   string
		github  string // GitHub's token; "" leaves GitHub out
		drift   *devtronStatusJSON
		code    int
		summary string
	}{
		{"in sync", adminCanary, "", &devtronStatusJSON{Providers: map[string]string{"gitlab": "in_sync"}},
			0, "GITOPSCFG OK - GitLab OK (token expires in 299 days); Devtron OK | "},
		{"held by Devtron or not", adminCanary, "", &devtronStatusJSON{Providers: map[string]string{"gitlab": "absent", "gitea": "unsupported"}},
			0, "GITOPSCFG OK - GitLab OK (token expires in 299 days); Devtron OK | "},
		{"drift", adminCanary, "", &devtronStatusJSON{Providers: map[string]string{"gitlab": "differs", "github": "in_sync"},
			Fields: map[string][]string{"gitlab": {"username", "token"}}},
			1, "GITOPSCFG WARNING - Devtron WARNING: gitlab differs (username, token); GitLab OK (token expires in 299 days) | "},
		{"not compared", adminCanary, "", &devtronStatusJSON{Providers: map[string]string{"gitlab": "unknown", "azure": "differs"}},
			1, "GITOPSCFG WARNING - Devtron WARNING: azure differs, gitlab unknown; GitLab OK"},
		{"another active provider in Devtron", adminCanary, "", &devtronStatusJSON{Providers: map[string]string{"gitlab": "in_sync", "github": "in_sync"},
			Active: ptrTo("github"), ActiveHere: ptrTo("gitlab"), ActiveDiffers: true},
			1, "GITOPSCFG WARNING - Devtron WARNING: the active provider differs: gitlab here, github in Devtron; GitLab OK"},
		{"comparison failed", adminCanary, "", &devtronStatusJSON{Providers: map[string]string{}, Error: &compareErr},
			1, "GITOPSCFG WARNING - Devtron WARNING: could not compare: Devtron answered 502; GitLab OK"},
		{"a viewer's token", viewerCanary, "", nil,
			2, "GITOPSCFG CRITICAL - Devtron CRITICAL: devtron:super-admin "},
		{"a failing provider before the drift", adminCanary, fake.GitHubTokenNoDeleteRepo,
			&devtronStatusJSON{Providers: map[string]string{"gitlab": "differs"}},
			2, "GITOPSCFG CRITICAL - GitHub CRITICAL: scope:delete_repo missing: "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			x := newRunFixture(t)
			x.set(providers.GitLab, fake.GitLabTokenFull, true, nil)
			if c.github != "" {
				x.set(providers.GitHub, c.github, false, nil)
			}
			x.devtron(map[string]bool{adminCanary: true, viewerCanary: false}, c.token)
			opts := x.checkOpts("nagios")
			opts.All, opts.Devtron = true, true
			compared := false
			opts.Drift = func(context.Context, *config.Data, platforms.Kind, string) *devtronStatusJSON {
				compared = true
				return c.drift
			}
			err := checkRun(context.Background(), opts)
			out := x.out.String()
			if exitCode(err) != c.code || strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, c.summary) {
				t.Fatalf("exit %d (want %d), output %q; want one line starting %q", exitCode(err), c.code, out, c.summary)
			}
			if compared != (c.drift != nil) {
				t.Errorf("drift compared: %v", compared)
			}
			if c.github != "" && !strings.Contains(out, "; Devtron WARNING: gitlab differs; GitLab OK") {
				t.Errorf("the drift is not between the failure and the passes: %q", out)
			}
			_, perf, _ := strings.Cut(out, " | ")
			for _, p := range strings.Fields(perf) {
				if !strings.HasPrefix(p, "'gitlab_") && !strings.HasPrefix(p, "'github_") {
					t.Errorf("perfdata %q is not a provider's", p)
				}
			}
			x.noneLeaked(adminCanary, viewerCanary, fake.GitLabTokenFull, fake.GitHubTokenNoDeleteRepo)
		})
	}
}

// TestCheckRunDevtronJSONL: with --devtron, jsonl adds one "devtron" line after the results, with
// check --json's devtron fields.
func TestCheckRunDevtronJSONL(t *testing.T) {
	t.Parallel()
	const adminCanary = "devtron-CANARY-jsonl-admin-token-000014"
	x := newRunFixture(t)
	x.set(providers.GitLab, fake.GitLabTokenFull, true, nil)
	x.devtron(map[string]bool{adminCanary: true}, adminCanary)
	opts := x.checkOpts("jsonl")
	opts.Devtron = true
	if err := checkRun(context.Background(), opts); err != nil {
		t.Fatalf("check --devtron --format jsonl: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(x.out.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want a result and the devtron line:\n%s", len(lines), x.out.String())
	}
	var ev struct {
		Event     string
		At        time.Time
		URL       string
		OK        bool
		Checks    []providers.Check
		Providers map[string]string
	}
	if err := json.Unmarshal([]byte(lines[1]), &ev); err != nil || ev.Event != "devtron" || !ev.At.Equal(x.now) || !ev.OK ||
		ev.URL != x.dt.URL()+"/" || len(ev.Checks) != 3 || ev.Providers["gitlab"] != "absent" {
		t.Fatalf("devtron line %q: %v %+v", lines[1], err, ev)
	}
	x.noneLeaked(adminCanary, fake.GitLabTokenFull)
}
