package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// tmuxSession is the real binary in a detached tmux session on a private tmux server.
type tmuxSession struct {
	t      *testing.T
	socket string
	name   string
	canary []string
	last   string
}

func needTmux(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("tmux is not installed (CI installs it and runs this test)")
		}
		t.Fatal("tmux is missing in CI")
	}
}

func newTmux(t *testing.T, w, h int, canary []string, args ...string) *tmuxSession {
	t.Helper()
	needTmux(t)
	ts := &tmuxSession{t: t, socket: fmt.Sprintf("gitopscfg-e2e-%d-%d", os.Getpid(), time.Now().UnixNano()), name: "ui", canary: canary}
	cmd := append([]string{binaryPath()}, args...)
	ts.tmux("-f", "/dev/null", "new-session", "-d", "-s", ts.name, "-x", strconv.Itoa(w), "-y", strconv.Itoa(h),
		"env", "-u", "GITOPSCFG_PASSPHRASE", "-u", "GITOPSCFG_CONFIG_DIR", "TERM=xterm-256color", "sh", "-c", shellJoin(cmd)+"; echo EXITED $?; sleep 30")
	t.Cleanup(func() { _, _ = exec.Command("tmux", "-L", ts.socket, "kill-server").CombinedOutput() })
	return ts
}

func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

func (ts *tmuxSession) tmux(args ...string) string {
	ts.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", ts.socket}, args...)...).CombinedOutput()
	if err != nil {
		ts.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// capture is the pane's text; it fails the test if a canary token shows.
func (ts *tmuxSession) capture() string {
	ts.t.Helper()
	s := ts.tmux("capture-pane", "-p", "-t", ts.name)
	for _, c := range ts.canary {
		if strings.Contains(s, c) || strings.Contains(s, c[:len(c)/2]) {
			ts.t.Fatalf("the screen shows a token:\n%s", s)
		}
	}
	ts.last = s
	return s
}

func (ts *tmuxSession) waitUntil(what string, ok func(string) bool) string {
	ts.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if s := ts.capture(); ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			ts.t.Fatalf("the screen never showed %s; last screen:\n%s", what, ts.last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (ts *tmuxSession) waitFor(subs ...string) string {
	ts.t.Helper()
	return ts.waitUntil(fmt.Sprintf("%q", subs), func(s string) bool {
		for _, sub := range subs {
			if !strings.Contains(s, sub) {
				return false
			}
		}
		return true
	})
}

// keys sends tmux key names (Enter, Tab, C-u, …).
func (ts *tmuxSession) keys(keys ...string) {
	ts.t.Helper()
	ts.tmux(append([]string{"send-keys", "-t", ts.name}, keys...)...)
}

// text types literally.
func (ts *tmuxSession) text(s string) {
	ts.t.Helper()
	ts.tmux("send-keys", "-t", ts.name, "-l", s)
}

// next moves to the next form field, titled title, and waits until the screen shows the focus
// marker (┃) on it, so that nothing typed next lands in the previous field.
func (ts *tmuxSession) next(title string) {
	ts.t.Helper()
	ts.keys("Tab")
	ts.waitUntil("the focus on "+title, func(s string) bool { return strings.Contains(s, "┃ "+title) })
}

func TestEndToEndWizardPickerActivateRetest(t *testing.T) {
	needTmux(t)
	emu := kit.Emulators(t, fake.Options{})
	dir := filepath.Join(t.TempDir(), "cfg")
	ts := newTmux(t, 120, 40, []string{fake.GitHubTokenFull, fake.GitLabTokenFull}, "--config-dir", dir)

	ts.waitFor("Welcome to gitopscfg")
	ts.keys("Enter")
	ts.waitFor("How should the store be protected?")
	ts.keys("Enter") // key file
	ts.waitFor("Which Git provider")
	ts.keys("Enter") // GitHub
	ts.waitFor("step 3 of 3", "Git Host")
	ts.keys("C-u")
	ts.text(emu.URL(providers.GitHub) + "/")
	ts.next("GitHub Organisation Name")
	ts.text(fake.GitHubOrg)
	ts.next("Username")
	ts.text(fake.GitHubUser)
	ts.next("Personal Access Token")
	ts.text(fake.GitHubTokenFull)
	ts.waitFor("All checks passed", "✓ auth: authenticated as octocat", "✓ scope:repo", "✓ org:")
	ts.keys("C-s")
	scr := ts.waitFor("Saved and activated GitHub")
	if !strings.Contains(kit.LineOf(scr, "GitHub "), "✓ GitHub") {
		t.Fatalf("no tick on GitHub:\n%s", scr)
	}

	// another writer: the command line configures GitLab; the picker reloads by itself
	mustRun(t, dir, fake.GitLabTokenFull+"\n", "set", "gitlab", "--host", emu.URL(providers.GitLab)+"/",
		"--org", fake.GitLabGroupPath, "--username", fake.GitLabUser, "--token-stdin", "--no-check")
	ts.waitUntil("GitLab configured", func(s string) bool {
		return strings.Contains(kit.LineOf(s, "GitLab "), "configured") && !strings.Contains(kit.LineOf(s, "GitLab "), "not configured")
	})
	ts.waitFor("never checked")

	ts.keys("j", "a")
	scr = ts.waitFor("GitLab is now the active provider")
	if !strings.Contains(kit.LineOf(scr, "GitLab "), "✓ GitLab") || strings.Contains(scr, "✓ GitHub") {
		t.Fatalf("the tick did not move to GitLab:\n%s", scr)
	}

	ts.keys("t")
	ts.waitFor("GitLab: all checks passed", "last check passed just now · token expires in")
	if strings.Contains(ts.last, "never checked") {
		t.Fatalf("the re-test did not show:\n%s", ts.last)
	}
	ts.keys("q")
	ts.waitFor("EXITED 0")
}

func TestEndToEndAccessibleRetest(t *testing.T) {
	needTmux(t)
	emu := kit.Emulators(t, fake.Options{})
	dir := githubStore(t, emu)
	ts := newTmux(t, 100, 40, []string{fake.GitHubTokenFull}, "--config-dir", dir, "--accessible")
	ts.waitFor("GitHub: ACTIVE", "What next?")
	ts.text("3")
	ts.keys("Enter")
	ts.waitFor("Which credential?")
	ts.text("1")
	ts.keys("Enter")
	ts.waitFor("pass: auth: authenticated as octocat", "All checks passed.", "last check passed just now")
	ts.text("4") // the round trip
	ts.keys("Enter")
	ts.waitFor("Which credential?")
	ts.text("1")
	ts.keys("Enter")
	ts.waitFor("pass: deep:push: pushed commit", "pass: deep:delete: deleted", "Round trip passed.", "round trip passed just now")
	for _, name := range emu.Repos(providers.GitHub) {
		if strings.HasPrefix(name, providers.RepoPrefix) {
			t.Fatalf("repository %s left behind", name)
		}
	}
	// Editing keeps every current value on Enter, the token included.
	ts.text("1")
	ts.keys("Enter")
	ts.waitFor("Which credential?")
	ts.text("1")
	ts.keys("Enter")
	ts.waitFor("Git Host [Enter keeps " + emu.URL(providers.GitHub) + "/]")
	for _, prompt := range []string{"GitHub Organisation Name [Enter keeps acme]", "Username [Enter keeps octocat]",
		"Personal Access Token [Enter keeps ghp_…", "API URL (optional)", "CA bundle (optional)", "Proxy (optional)", "Enter a number between 1 and 3"} {
		ts.keys("Enter")
		ts.waitFor(prompt)
	}
	ts.keys("Enter")
	ts.waitFor("All checks passed.", "Saved GitHub.")
	ts.text("6")
	ts.keys("Enter")
	ts.waitFor("EXITED 0")
}

// githubStore is a store with GitHub on emu configured (not checked) and active, made with the
// command line.
func githubStore(t *testing.T, emu *fake.Emulators) string {
	t.Helper()
	dir := initStore(t)
	mustRun(t, dir, fake.GitHubTokenFull+"\n", "set", "github", "--host", emu.URL(providers.GitHub)+"/",
		"--org", fake.GitHubOrg, "--username", fake.GitHubUser, "--token-stdin", "--no-check", "--activate")
	return dir
}

// roundTripSession configures GitHub on emu with the CLI and opens the UI on it in tmux.
func roundTripSession(t *testing.T, emu *fake.Emulators) *tmuxSession {
	t.Helper()
	needTmux(t)
	dir := githubStore(t, emu)
	ts := newTmux(t, 120, 40, []string{fake.GitHubTokenFull}, "--config-dir", dir)
	ts.waitFor("✓ GitHub", "never checked")
	return ts
}

func TestEndToEndPickerRoundTrip(t *testing.T) {
	needTmux(t)
	emu := kit.Emulators(t, fake.Options{})
	ts := roundTripSession(t, emu)
	ts.keys("r")
	ts.waitFor("Go on? (y/N)")
	ts.keys("y")
	scr := ts.waitFor("Round trip passed", "recorded as GitHub's last round trip")
	for _, id := range providers.DeepStages {
		if !strings.Contains(scr, "✓ "+id+" (") {
			t.Fatalf("%s did not pass:\n%s", id, scr)
		}
	}
	if repos := emu.Repos(providers.GitHub); len(repos) != 0 {
		t.Fatalf("repositories left behind: %v", repos)
	}
	ts.keys("Escape")
	ts.waitFor("GitHub: round trip passed", "round trip passed just now")
	ts.keys("q")
	ts.waitFor("EXITED 0")
}

func TestEndToEndQuitDuringRoundTripCleansUp(t *testing.T) {
	needTmux(t)
	emu := kit.Emulators(t, fake.Options{Latency: 200 * time.Millisecond})
	ts := roundTripSession(t, emu)
	ts.keys("r")
	ts.waitFor("Go on? (y/N)")
	ts.keys("y")
	ts.waitFor("✓ deep:create (")
	ts.keys("q")
	ts.waitFor("EXITED 0")
	if repos := emu.Repos(providers.GitHub); len(repos) != 0 {
		t.Fatalf("quitting the binary left repositories behind: %v", repos)
	}
}
