package e2e

import (
	"regexp"
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// TestEndToEndPickerRotatesGitLab: R in the picker rotates GitLab's token after a y/N question;
// the new token is saved and checked, the old one is revoked, and no whole token shows.
func TestEndToEndPickerRotatesGitLab(t *testing.T) {
	needTmux(t)
	emu := kit.Emulators(t, fake.Options{})
	dir := initStore(t)
	c := emu.Credentials(providers.GitLab, fake.GitLabTokenFull)
	mustRun(t, dir, fake.GitLabTokenFull+"\n", "set", "gitlab", "--host", c.Host, "--api-url", c.APIURL,
		"--org", c.Org, "--username", c.Username, "--token-stdin", "--no-check", "--activate")
	ts := newTmux(t, 120, 40, []string{fake.GitLabTokenFull}, "--config-dir", dir)
	ts.waitFor("✓ GitLab", "never checked")
	ts.keys("R")
	ts.waitFor("Rotate the GitLab token?", "(y/N)")
	ts.keys("y")
	scr := ts.waitFor("✓ save: the new token glpat-…", "GitLab: all checks passed")
	if whole := regexp.MustCompile(`glpat-[A-Za-z0-9_-]{20}`); whole.MatchString(scr) {
		t.Fatalf("the screen shows a whole token:\n%s", scr)
	}
	ts.keys("q")
	ts.waitFor("EXITED 0")
	if emu.GitLabRotations() != 1 {
		t.Fatalf("%d rotations", emu.GitLabRotations())
	}
	old := providers.Run(t.Context(), providers.NewEnv("test"), c)
	if a, _ := old.Find(providers.CheckAuth); a.Status != providers.Fail || !strings.Contains(a.Message, "revoked") {
		t.Fatalf("the old token still works: %+v", a)
	}
	if r := gitopscfg(t, dir, "", nil, "check", "gitlab"); r.code != 0 {
		t.Fatalf("the stored token does not pass the check after the rotation: exit %d\n%s%s", r.code, r.out, r.err)
	}
}
