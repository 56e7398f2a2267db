package e2e

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"gitopscfg/e2e/kit"
)

// TestTokenTypedOnATerminalIsNotEchoed runs `set --token-stdin` in a real terminal (tmux) and
// types the token: it is saved, and never shown on the screen.
func TestTokenTypedOnATerminalIsNotEchoed(t *testing.T) {
	needTmux(t)
	t.Parallel()
	dir := initStore(t)
	sock := dir + "/tmux.sock"
	tmux := func(args ...string) string {
		out, err := exec.Command("tmux", append([]string{"-S", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v %s", args, err, out)
		}
		return string(out)
	}
	tmux("new-session", "-d", "-s", "t", "-x", "100", "-y", "10",
		binaryPath()+" --config-dir "+dir+" set github --org acme --username u --token-stdin --no-check; sleep 30")
	defer exec.Command("tmux", "-S", sock, "kill-server").Run()
	screen := func(want string) string {
		deadline := time.Now().Add(20 * time.Second)
		for {
			s := tmux("capture-pane", "-p", "-t", "t")
			if strings.Contains(s, want) || time.Now().After(deadline) {
				return s
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	if s := screen("Token (not shown)"); !strings.Contains(s, "Token (not shown)") {
		t.Fatalf("no token prompt:\n%s", s)
	}
	tmux("send-keys", "-t", "t", "-l", kit.Canary)
	tmux("send-keys", "-t", "t", "Enter")
	s := screen("Saved GitHub")
	if !strings.Contains(s, "Saved GitHub") || strings.Contains(s, kit.Canary[4:12]) {
		t.Fatalf("the token was echoed or not saved:\n%s", s)
	}
}
