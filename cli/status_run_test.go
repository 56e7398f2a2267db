package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/platforms/devtronfake"
	"gitopscfg/providers"
)

const (
	statusGitHubCanary  = "ghp_CANARYstatus0000000000000000000000wxyz"
	statusDevtronCanary = "devtron-CANARY-status-token-00000000001"
)

// statusDoc is the part of status --json the tests read.
type statusDoc struct {
	Active    *string `json:"active"`
	Revision  int64   `json:"revision"`
	Providers []struct {
		Provider  string  `json:"provider"`
		TokenHint *string `json:"token_hint"`
		LastCheck *struct {
			OK bool `json:"ok"`
		} `json:"last_check"`
	} `json:"providers"`
	Devtron *struct {
		URL       string              `json:"url"`
		Active    *string             `json:"active"`
		Providers map[string]string   `json:"providers"`
		Fields    map[string][]string `json:"fields"`
		Error     *string             `json:"error"`
	} `json:"devtron"`
}

// runStatus runs status's run function on the store with the clock fixed, as text or JSON.
func runStatus(t *testing.T, open func() (*config.Store, error), env func(time.Duration) *providers.Env, asJSON bool) (string, error) {
	t.Helper()
	streams, out, _ := testStreams("")
	err := statusRun(context.Background(), &statusOptions{runDeps: runDeps{IO: streams, OpenStore: open, Env: env, Now: fixedClock}, JSON: asJSON})
	return out.String(), err
}

func decodeStatus(t *testing.T, out string) statusDoc {
	t.Helper()
	var doc statusDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	return doc
}

// TestStatusRunInProcess drives status's run function with an injected store, fake streams and a
// fixed clock: the text names the active provider, the age of its last check and the token's
// expiry by that clock, and a token hint, never the token; without a Devtron instance stored it
// asks for no providers' environment (no request is made).
func TestStatusRunInProcess(t *testing.T) {
	t.Parallel()
	s, open := newRunStore(t)
	expires := runNow.Add(5*24*time.Hour + time.Hour)
	storeProvider(t, s, providers.Credentials{Provider: providers.GitHub, Settings: config.Settings{Host: "https://github.com", Org: "acme", Username: "octocat", Token: statusGitHubCanary}},
		true, &config.CheckRecord{At: runNow.Add(-3 * time.Hour), OK: true, ExpiresAt: &expires})
	storeProvider(t, s, providers.Credentials{Provider: providers.GitLab, Settings: config.Settings{Host: "https://gitlab.com", Org: "acme/gitops", Username: "jdoe", Token: "glpat-CANARYstatus000000"}}, false, nil)
	// A check that passed with warnings says so, and how many.
	storeProvider(t, s, providers.Credentials{Provider: providers.Bitbucket, Settings: config.Settings{Host: "https://bitbucket.org", Org: "acme", Username: "jdoe@example.com", Token: "ATATTCANARYstatus000000000"}},
		false, &config.CheckRecord{At: runNow.Add(-time.Hour), OK: true, Checks: []config.CheckStatus{
			{ID: "auth", Status: string(providers.Pass)}, {ID: "scope:write:repository:bitbucket", Status: string(providers.Warn)},
			{ID: "scope:admin:repository:bitbucket", Status: string(providers.Warn)}, {ID: "expiry", Status: string(providers.Skip)}}})

	out, err := runStatus(t, open, noEnv(t), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Store " + filepath.Join(s.Dir(), config.StoreFile) + " (protected by a key file)\n",
		"✓ GitHub", "ghp_…wxyz", "ok 3 h ago, token expires in 5 days", "never checked", "passed with 2 warnings 1 h ago",
		"✓ marks the active provider (GitHub).", "Recent changes:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("status text lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "✓ GitLab") || strings.Contains(out, "Devtron") || strings.Contains(out, "revision") {
		t.Errorf("status text:\n%s", out)
	}

	out, err = runStatus(t, open, noEnv(t), true)
	if err != nil {
		t.Fatal(err)
	}
	doc := decodeStatus(t, out)
	gh := doc.Providers[0]
	if doc.Active == nil || *doc.Active != "github" || doc.Revision != 3 || doc.Devtron != nil ||
		gh.Provider != "github" || gh.TokenHint == nil || *gh.TokenHint != "ghp_…wxyz" || gh.LastCheck == nil || !gh.LastCheck.OK {
		t.Fatalf("status --json: %s", out)
	}
	if strings.Contains(out, statusGitHubCanary[4:]) {
		t.Fatalf("the token reached status --json:\n%s", out)
	}

	empty := filepath.Join(t.TempDir(), "none")
	_, err = runStatus(t, func() (*config.Store, error) { return config.Open(empty, nil) }, noEnv(t), false)
	if exitCode(err) != exitUsageStore || !strings.Contains(err.Error(), "no store in") {
		t.Fatalf("status without a store: exit %d, %v", exitCode(err), err)
	}
}

// TestStatusRunComparesWithDevtron: with a Devtron instance stored, status compares it with the
// stored providers on the Devtron emulator, within the default timeout: the provider active
// there, one whose configuration differs (naming the field, not its value), one Devtron does not
// hold. An unreachable Devtron is reported, not a failure. No token reaches any output.
func TestStatusRunComparesWithDevtron(t *testing.T) {
	t.Parallel()
	dt := kit.Devtron(t, devtronfake.Options{Tokens: map[string]bool{statusDevtronCanary: true}})
	s, open := newRunStore(t)
	storeProvider(t, s, providers.Credentials{Provider: providers.GitHub, Settings: config.Settings{Host: "https://github.com", Org: "acme", Username: "octocat", Token: statusGitHubCanary}}, true, nil)
	storeProvider(t, s, providers.Credentials{Provider: providers.Azure, Settings: config.Settings{Host: "https://dev.azure.com/acme", Org: "gitops", Username: "jdoe@example.com", Token: "azCANARYstatus0000000000000000000000000000000000000"}}, false, nil)
	if _, err := s.SetPlatform(context.Background(), "setup", "devtron", "default", config.Platform{URL: dt.URL(), Token: statusDevtronCanary}); err != nil {
		t.Fatal(err)
	}
	dt.Put(devtronfake.Row{Config: devtronfake.Config{Provider: "GITHUB", Username: "octocat", Token: statusGitHubCanary,
		GitHubOrgID: "another-org", Host: "https://github.com/", Active: true}})
	var all strings.Builder

	envs := &envRecorder{}
	out, err := runStatus(t, open, envs.env, false)
	all.WriteString(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\nDevtron " + dt.URL() + "\n", "  active there: github\n", "  azure      absent\n", "  github     differs (org)\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("status text lacks %q:\n%s", want, out)
		}
	}
	if got := envs.asked(); !slices.Equal(got, []time.Duration{providers.DefaultTimeout}) {
		t.Errorf("environments asked for with timeouts %v, want one with %v", got, providers.DefaultTimeout)
	}

	out, err = runStatus(t, open, envs.env, true)
	all.WriteString(out)
	if err != nil {
		t.Fatal(err)
	}
	doc := decodeStatus(t, out)
	if dv := doc.Devtron; dv == nil || dv.URL != dt.URL() || dv.Error != nil || dv.Active == nil || *dv.Active != "github" ||
		dv.Providers["github"] != "differs" || dv.Providers["azure"] != "absent" || !slices.Equal(dv.Fields["github"], []string{"org"}) {
		t.Fatalf("status --json's devtron: %s", out)
	}

	dt.Close()
	out, err = runStatus(t, open, envs.env, false)
	all.WriteString(out)
	if err != nil || !strings.Contains(out, "  could not compare: ") {
		t.Fatalf("status with Devtron down: %v\n%s", err, out)
	}
	out, err = runStatus(t, open, envs.env, true)
	all.WriteString(out)
	if doc := decodeStatus(t, out); err != nil || doc.Devtron == nil || doc.Devtron.Error == nil {
		t.Fatalf("status --json with Devtron down: %v\n%s", err, out)
	}
	for _, secret := range []string{statusGitHubCanary[4:], statusDevtronCanary} {
		if strings.Contains(all.String(), secret) {
			t.Fatalf("a token reached status's output:\n%s", all.String())
		}
	}
}

// TestStatusCmdPassesItsOptions checks status's constructor: --json and the factory's streams,
// store opener, environment and clock reach the run function; arguments are refused unrun.
func TestStatusCmdPassesItsOptions(t *testing.T) {
	t.Parallel()
	f, out, _ := testFactory("")
	var got *statusOptions
	if err := execute(newStatusCmd(f, func(_ context.Context, o *statusOptions) error { got = o; return nil }), "--json"); err != nil {
		t.Fatal(err)
	}
	if got == nil || !got.JSON || got.IO.Out != out || got.OpenStore == nil || got.Env == nil || got.Now == nil {
		t.Fatalf("options %+v", got)
	}
	if env := got.Env(providers.DefaultTimeout); env != nil && env.Clients != f.providerEnv().Clients {
		t.Error("status's environment does not share the factory's clients")
	}
	for _, args := range [][]string{{"github"}, {"--json=maybe"}, {"--token", "x"}} {
		if err := execute(newStatusCmd(f, mustNotRun[*statusOptions](t, args...)), args...); exitCode(err) != exitUsageStore {
			t.Errorf("%v: exit %d, %v", args, exitCode(err), err)
		}
	}
}
