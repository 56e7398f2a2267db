package server

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	gossh "golang.org/x/crypto/ssh"

	"gitopscfg/e2e/kit"
)

// dialFrom opens a raw TCP connection to addr from the loopback address src (127.0.0.0/8 all
// reach a server on 127.0.0.1), standing for another client machine.
func dialFrom(t *testing.T, src, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// closedWithin reads from c until the server closes it; it fails when that takes over within.
func closedWithin(t *testing.T, c net.Conn, within time.Duration) []byte {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(within))
	b, err := io.ReadAll(c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the connection from %s is still open after %s (read %q)", c.LocalAddr(), within, b)
	}
	return b
}

// settle opens and closes a session on c: once the server answers on a channel it has registered
// the connection, so a Shutdown at the test's end cannot race the registration in charm.land/ssh
// (its WaitGroup Add after a Wait has begun).
func settle(t *testing.T, c *gossh.Client) {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	sess.Close()
}

func waitCount(t *testing.T, s *Server, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.pending.count() != want {
		if time.Now().After(deadline) {
			t.Fatalf("%d unauthenticated connections, want %d", s.pending.count(), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A client that never completes its login is disconnected after LoginGrace.
func TestLoginGraceDisconnectsSilentClients(t *testing.T) {
	t.Parallel()
	f := start(t, func(o *Options) { o.LoginGrace = 300 * time.Millisecond })
	c := dialFrom(t, "127.0.0.1", f.addr)
	start := time.Now()
	got := closedWithin(t, c, 10*time.Second)
	if !bytes.HasPrefix(got, []byte("SSH-2.0-")) {
		t.Errorf("read %q, want the server's version line before the close", got)
	}
	if d := time.Since(start); d < 250*time.Millisecond { // the server starts its clock at accept, a little before Dial returns
		t.Errorf("closed after %s, before the grace time", d)
	}
	waitCount(t, f.srv, 0)
	// A real login within the grace time is unaffected, and the session outlives it.
	cl, err := dial(f.addr, gossh.PublicKeys(f.alice))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	_, _, buf := openPty(t, cl)
	waitFor(t, buf, "test-model for", 5*time.Second)
	time.Sleep(500 * time.Millisecond) // past the grace time: the session must still be served
	sess, err := cl.NewSession()
	if err != nil {
		t.Fatalf("the authenticated connection was cut after the grace time: %v", err)
	}
	sess.Close()
}

// Connections that have not authenticated are capped per address and in all: the ones beyond
// are closed at once, and an admin from another address still gets in.
func TestUnauthenticatedConnectionsAreCapped(t *testing.T) {
	t.Parallel()
	f := start(t, func(o *Options) {
		o.LoginGrace = time.Minute
		o.MaxUnauthenticatedPerIP = 3
		o.MaxUnauthenticated = 5
	})
	var silent []net.Conn
	for range 3 {
		silent = append(silent, dialFrom(t, "127.0.0.2", f.addr))
	}
	waitCount(t, f.srv, 3)
	extra := dialFrom(t, "127.0.0.2", f.addr)
	if got := closedWithin(t, extra, 5*time.Second); len(got) != 0 {
		t.Errorf("the 4th silent connection from one address got %q, want an immediate close", got)
	}
	// An admin from elsewhere is not locked out, and once authenticated no longer counts.
	cl, err := dial(f.addr, gossh.PublicKeys(f.alice))
	if err != nil {
		t.Fatalf("admin locked out by silent clients: %v", err)
	}
	defer cl.Close()
	settle(t, cl)
	waitCount(t, f.srv, 3)
	// The total cap.
	silent = append(silent, dialFrom(t, "127.0.0.3", f.addr), dialFrom(t, "127.0.0.4", f.addr))
	waitCount(t, f.srv, 5)
	if got := closedWithin(t, dialFrom(t, "127.0.0.5", f.addr), 5*time.Second); len(got) != 0 {
		t.Errorf("a connection beyond the total cap got %q", got)
	}
	for _, c := range silent {
		c.Close()
	}
	waitCount(t, f.srv, 0)
	last, err := dial(f.addr, gossh.PublicKeys(f.alice))
	if err != nil {
		t.Fatalf("after the silent clients left: %v", err)
	}
	settle(t, last)
	last.Close()
}

// sizeModel reports every window size its program is given.
type sizeModel struct{ sizes chan<- tea.WindowSizeMsg }

func (m sizeModel) Init() tea.Cmd { return nil }
func (m sizeModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if ws, ok := msg.(tea.WindowSizeMsg); ok {
		m.sizes <- ws
	}
	return m, nil
}
func (m sizeModel) View() tea.View { return tea.NewView("sized") }

// The UI is never drawn larger than MaxPtyWidth × MaxPtyHeight, whatever the client requests.
func TestPtySizeIsClamped(t *testing.T) {
	t.Parallel()
	sizes := make(chan tea.WindowSizeMsg, 16)
	f := start(t, func(o *Options) { o.NewModel = func(string) tea.Model { return &sizeModel{sizes} } })
	cl, err := dial(f.addr, gossh.PublicKeys(f.alice))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	sess, err := cl.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm", 10000, 10000, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	sess.Stdout = io.Discard
	stdin, _ := sess.StdinPipe()
	defer stdin.Close()
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	next := func() tea.WindowSizeMsg {
		select {
		case ws := <-sizes:
			return ws
		case <-time.After(10 * time.Second):
			t.Fatal("no window size reached the UI")
		}
		return tea.WindowSizeMsg{}
	}
	if ws := next(); ws.Width != MaxPtyWidth || ws.Height != MaxPtyHeight {
		t.Errorf("initial size %dx%d, want %dx%d", ws.Width, ws.Height, MaxPtyWidth, MaxPtyHeight)
	}
	// Bubble Tea drops sizes over 4096 or 2^20 cells; the ones below are clamped.
	if err := sess.WindowChange(250, 4000); err != nil { // rows, columns
		t.Fatal(err)
	}
	if ws := next(); ws.Width != MaxPtyWidth || ws.Height != MaxPtyHeight {
		t.Errorf("after a window change to 4000x250: %dx%d", ws.Width, ws.Height)
	}
	if err := sess.WindowChange(20000, 30000); err != nil {
		t.Fatal(err)
	}
	if err := sess.WindowChange(30, 100); err != nil { // rows, columns
		t.Fatal(err)
	}
	if ws := next(); ws.Width != 100 || ws.Height != 30 {
		t.Errorf("an ordinary size is changed: %dx%d", ws.Width, ws.Height)
	}
}

// A 70 KB line in authorized_keys is skipped with a logged warning; the keys after it still work.
func TestLongAuthorizedKeysLineSkipped(t *testing.T) {
	t.Parallel()
	var logs kit.Buffer
	f := start(t, func(o *Options) { o.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	bob := authorizedLine(f.bob, "bob@desk")
	content := "# admins\nssh-ed25519 " + strings.Repeat("A", 70000) + " junk\n" + bob
	if err := os.WriteFile(filepath.Join(f.dir, "authorized_keys"), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	cl, err := dial(f.addr, gossh.PublicKeys(f.bob))
	if err != nil {
		t.Fatalf("the key after a 70 KB line is ignored: %v", err)
	}
	settle(t, cl)
	cl.Close()
	if w := logs.String(); !strings.Contains(w, "line 2 is 70017 bytes long") || !strings.Contains(w, "the lines after it are read") {
		t.Errorf("no warning about the long line: %q", w)
	}
}

// An authorized_keys comment with escape sequences reaches the audit identity (and so status and
// other admins' screens) escaped, never raw.
func TestKeyCommentIsEscaped(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	evil := "evil\x1b]0;PWNED\x07\x1b[2J\u202eyxz\u200b\x9b"
	if err := os.WriteFile(filepath.Join(f.dir, "authorized_keys"), []byte(authorizedLine(f.alice, evil)), 0o600); err != nil {
		t.Fatal(err)
	}
	cl, err := dial(f.addr, gossh.PublicKeys(f.alice))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	sess, _ := cl.NewSession()
	_, _ = sess.CombinedOutput("status")
	who := <-f.who
	if strings.ContainsAny(who, "\x1b\x07\u202e\u200b\u009b") {
		t.Fatalf("who carries raw control characters: %q", who)
	}
	if !strings.Contains(who, `(evil\x1b]0;PWNED\a\x1b[2J\u202eyxz\u200b\x9b)`) {
		t.Errorf("who = %q, want the comment visibly escaped", who)
	}
}

func TestDisplayComment(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"alice@laptop": "alice@laptop", "a\x1bb": `a\x1bb`, "\xff": `\xff`,
		"über": "über", "x\u2066y": `x\u2066y`, "\u2028": `\u2028`,
	} {
		if got := displayComment(in); got != want {
			t.Errorf("displayComment(%q) = %q, want %q", in, got, want)
		}
	}
	if got := displayComment(strings.Repeat("é", 300)); len([]rune(got)) != maxCommentRunes+1 {
		t.Errorf("a long comment is not cut: %d runes", len([]rune(got)))
	}
}

var _ = fmt.Sprint
