package cli

import (
	"io"
	"strings"
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

// The proxy password, when the environment has none, is asked on the terminal without echo; the
// environment's wins over the terminal, and without a terminal the message names the variable.
func TestProxyPasswordIsAskedWithoutEcho(t *testing.T) {
	master, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer master.Close()
	defer tty.Close()
	const pw = "proxy-CANARY-password-0001"
	go func() { _, _ = io.WriteString(master, pw+"\r\n") }()
	w := &echoAt{fd: int(tty.Fd())}
	got, err := readProxyPassword(runDeps{IO: Streams{In: tty, Err: w}})
	if err != nil || got != pw {
		t.Fatalf("read %q, %v", got, err)
	}
	if len(w.echoed) == 0 || w.echoed[0] {
		t.Fatalf("the proxy password's prompt was printed while the terminal still echoed (%v)", w.echoed)
	}
	env := func(k string) string { return map[string]string{proxyPasswordEnv: "from-the-environment"}[k] }
	if got, err := readProxyPassword(runDeps{IO: Streams{In: tty, Err: w}, Getenv: env}); err != nil || got != "from-the-environment" {
		t.Fatalf("with %s set: %q, %v", proxyPasswordEnv, got, err)
	}
	if _, err := readProxyPassword(runDeps{IO: Streams{In: strings.NewReader(pw + "\n"), Err: io.Discard}}); err == nil ||
		!strings.Contains(err.Error(), proxyPasswordEnv) || strings.Contains(err.Error(), pw) {
		t.Fatalf("no terminal: %v", err)
	}
}
