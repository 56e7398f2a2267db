package e2e

import (
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/platforms/devtronfake"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// The picker's push to Devtron, end to end on the real binary in tmux: a checked GitHub
// configuration is "not there" in Devtron, p asks for a confirmation, y pushes it, and the picker
// then shows it in sync and active there, while Devtron's emulator holds exactly what was stored.
// Neither the Git token nor the Devtron API token is ever on the screen.
func TestEndToEndPickerPushesToDevtron(t *testing.T) {
	needTmux(t)
	const devtronCanary = "devtron-canary-e2e-7f3a9c2b51d04e68"
	emu := kit.Emulators(t, fake.Options{})
	dt := kit.Devtron(t, devtronfake.Options{Tokens: map[string]bool{devtronCanary: true}})

	dir := initStore(t)
	mustRun(t, dir, fake.GitHubTokenFull+"\n", "set", "github", "--host", emu.URL(providers.GitHub)+"/",
		"--org", fake.GitHubOrg, "--username", fake.GitHubUser, "--token-stdin", "--activate")
	mustRun(t, dir, devtronCanary+"\n", "devtron", "set", "--url", dt.URL(), "--token-stdin")

	ts := newTmux(t, 120, 40, []string{fake.GitHubTokenFull, devtronCanary}, "--config-dir", dir)
	ts.waitUntil("GitHub not there in Devtron", func(s string) bool {
		return strings.Contains(kit.LineOf(s, "✓ GitHub"), "Devtron: not there")
	})
	if len(dt.Rows()) != 0 {
		t.Fatalf("Devtron holds %d configurations before the push", len(dt.Rows()))
	}
	ts.keys("p")
	ts.waitFor("Push GitHub to Devtron at", "(y/N)")
	ts.keys("y")
	ts.waitUntil("GitHub in sync and active in Devtron", func(s string) bool {
		return strings.Contains(kit.LineOf(s, "✓ GitHub"), "Devtron: in sync, active there")
	})
	rows := dt.Rows()
	if len(rows) != 1 || rows[0].Provider != "GITHUB" || !rows[0].Active || rows[0].Token != fake.GitHubTokenFull ||
		rows[0].GitHubOrgID != fake.GitHubOrg || rows[0].Username != fake.GitHubUser {
		t.Fatalf("Devtron holds %+v", rows)
	}
	ts.keys("q")
	ts.waitFor("EXITED 0")
}
