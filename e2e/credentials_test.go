package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// TestEndToEndPickerAddsSecondCredential: in a real terminal of 80×24 (tmux), the picker adds a
// second GitHub credential, for the organisation acme-infra (n, the provider, its name, the form
// with its live check, ctrl+s), and then lists both under GitHub, the ✓ staying on the first; the
// store holds both, by name.
func TestEndToEndPickerAddsSecondCredential(t *testing.T) {
	needTmux(t)
	emu := kit.Emulators(t, fake.Options{})
	dir := githubStore(t, emu)
	ts := newTmux(t, 80, 24, []string{fake.GitHubTokenFull}, "--config-dir", dir)
	ts.waitFor("✓ GitHub", "n add")
	ts.keys("n")
	ts.waitFor("Step 1 of 3", "GitHub  (1 credential stored)")
	ts.keys("Enter")
	ts.waitFor("Step 2 of 3 · Name of the new GitHub credential")
	ts.text("acme-infra")
	ts.keys("Enter")
	ts.waitFor("┃ Kind of credential") // focused: a token is the choice already
	ts.keys("Enter")
	ts.waitFor("acme-infra (GitHub) · new", "┃ Git Host")
	ts.keys("C-u")
	ts.text(emu.URL(providers.GitHub) + "/")
	ts.next("GitHub Organisation Name")
	ts.text(fake.GitHubOrgInfra)
	ts.next("Username")
	ts.text(fake.GitHubUser)
	ts.next("Personal Access Token")
	ts.text(fake.GitHubTokenFull)
	ts.waitFor("All checks passed")
	ts.keys("C-s")
	ts.waitFor("Make acme-infra (GitHub) the active credential?")
	ts.keys("n")
	scr := ts.waitFor("Saved acme-infra (GitHub)")
	gh, infra := kit.LineOf(scr, "GitHub   "), kit.LineOf(scr, "acme-infra (GitHub)   ")
	if !strings.Contains(gh, "✓ GitHub") || !strings.Contains(gh, "active · configured") {
		t.Fatalf("GitHub's row:\n%s", scr)
	}
	if !strings.Contains(infra, "configured") || strings.Contains(infra, "✓") || !strings.HasPrefix(infra, "›") {
		t.Fatalf("the new credential's row, selected:\n%s", scr)
	}
	if strings.Index(scr, gh) > strings.Index(scr, infra) {
		t.Fatalf("the new credential is not listed under GitHub:\n%s", scr)
	}
	ts.keys("q")
	ts.waitFor("EXITED 0")

	out := mustRun(t, dir, "", "status", "--json").out
	var st struct {
		Providers []struct {
			Credential string `json:"credential"`
			Provider   string `json:"provider"`
		} `json:"providers"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	got := map[string]string{}
	for _, p := range st.Providers {
		got[p.Credential] = p.Provider
	}
	if got["github"] != "github" || got["acme-infra"] != "github" {
		t.Fatalf("the store's credentials: %v\n%s", got, out)
	}
}
