package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers/giteatest"
)

// The first-run wizard against a real Gitea (GITOPSCFG_GITEA=1, make test-gitea): pick Gitea /
// Forgejo, type its fields, watch the live check pass, save, and see the ✓ in the picker.
func TestGiteaRealWizardLiveCheckSave(t *testing.T) {
	giteatest.Require(t)
	needTmux(t)
	srv := giteatest.Start(t, "")
	srv.Setup(t)
	tok := srv.Token(t, giteatest.Owner, "tui", "write:organization,write:repository,read:user")
	dir := filepath.Join(t.TempDir(), "cfg")
	ts := newTmux(t, 120, 40, []string{tok}, "--config-dir", dir)

	ts.waitFor("Welcome to gitopscfg")
	ts.keys("Enter")
	ts.waitFor("How should the store be protected?")
	ts.keys("Enter") // key file
	ts.waitFor("Which Git provider", "Gitea / Forgejo  (self-hosted)")
	ts.keys("Down", "Down", "Down", "Down")
	ts.waitUntil("Gitea selected", func(s string) bool { return strings.Contains(kit.LineOf(s, "Gitea / Forgejo"), ">") })
	ts.keys("Enter")
	ts.waitFor("step 3 of 3", "Git Host")
	ts.keys("C-u")
	ts.text(srv.URL)
	ts.next("Organisation")
	ts.text(giteatest.Org)
	ts.next("Username")
	ts.text(giteatest.Owner)
	ts.next("Access Token")
	ts.text(tok)
	ts.waitFor("All checks passed", "✓ auth: authenticated as jdoe", "✓ scope:write:organization", "✓ org:")
	ts.keys("C-s")
	scr := ts.waitFor("Saved and activated Gitea / Forgejo")
	if !strings.Contains(kit.LineOf(scr, "Gitea / Forgejo "), "✓ Gitea / Forgejo") {
		t.Fatalf("no tick on Gitea / Forgejo:\n%s", scr)
	}
	ts.keys("q")
	ts.waitFor("EXITED 0")
}
