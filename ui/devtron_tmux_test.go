package ui

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"gitopscfg/providers"
)

// uiHelperDir names, in the environment of this test binary run again, the store the UI opens:
// the binary then runs the UI (Run) on its terminal instead of the tests.
const uiHelperDir = "GITOPSCFG_UI_TEST_HELPER_DIR"

// TestUIHelperProcess is the UI run by the tmux tests (it does nothing in a normal test run).
func TestUIHelperProcess(t *testing.T) {
	dir := os.Getenv(uiHelperDir)
	if dir == "" {
		t.Skip("run by the tmux tests only")
	}
	err := Run(context.Background(), Options{ConfigDir: dir, Who: "tmux test"})
	fmt.Printf("UI ENDED %v\n", err)
	os.Exit(0)
}

// TestTmuxFocusRereadsDevtron: in a real terminal (tmux, with a client attached so that its pane
// has the focus, and tmux's focus events on), the UI asks the terminal for focus reports, and when
// its pane gets the focus back it reads Devtron again: a push made on the command line meanwhile
// shows. Neither token is ever on the screen.
func TestTmuxFocusRereadsDevtron(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux is missing in CI")
		}
		t.Skip("tmux is not installed")
	}
	r := newDevtronRig(t)
	sock := fmt.Sprintf("gitopscfg-ui-%d-%d", os.Getpid(), time.Now().UnixNano())
	tmux := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("tmux", append([]string{"-L", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := fmt.Sprintf("env %s='%s' TERM=xterm-256color '%s' -test.run='^TestUIHelperProcess$'; sleep 30", uiHelperDir, r.s.Dir(), self)
	tmux("-f", "/dev/null", "new-session", "-d", "-s", "ui", "-x", "100", "-y", "30", cmd)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", sock, "kill-server").Run() })
	tmux("set-option", "-g", "focus-events", "on")
	tmux("new-window", "-d", "-t", "ui:1")
	// a client attached on a terminal of its own: its window's active pane has the focus
	attach := exec.Command("tmux", "-L", sock, "attach-session", "-t", "ui:0")
	attach.Env = append(os.Environ(), "TERM=xterm-256color")
	tty, err := pty.StartWithSize(attach, &pty.Winsize{Cols: 100, Rows: 31})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.Copy(io.Discard, tty) }()
	t.Cleanup(func() {
		_ = attach.Process.Kill()
		_ = attach.Wait()
		_ = tty.Close()
	})
	var last string
	waitScreen := func(what string, ok func(string) bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			last = tmux("capture-pane", "-p", "-t", "ui:0")
			for _, tok := range []string{devtronCanaryUI, tokPass} {
				if strings.Contains(last, tok) || strings.Contains(last, tok[:len(tok)/2]) {
					t.Fatalf("a token is on the screen:\n%s", last)
				}
			}
			if ok(last) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the screen never showed %s; last screen:\n%s", what, last)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitScreen("the comparison", func(s string) bool { return strings.Count(s, "Devtron: not there") == 3 })
	r.push(t, providers.GitHub, false) // the command line pushes GitHub meanwhile
	// the admin looks at another window, then comes back
	tmux("select-window", "-t", "ui:1")
	tmux("select-window", "-t", "ui:0")
	waitScreen("GitHub in sync after the focus came back", func(s string) bool {
		return strings.Contains(rowOf(s, "GitHub"), "Devtron: in sync, active there") && strings.Contains(s, "active there: github")
	})
	tmux("send-keys", "-t", "ui:0", "q")
	waitScreen("the end", func(s string) bool { return strings.Contains(s, "UI ENDED <nil>") })
}
