package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	gossh "golang.org/x/crypto/ssh"

	"gitopscfg/e2e/kit"
)

// testModel stands in for the UI: it shows who it serves and quits on q.
type testModel struct{ who string }

func (m testModel) Init() tea.Cmd { return nil }
func (m testModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "q" {
		return m, tea.Quit
	}
	return m, nil
}
func (m testModel) View() tea.View { return tea.NewView("test-model for " + m.who) }

type fixture struct {
	srv   *Server
	addr  string
	dir   string
	alice gossh.Signer
	bob   gossh.Signer
	who   chan string
}

func newSigner(t *testing.T) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func authorizedLine(s gossh.Signer, comment string) string {
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey()))) + " " + comment + "\n"
}

func start(t *testing.T, mutate func(*Options)) *fixture {
	t.Helper()
	f := &fixture{dir: t.TempDir(), alice: newSigner(t), bob: newSigner(t), who: make(chan string, 16)}
	if err := os.WriteFile(filepath.Join(f.dir, "authorized_keys"), []byte("# admins\n"+authorizedLine(f.alice, "alice@laptop")), 0o600); err != nil {
		t.Fatal(err)
	}
	opts := Options{
		HostKeyPath:        filepath.Join(f.dir, "host_key"),
		AuthorizedKeysPath: filepath.Join(f.dir, "authorized_keys"),
		MaxSessions:        8,
		Version:            "test",
		NewModel:           func(who string) tea.Model { return testModel{who: who} },
		Policy:             testPolicy,
		RunCommand: func(_ context.Context, who string, args []string, out, errOut io.Writer) int {
			f.who <- who
			fmt.Fprintf(out, "ran %s\n", strings.Join(args, " "))
			if len(args) > 1 && args[1] == "fail" {
				return 1
			}
			return 0
		},
	}
	if mutate != nil {
		mutate(&opts)
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	f.srv, f.addr = srv, ln.Addr().String()
	return f
}

// testPolicy stands in for the cli's SSH policy: it allows status and check with any argument,
// and logs of a command its verb and the arguments that start with "--", cut at "=".
func testPolicy(args []string) (string, error) {
	var logged []string
	for i, a := range args {
		if i == 0 || strings.HasPrefix(a, "--") {
			name, _, _ := strings.Cut(a, "=")
			logged = append(logged, name)
		}
	}
	if len(args) == 0 || (args[0] != "status" && args[0] != "check") {
		return strings.Join(logged, " "), errors.New("this test server runs only `status [--json]` and `check`")
	}
	return strings.Join(logged, " "), nil
}

func dial(addr string, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User: "admin", Auth: auth, HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second,
	})
}

func waitFor(t *testing.T, buf *kit.Buffer, want string, within time.Duration) {
	t.Helper()
	if !buf.WaitFor(want, within) {
		t.Fatalf("%q did not appear within %s; got %q", want, within, buf.String())
	}
}

// openPty starts an interactive session with a 120×40 terminal and returns its output buffer.
func openPty(t *testing.T, c *gossh.Client) (*gossh.Session, io.WriteCloser, *kit.Buffer) {
	t.Helper()
	return openPtySized(t, c, 120, 40)
}

// openPtySized is openPty with a terminal of width × height.
func openPtySized(t *testing.T, c *gossh.Client, width, height int) (*gossh.Session, io.WriteCloser, *kit.Buffer) {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", height, width, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	stdin, _ := sess.StdinPipe()
	buf := &kit.Buffer{}
	sess.Stdout, sess.Stderr = buf, buf
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	return sess, stdin, buf
}

func TestAuthorisedKeySeesTheUIWithItsIdentity(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	c, err := dial(f.addr, gossh.PublicKeys(f.alice))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, stdin, buf := openPty(t, c)
	want := "test-model for ssh:" + gossh.FingerprintSHA256(f.alice.PublicKey()) + " (alice@laptop)"
	waitFor(t, buf, want, 5*time.Second)
	fmt.Fprint(stdin, "q")
}

func TestRefusedAuthentication(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	cases := map[string]gossh.AuthMethod{
		"unknown key": gossh.PublicKeys(f.bob),
		"password":    gossh.Password("hunter2"),
		"keyboard-interactive": gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) {
			return []string{"hunter2"}, nil
		}),
	}
	for name, auth := range cases {
		c, err := dial(f.addr, auth)
		if err == nil {
			c.Close()
			t.Errorf("%s: authenticated", name)
			continue
		}
		if !strings.Contains(err.Error(), "unable to authenticate") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestAuthorizedKeysAreReReadWhenTheyChange(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	if _, err := dial(f.addr, gossh.PublicKeys(f.bob)); err == nil {
		t.Fatal("bob is in before being authorised")
	}
	path := filepath.Join(f.dir, "authorized_keys")
	if err := os.WriteFile(path, []byte(authorizedLine(f.bob, "bob@desk")), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := dial(f.addr, gossh.PublicKeys(f.bob))
	if err != nil {
		t.Fatalf("bob after being added: %v", err)
	}
	c.Close()
	if _, err := dial(f.addr, gossh.PublicKeys(f.alice)); err == nil {
		t.Fatal("alice still gets in after her key was removed")
	}
}

func TestCommandsWithoutTerminal(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	c, err := dial(f.addr, gossh.PublicKeys(f.alice))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	run := func(cmd string) (string, int) {
		sess, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		defer sess.Close()
		out, err := sess.CombinedOutput(cmd)
		code := 0
		if ee, ok := err.(*gossh.ExitError); ok {
			code = ee.ExitStatus()
		} else if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		return string(out), code
	}
	if out, code := run("check --json"); code != 0 || out != "ran check --json\n" {
		t.Fatalf("check: %d %q", code, out)
	}
	if who := <-f.who; !strings.HasPrefix(who, "ssh:SHA256:") || !strings.HasSuffix(who, "(alice@laptop)") {
		t.Fatalf("who = %q", who)
	}
	if _, code := run("check fail"); code != 1 {
		t.Fatalf("a failing check exits %d; want 1", code)
	}
	for _, cmd := range []string{"", "rm -rf /", "set github --no-check", "serve"} {
		out, code := run(cmd)
		if code != 2 || !strings.Contains(out, "runs only `status [--json]` and `check") {
			t.Errorf("%q: exit %d, %q", cmd, code, out)
		}
	}
}

func TestMaxSessions(t *testing.T) {
	t.Parallel()
	f := start(t, func(o *Options) { o.MaxSessions = 2 })
	c, err := dial(f.addr, gossh.PublicKeys(f.alice))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for range 2 {
		_, _, buf := openPty(t, c)
		waitFor(t, buf, "test-model", 5*time.Second)
	}
	_, _, buf := openPty(t, c)
	waitFor(t, buf, "too many sessions (at most 2)", 5*time.Second)
}

func TestIdleTimeout(t *testing.T) {
	t.Parallel()
	f := start(t, func(o *Options) { o.IdleTimeout = 400 * time.Millisecond })
	c, err := dial(f.addr, gossh.PublicKeys(f.alice))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, stdin, buf := openPty(t, c)
	waitFor(t, buf, "test-model", 5*time.Second)
	// Typing keeps the session open past the timeout...
	for range 4 {
		time.Sleep(200 * time.Millisecond)
		fmt.Fprint(stdin, "x")
	}
	if strings.Contains(buf.String(), "without input") {
		t.Fatal("closed although the user was typing")
	}
	// ...silence closes it.
	waitFor(t, buf, "session closed after 400ms without input", 3*time.Second)
	done := make(chan error, 1)
	go func() { done <- sess.Wait() }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("the session stayed open after the idle timeout")
	}
}

func TestFailedAuthenticationIsRateLimited(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	var blockedAt int
	for i := 1; i <= 20; i++ {
		_, err := dial(f.addr, gossh.PublicKeys(f.bob))
		if err == nil {
			t.Fatal("unknown key authenticated")
		}
		if !strings.Contains(err.Error(), "unable to authenticate") {
			blockedAt = i // the connection was closed before authentication
			break
		}
	}
	if blockedAt == 0 || blockedAt > 12 {
		t.Fatalf("failures were not rate-limited (blocked at attempt %d)", blockedAt)
	}
	if _, err := dial(f.addr, gossh.PublicKeys(f.alice)); err == nil {
		t.Fatal("a blocked address still gets in, even with a good key")
	}
}

func TestHostKeyIsKeptAcrossRestarts(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	path := filepath.Join(f.dir, "host_key")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("host key mode %o; want 600", fi.Mode().Perm())
	}
	before, _ := os.ReadFile(path)
	if _, err := loadOrCreateHostKey(path); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatal("the host key changed on restart")
	}
	key, err := gossh.ParsePrivateKey(after)
	if err != nil || key.PublicKey().Type() != gossh.KeyAlgoED25519 {
		t.Fatalf("host key: %v %v", err, key)
	}
}

func TestShutdownTellsSessionsAndWaitsForSaves(t *testing.T) {
	t.Parallel()
	saving := make(chan struct{})
	drained := make(chan struct{})
	var once sync.Once
	f := start(t, func(o *Options) {
		o.Drain = func() {
			<-saving // a save in progress must finish before Shutdown goes on
			once.Do(func() { close(drained) })
		}
	})
	c, err := dial(f.addr, gossh.PublicKeys(f.alice))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, _, buf := openPty(t, c)
	waitFor(t, buf, "test-model", 5*time.Second)
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		shut <- f.srv.Shutdown(ctx)
	}()
	waitFor(t, buf, "the server is shutting down; your session was closed", 5*time.Second)
	select {
	case <-shut:
		t.Fatal("Shutdown returned while a save was in progress")
	case <-time.After(100 * time.Millisecond):
	}
	close(saving)
	<-drained
	_ = sess.Wait()
	c.Close()
	if err := <-shut; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if _, err := dial(f.addr, gossh.PublicKeys(f.alice)); err == nil {
		t.Fatal("the server still accepts connections after shutdown")
	}
}

// closingModel is a UI whose Close takes a while, like a round trip deleting its repository.
type closingModel struct {
	testModel
	closed chan struct{}
}

func (m closingModel) Close() {
	time.Sleep(300 * time.Millisecond)
	close(m.closed)
}

func TestShutdownWaitsForTheSessionsUIToClose(t *testing.T) {
	t.Parallel()
	closed := make(chan struct{})
	f := start(t, func(o *Options) {
		o.NewModel = func(who string) tea.Model { return closingModel{testModel{who: who}, closed} }
	})
	c, err := dial(f.addr, gossh.PublicKeys(f.alice))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _, buf := openPty(t, c)
	waitFor(t, buf, "test-model", 5*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = f.srv.Shutdown(ctx) // the client stays connected: Shutdown ends at the deadline
	select {
	case <-closed:
	default:
		t.Fatal("Shutdown returned before the session's UI was closed")
	}
}

func TestKeyOptionsAreEnforcedOrTheKeyRefused(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	carol := newSigner(t)
	content := "not a key at all\n" +
		`from="10.0.0.0/8" ` + authorizedLine(f.bob, "bob@elsewhere") +
		`command="/bin/true" ` + authorizedLine(carol, "carol@script") +
		`from="127.0.0.*,!192.168.1.1",expiry-time="29991231" ` + authorizedLine(f.alice, "alice@laptop")
	if err := os.WriteFile(filepath.Join(f.dir, "authorized_keys"), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := dial(f.addr, gossh.PublicKeys(f.bob)); err == nil {
		t.Fatal("a key allowed only from 10.0.0.0/8 got in from loopback")
	}
	if _, err := dial(f.addr, gossh.PublicKeys(carol)); err == nil {
		t.Fatal("a key with an unenforced command= option got in")
	}
	c, err := dial(f.addr, gossh.PublicKeys(f.alice))
	if err != nil {
		t.Fatalf("a key allowed from 127.0.0.* was refused: %v", err)
	}
	c.Close()
	keys, problems := parseAuthorizedKeys([]byte(content))
	if len(keys) != 2 || len(problems) != 2 || !strings.Contains(problems[1], "option command is not enforced") {
		t.Fatalf("keys %d, problems %q", len(keys), problems)
	}
}

func TestAuthorizedKeyAllows(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		options []string
		ip      string
		want    bool
	}{
		{nil, "203.0.113.7", true},
		{[]string{`from="203.0.113.0/24"`}, "203.0.113.7", true},
		{[]string{`from="203.0.113.0/24"`}, "198.51.100.1", false},
		{[]string{`from="203.0.113.*,!203.0.113.7"`}, "203.0.113.7", false},
		{[]string{`from="203.0.113.*,!203.0.113.7"`}, "203.0.113.8", true},
		{[]string{`from="gitops.example.com"`}, "203.0.113.7", false}, // host names never match (no DNS)
		{[]string{`expiry-time="20261124"`}, "203.0.113.7", false},
		{[]string{`expiry-time="202611251300Z"`}, "203.0.113.7", true},
		{[]string{`expiry-time="20261125115959Z"`}, "203.0.113.7", false},
	}
	for _, c := range cases {
		var k authorizedKey
		if err := parseKeyOptions(&k, c.options); err != nil {
			t.Fatalf("%v: %v", c.options, err)
		}
		if got := k.allows(c.ip, now); got != c.want {
			t.Errorf("%v from %s: %v; want %v", c.options, c.ip, got, c.want)
		}
	}
	for _, bad := range [][]string{{`expiry-time="tomorrow"`}, {"restrict"}, {"no-pty"}} {
		if err := parseKeyOptions(&authorizedKey{}, bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// A command still running at shutdown (a round trip) is cancelled when the connections are cut,
// and Shutdown waits for its clean-up before returning.
func TestShutdownWaitsForACommandsCleanUp(t *testing.T) {
	t.Parallel()
	started, finished := make(chan struct{}), make(chan struct{})
	f := start(t, func(o *Options) {
		o.RunCommand = func(ctx context.Context, _ string, _ []string, _, _ io.Writer) int {
			close(started)
			<-ctx.Done()
			time.Sleep(300 * time.Millisecond) // deleting the repository
			close(finished)
			return 1
		}
	})
	c, err := dial(f.addr, gossh.PublicKeys(f.alice))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = sess.Run("check --deep") }()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_ = f.srv.Shutdown(ctx)
	select {
	case <-finished:
	default:
		t.Fatal("Shutdown returned before the command's clean-up finished")
	}
}

// A client without a terminal of its own (ssh -tt from a script) asks for a 0×0 pty. That size
// also reaches the program as a message, racing its start-up size: drawn at 0×0, the screen would
// stay blank for the whole session.
func TestZeroSizedTerminalIsDrawnAt80x24(t *testing.T) {
	t.Parallel()
	for _, in := range []tea.WindowSizeMsg{{}, {Width: 0, Height: 40}, {Width: 120, Height: 0}, {Width: 9999, Height: 9999}} {
		got := clampWindow(nil, in).(tea.WindowSizeMsg)
		if got.Width <= 0 || got.Height <= 0 || got.Width > MaxPtyWidth || got.Height > MaxPtyHeight {
			t.Errorf("clampWindow(%dx%d) = %dx%d", in.Width, in.Height, got.Width, got.Height)
		}
	}
	f := start(t, nil)
	c, err := dial(f.addr, gossh.PublicKeys(f.alice))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The race is lost now and then: several sessions make a blank one likely.
	for range 8 {
		sess, stdin, buf := openPtySized(t, c, 0, 0)
		waitFor(t, buf, "test-model for", 10*time.Second)
		fmt.Fprint(stdin, "q")
		_ = sess.Wait()
	}
}
