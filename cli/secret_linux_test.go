package cli

import (
	"io"
	"testing"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// echoAt records whether the terminal echoed input at the moment the prompt was written.
type echoAt struct {
	fd     int
	echoed []bool
}

func (w *echoAt) Write(p []byte) (int, error) {
	st, err := unix.IoctlGetTermios(w.fd, unix.TCGETS)
	if err != nil {
		return 0, err
	}
	w.echoed = append(w.echoed, st.Lflag&unix.ECHO != 0)
	return len(p), nil
}

// The prompt for a secret shows only once echo is off: whatever is typed as soon as it shows is
// never echoed. Echo comes back afterwards.
func TestSecretPromptShowsOnlyOnceEchoIsOff(t *testing.T) {
	master, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer master.Close()
	defer tty.Close()
	go func() { _, _ = io.WriteString(master, canaryToken+"\r\n") }()
	w := &echoAt{fd: int(tty.Fd())}
	b, err := readSecret(tty, w, "Token (not shown): ")
	if err != nil || string(b) != canaryToken {
		t.Fatalf("read %q, %v", b, err)
	}
	if len(w.echoed) == 0 || w.echoed[0] {
		t.Fatalf("the prompt was printed while the terminal still echoed (echo at each write: %v)", w.echoed)
	}
	st, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil || st.Lflag&unix.ECHO == 0 {
		t.Fatalf("echo was not restored: %v", err)
	}
}

const canaryToken = "ghp_CANARYsecretPrompt0000000000000000"
