package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
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
	dir := filepath.Join(t.TempDir(), "cfg")
	if init := exec.Command(gitopscfgPath(t), "--config-dir", dir, "init"); init.Run() != nil {
		t.Fatal("init failed")
	}
	c := emu.Credentials(providers.GitLab, fake.GitLabTokenFull)
	set := exec.Command(gitopscfgPath(t), "--config-dir", dir, "set", "gitlab", "--host", c.Host, "--api-url", c.APIURL,
		"--org", c.Org, "--username", c.Username, "--token-stdin", "--no-check", "--activate")
	set.Stdin = strings.NewReader(fake.GitLabTokenFull + "\n")
	set.Env = append(os.Environ(), "GITOPSCFG_PASSPHRASE=")
	if out, err := set.CombinedOutput(); err != nil {
		t.Fatalf("set: %v\n%s", err, out)
	}
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
	check := exec.Command(gitopscfgPath(t), "--config-dir", dir, "check", "gitlab")
	check.Env = append(os.Environ(), "GITOPSCFG_PASSPHRASE=")
	if out, err := check.CombinedOutput(); err != nil {
		t.Fatalf("the stored token does not pass the check after the rotation: %v\n%s", err, out)
	}
}
