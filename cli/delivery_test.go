package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gitopscfg/cli"
	"gitopscfg/e2e/kit"
	"gitopscfg/platforms/devtronfake"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

const devtronCanary = "devtron-CANARY-cli-token-000000000000003"

// delivery is a store with the provider and Devtron emulators beside it, and step, which runs one
// invocation, requires its exit code and keeps its output in all for the canary checks.
type delivery struct {
	dt   *devtronfake.Server
	dir  string
	gh   providers.Credentials
	all  *strings.Builder
	step func(stdin string, want int, args ...string) run
}

func newDelivery(t *testing.T, devtronTokens map[string]bool) *delivery {
	t.Helper()
	emu := kit.Emulators(t, fake.Options{})
	dt := kit.Devtron(t, devtronfake.Options{Tokens: devtronTokens})
	d := &delivery{dt: dt, dir: initStore(t), gh: emu.DemoCredentials(providers.GitHub), all: &strings.Builder{}}
	d.step = func(stdin string, want int, args ...string) run {
		t.Helper()
		r := gitopscfg(t, d.dir, stdin, nil, args...)
		d.all.WriteString(r.out + r.err)
		if r.code != want {
			t.Fatalf("gitopscfg %v: exit %d, want %d\nstdout: %s\nstderr: %s", args, r.code, want, r.out, r.err)
		}
		return r
	}
	return d
}

// TestPushAndExportEndToEnd drives devtron set, push devtron, export and devtron remove through
// the real binary against the Devtron and provider emulators.
func TestPushAndExportEndToEnd(t *testing.T) {
	t.Parallel()
	d := newDelivery(t, map[string]bool{devtronCanary: true})
	dt, dir, gh, step, all := d.dt, d.dir, d.gh, d.step, d.all
	step(gh.Token, 0, "set", "github", "--host", gh.Host, "--api-url", gh.APIURL, "--org", gh.Org, "--username", gh.Username, "--token-stdin", "--activate")
	step("", 2, "push", "devtron") // no instance yet
	step("wrong-token-000000000000", 1, "devtron", "set", "--url", dt.URL(), "--token-stdin")
	step(devtronCanary, 0, "devtron", "set", "--url", dt.URL(), "--token-stdin")

	r := step("", 0, "push", "devtron")
	if !strings.Contains(r.out, "SAVED") || !strings.Contains(r.out, "✓ Create Repo") {
		t.Errorf("push output:\n%s", r.out)
	}
	rows := dt.Rows()
	if len(rows) != 1 || rows[0].Provider != "GITHUB" || rows[0].Token != gh.Token || rows[0].GitHubOrgID != gh.Org || !rows[0].Active {
		t.Fatalf("Devtron holds %+v", rows)
	}
	r = step("", 0, "push", "devtron", "github", "--json")
	var res struct {
		Outcome, Method string
		Requests        int
	}
	if err := json.Unmarshal([]byte(r.out), &res); err != nil || res.Outcome != "saved" || res.Method != "PUT" || res.Requests != 2 {
		t.Errorf("push --json: %+v %v\n%s", res, err, r.out)
	}
	dt.FailStages(map[string]string{"Push": "authentication required"})
	r = step("", 1, "push", "devtron")
	if !strings.Contains(r.out, "NOT SAVED") || !strings.Contains(r.out, "✗ Push: authentication required") {
		t.Errorf("refused push:\n%s", r.out)
	}
	dt.FailStages(nil)
	step("", 2, "push", "devtron", "gitea")
	step("", 2, "push", "argocd")

	type devtronStatus struct {
		Devtron *struct {
			URL       string
			Active    *string
			Providers map[string]string
			Fields    map[string][]string
			Error     *string
		}
	}
	status := func() devtronStatus {
		t.Helper()
		var st devtronStatus
		r := step("", 0, "status", "--json")
		if err := json.Unmarshal([]byte(r.out), &st); err != nil || st.Devtron == nil {
			t.Fatalf("status --json: %v\n%s", err, r.out)
		}
		return st
	}
	if st := status(); st.Devtron.Providers["github"] != "in_sync" || st.Devtron.Active == nil || *st.Devtron.Active != "github" || st.Devtron.Error != nil {
		t.Errorf("drift after push: %+v", *st.Devtron)
	}

	// Settings changed since the last check: refused unless --force.
	step("", 0, "set", "github", "--username", "someone", "--no-check")
	if st := status(); st.Devtron.Providers["github"] != "differs" || len(st.Devtron.Fields["github"]) != 1 || st.Devtron.Fields["github"][0] != "username" {
		t.Errorf("drift after a change: %+v", *st.Devtron)
	}
	if r := step("", 0, "status"); !strings.Contains(r.out, "github     differs (username)") {
		t.Errorf("status text:\n%s", r.out)
	}
	r = step("", 2, "push", "devtron")
	if !strings.Contains(r.err, "gitopscfg check github") {
		t.Errorf("stale push: %s", r.err)
	}
	step("", 2, "export", "flux")
	r = step("", 0, "push", "devtron", "--force")
	if !strings.Contains(r.err, "--force") {
		t.Errorf("no warning: %s", r.err)
	}

	r = step("", 0, "export", "argocd", "--force")
	manifests := r.out
	if !strings.Contains(r.out, `argocd.argoproj.io/secret-type: "repo-creds"`) || !strings.Contains(r.out, gh.Token) {
		t.Errorf("export:\n%s", r.out)
	}
	out := filepath.Join(t.TempDir(), "flux.yaml")
	step("", 0, "export", "flux", "--force", "--json", "--output", out)
	fi, err := os.Stat(out)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("output file: %v %v", fi, err)
	}
	b, _ := os.ReadFile(out)
	var secret map[string]any
	if err := json.Unmarshal(b, &secret); err != nil || secret["kind"] != "Secret" {
		t.Errorf("flux JSON: %v\n%s", err, b)
	}
	step("", 0, "devtron", "remove")
	step("", 2, "devtron", "remove")
	r = step("", 0, "status", "--json")
	if !strings.Contains(r.out, `"action": "devtron-set"`) || !strings.Contains(r.out, `"action": "devtron-remove"`) {
		t.Errorf("audit: %s", r.out)
	}

	// The Git token may appear only in the export's manifests; the Devtron token nowhere.
	said := strings.Replace(all.String(), manifests, "", 1)
	for _, tok := range []string{devtronCanary, devtronCanary[8:24], gh.Token, gh.Token[4:20]} {
		if strings.Contains(said, tok) {
			t.Errorf("a token leaked into the output:\n%s", said)
		}
	}
	for path, b := range readAll(t, dir) {
		if bytes.Contains(b, []byte(devtronCanary)) || bytes.Contains(b, []byte(gh.Token)) {
			t.Errorf("a token is in plaintext in %s", path)
		}
	}
}

// TestExportRefusesATerminal runs the command line in-process with standard output a terminal.
func TestExportRefusesATerminal(t *testing.T) {
	t.Parallel()
	dir := initStore(t)
	mustRun(t, dir, "ghp_0123456789abcdefghij0123456789abcdef", "set", "github", "--org", "acme", "--username", "u", "--token-stdin", "--no-check", "--activate")
	var out, errb bytes.Buffer
	code := cli.Main([]string{"--config-dir", dir, "export", "argocd", "--force"}, cli.Streams{In: strings.NewReader(""), Out: &out, Err: &errb, IsTerm: true}, "test")
	if code != 2 || out.Len() != 0 || !strings.Contains(errb.String(), "| kubectl apply -f -") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
}
