package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// sshServer is a real `gitopscfg serve` process on loopback.
type sshServer struct {
	cmd     *exec.Cmd
	addr    string
	dir     string
	key     gossh.Signer
	keyPath string
	stderr  *kit.Buffer
}

var servingRe = regexp.MustCompile(`serving on (127\.0\.0\.1:\d+)`)

// startServe configures a store against the emulators (GitHub and GitLab, GitHub active) and
// starts `gitopscfg serve` with one authorised key.
func startServe(t testing.TB, emu *fake.Emulators, extra ...string) *sshServer {
	return startServeWith(t, emu, "", extra...)
}

// startServeWith is startServe with a passphrase-protected store when passphrase is not empty.
func startServeWith(t testing.TB, emu *fake.Emulators, passphrase string, extra ...string) *sshServer {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cfg")
	env := append(os.Environ(), "GITOPSCFG_PASSPHRASE="+passphrase)
	cli := func(stdin string, args ...string) {
		t.Helper()
		if r := gitopscfg(t, dir, stdin, []string{"GITOPSCFG_PASSPHRASE=" + passphrase}, args...); r.code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, r.code, r.out, r.err)
		}
	}
	if passphrase != "" {
		cli("", "init", "--passphrase")
	} else {
		cli("", "init")
	}
	for _, id := range []providers.ID{providers.GitHub, providers.GitLab} {
		c := emu.DemoCredentials(id)
		cli(c.Token, "set", string(id), "--host", c.Host, "--org", c.Org, "--username", c.Username, "--token-stdin", "--no-check")
	}
	cli("", "activate", "github")
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := gossh.NewSignerFromKey(priv)
	block, _ := gossh.MarshalPrivateKey(priv, "")
	keyPath := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(signer.PublicKey()))) + " alice@laptop\n"
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"--config-dir", dir, "serve", "--listen", "127.0.0.1:0"}, extra...)
	cmd := exec.Command(binaryPath(), args...)
	cmd.Env = env
	s := &sshServer{cmd: cmd, dir: dir, key: signer, keyPath: keyPath, stderr: &kit.Buffer{}}
	pr, pw := io.Pipe()
	cmd.Stderr = io.MultiWriter(s.stderr, pw)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if m := servingRe.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case s.addr = <-found:
	case <-time.After(20 * time.Second):
		t.Fatalf("the server did not start: %s", s.stderr.String())
	}
	return s
}

func (s *sshServer) dial(t testing.TB) *gossh.Client {
	t.Helper()
	c, err := gossh.Dial("tcp", s.addr, &gossh.ClientConfig{User: "admin", Auth: []gossh.AuthMethod{gossh.PublicKeys(s.key)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	return c
}

// screen is an interactive SSH session with a terminal; its output is kept for polling.
type screen struct {
	sess  *gossh.Session
	stdin io.Writer
	out   *kit.Buffer
	// term is the screen as the client's terminal shows it.
	term *kit.Term
}

func (s *sshServer) openScreen(t testing.TB, c *gossh.Client) *screen {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty(os.Getenv("GITOPSCFG_TEST_TERM"), 40, 120, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	stdin, _ := sess.StdinPipe()
	out, term := &kit.Buffer{}, kit.NewTerm(120, 40)
	sess.Stdout, sess.Stderr = io.MultiWriter(out, term), io.MultiWriter(out, term)
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	return &screen{sess: sess, stdin: stdin, out: out, term: term}
}

func (sc *screen) waitFor(t testing.TB, want string, within time.Duration) {
	t.Helper()
	if sc.out.WaitFor(want, within) {
		return
	}
	t.Fatalf("%q did not appear within %s; screen so far: %q", want, within, kit.Tail(sc.out.String(), 3000))
}

// needSSH skips the test when OpenSSH's client is not installed, and fails it in CI, which
// installs it.
func needSSH(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("ssh"); err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("ssh is not installed (CI installs it and runs this test)")
		}
		t.Fatal("ssh is missing in CI")
	}
}

// pickerMarker is text only the picker shows.
const pickerMarker = "Bitbucket Cloud"

func TestServeAuthorisedKeySeesThePicker(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	s := startServe(t, emu)
	c := s.dial(t)
	defer c.Close()
	sc := s.openScreen(t, c)
	sc.waitFor(t, pickerMarker, 10*time.Second)
	sc.waitFor(t, "✓", time.Second)
}

func TestServeRefusesUnknownKeysAndPasswords(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	s := startServe(t, emu)
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	otherSigner, _ := gossh.NewSignerFromKey(other)
	for name, auth := range map[string]gossh.AuthMethod{"unknown key": gossh.PublicKeys(otherSigner), "password": gossh.Password("secret")} {
		_, err := gossh.Dial("tcp", s.addr, &gossh.ClientConfig{User: "admin", Auth: []gossh.AuthMethod{auth},
			HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
		if err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestServeCheckJSONOverSSH(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	s := startServe(t, emu)
	c := s.dial(t)
	defer c.Close()
	run := func(cmd string) (string, int) {
		out, errs, code := runSSH(t, c, cmd)
		return out + errs, code
	}
	out, code := run("check --all --json")
	var doc struct {
		Results []struct {
			Provider string `json:"provider"`
			OK       bool   `json:"ok"`
			Active   bool   `json:"active"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 0 || len(doc.Results) != 2 || !doc.Results[0].OK || !doc.Results[0].Active {
		t.Fatalf("check --all --json: exit %d, %v, %s", code, err, out)
	}
	if strings.Contains(out, fake.GitHubTokenFull) || strings.Contains(out, fake.GitLabTokenFull) {
		t.Fatal("a token leaked into the output")
	}
	if out, code := run("check azure"); code != 1 || !strings.Contains(out, "not configured") {
		t.Fatalf("check azure: %d %s", code, out)
	}
	if out, code := run("status --json"); code != 0 || !strings.Contains(out, `"revision"`) {
		t.Fatalf("status --json: %d %s", code, out)
	}
	if out, code := run("remove github"); code != 2 || !strings.Contains(out, "runs only") {
		t.Fatalf("remove over ssh: %d %s", code, out)
	}
	if out, code := run("check --config-dir /tmp"); code != 2 {
		t.Fatalf("--config-dir over ssh: %d %s", code, out)
	}
}

// runSSH runs cmd in a session without a terminal on c: its stdout and stderr, and exit status.
func runSSH(t *testing.T, c *gossh.Client, cmd string) (string, string, int) {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	var out, errb bytes.Buffer
	sess.Stdout, sess.Stderr = &out, &errb
	err = sess.Run(cmd)
	code := 0
	if ee, ok := err.(*gossh.ExitError); ok {
		code = ee.ExitStatus()
	} else if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	return out.String(), errb.String(), code
}

// TestServeSSHHelpListsOnlySessionFlags: over SSH, check's and status's help list the flags a
// session may give, and neither lists nor mentions --output, --config-dir or --demo.
func TestServeSSHHelpListsOnlySessionFlags(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	s := startServe(t, emu)
	c := s.dial(t)
	defer c.Close()
	for cmd, want := range map[string][]string{
		"check --help": {"--all", "--json", "--format", "--timeout", "--deep", "--warn-expiry", "--fail-expiry", "--devtron"},
		"status -h":    {"--json"},
	} {
		out, errOut, code := runSSH(t, c, cmd)
		if code != 0 || errOut != "" {
			t.Fatalf("%s over SSH: exit %d, %q", cmd, code, errOut)
		}
		for _, flag := range want {
			if !strings.Contains(out, flag) {
				t.Errorf("%s over SSH lacks %s:\n%s", cmd, flag, out)
			}
		}
		for _, never := range []string{"--output", "--config-dir", "--demo"} {
			if strings.Contains(out, never) {
				t.Errorf("%s over SSH shows %s:\n%s", cmd, never, out)
			}
		}
	}
}

// TestServeSSHLogsSessions: serve logs every session without a terminal, as it logs a refused
// key: the key's SHA-256 fingerprint, the command (verb, flag names, provider) and the exit
// status, a refused command too; never a flag's value or another argument.
func TestServeSSHLogsSessions(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	s := startServe(t, emu)
	c := s.dial(t)
	defer c.Close()
	key := "ip=127.0.0.1 fingerprint=" + gossh.FingerprintSHA256(s.key.PublicKey())
	for _, r := range []struct {
		cmd  string
		code int
		log  string
	}{
		{"check github --json --timeout 47s", 0, `msg=session ` + key + ` command="check github --json --timeout" exit_status=0`},
		{"check bitbucket", 1, `msg=session ` + key + ` command="check bitbucket" exit_status=1`},
		{"status", 0, `msg=session ` + key + ` command=status exit_status=0`},
		{"check ghp_NOTATOKEN0000", 2, `msg=session ` + key + ` command="check ?" exit_status=2`},
		{"check --output /tmp/NOTAFILE", 2, `msg="session refused" ` + key + ` command="check --output" exit_status=2`},
		{"remove github", 2, `msg="session refused" ` + key + ` command="remove github" exit_status=2`},
	} {
		if _, errOut, code := runSSH(t, c, r.cmd); code != r.code {
			t.Fatalf("%s over SSH: exit %d, want %d: %s", r.cmd, code, r.code, errOut)
		}
		if !s.stderr.WaitFor(r.log, 10*time.Second) {
			t.Fatalf("%s: serve did not log %s:\n%s", r.cmd, r.log, s.stderr.String())
		}
	}
	for _, never := range []string{"47s", "NOTATOKEN", "NOTAFILE"} {
		if strings.Contains(s.stderr.String(), never) {
			t.Fatalf("an argument (%s) reached serve's log:\n%s", never, s.stderr.String())
		}
	}
}

func TestServeWithOpenSSHClient(t *testing.T) {
	t.Parallel()
	needSSH(t)
	emu := kit.Emulators(t, fake.Options{})
	s := startServe(t, emu)
	host, port, _ := strings.Cut(s.addr, ":")
	sshArgs := func(key string, extra ...string) []string {
		return append([]string{"-F", "/dev/null", "-p", port, "-i", key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
			"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
			"-o", "PasswordAuthentication=no", "admin@" + host}, extra...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ssh", sshArgs(s.keyPath, "check", "github", "--json")...).CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"ok": true`) {
		t.Fatalf("ssh check --json: %v %s", err, out)
	}
	// A failing check's exit status comes back through ssh.
	out, err = exec.CommandContext(ctx, "ssh", sshArgs(s.keyPath, "check", "bitbucket")...).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("ssh check bitbucket: %v %s", err, out)
	}
	// An unknown key is refused.
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	block, _ := gossh.MarshalPrivateKey(other, "")
	otherPath := filepath.Join(t.TempDir(), "other")
	_ = os.WriteFile(otherPath, pem.EncodeToMemory(block), 0o600)
	out, err = exec.CommandContext(ctx, "ssh", sshArgs(otherPath, "status")...).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "Permission denied") {
		t.Fatalf("unknown key through ssh: %v %s", err, out)
	}
	// With a terminal (-tt), the picker appears.
	cmd := exec.CommandContext(ctx, "ssh", append([]string{"-tt"}, sshArgs(s.keyPath)...)...)
	stdin, _ := cmd.StdinPipe()
	buf := &kit.Buffer{}
	cmd.Stdout, cmd.Stderr = buf, buf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	// A busy machine (the whole suite under -race) can take a while to draw the first frame: the
	// deadline only bounds a hang.
	if !buf.WaitFor(pickerMarker, 45*time.Second) {
		t.Fatalf("no picker through OpenSSH: %q", kit.Tail(buf.String(), 2000))
	}
	fmt.Fprint(stdin, "q")
}

var ansiRe = regexp.MustCompile(`\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\a\x1b]*(\a|\x1b\\)|\x1b[PX^_][^\x1b]*\x1b\\|\x1b[()][0-9A-Za-z]|\x1b[=>78DEHMc]`)

// plain is the session's output without escape sequences.
func (sc *screen) plain() string { return ansiRe.ReplaceAllString(sc.out.String(), "") }

func (sc *screen) waitForText(t testing.TB, want string, within time.Duration) {
	t.Helper()
	if sc.out.WaitUntil(func(out string) bool { return strings.Contains(ansiRe.ReplaceAllString(out, ""), want) }, within) {
		return
	}
	t.Fatalf("%q did not appear within %s; screen so far: %q", want, within, kit.Tail(sc.plain(), 3000))
}

// press sends keys to the UI. Keys are handled in order; a key whose effect the next one depends
// on across a screen change is followed by a wait on the screen (waitForText, replaceToken).
func (sc *screen) press(keys ...string) {
	for _, k := range keys {
		fmt.Fprint(sc.stdin, k)
	}
}

const (
	keyTab   = "\t"
	keyEnter = "\r"
	keyCtrlU = "\x15"
	keyCtrlS = "\x13"
)

// replaceToken moves the editor's focus to its token field, as the screen shows it, and types a
// new token there. huh moves the focus with a command round trip, so each Tab is followed by a
// wait for the focus to move: a key sent earlier would go to the field before.
func (sc *screen) replaceToken(t testing.TB, token string) {
	t.Helper()
	focus := ""
	if !sc.term.WaitUntil(func(screen string) bool { focus = kit.Focused(screen); return focus != "" }, 10*time.Second) {
		t.Fatalf("no field has the focus; screen:\n%s", sc.term.Screen())
	}
	for range 8 {
		if strings.Contains(strings.ToLower(focus), "token") {
			fmt.Fprint(sc.stdin, keyCtrlU+token)
			return
		}
		before := focus
		fmt.Fprint(sc.stdin, keyTab)
		if !sc.term.WaitUntil(func(screen string) bool { focus = kit.Focused(screen); return focus != before && focus != "" }, 10*time.Second) {
			t.Fatalf("the focus did not leave %q after a Tab; screen:\n%s", before, sc.term.Screen())
		}
	}
	t.Fatalf("no token field within 8 Tabs; screen:\n%s", sc.term.Screen())
}

type auditDoc struct {
	Revision int `json:"revision"`
	Audit    []struct {
		Who      string   `json:"who"`
		Action   string   `json:"action"`
		Provider string   `json:"provider"`
		Fields   []string `json:"fields"`
	} `json:"audit"`
	Providers []struct {
		Provider  string `json:"provider"`
		TokenHint string `json:"token_hint"`
	} `json:"providers"`
}

func (s *sshServer) status(t testing.TB) auditDoc {
	t.Helper()
	out := mustRun(t, s.dir, "", "status", "--json").out
	var d auditDoc
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// savedBy reports whether the audit trail has a token change of provider by an SSH key.
func (d auditDoc) savedBy(provider, whoPrefix string) bool {
	for _, e := range d.Audit {
		if e.Provider == provider && strings.HasPrefix(e.Who, whoPrefix) && slicesContains(e.Fields, "token") {
			return true
		}
	}
	return false
}

func slicesContains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// twoPickers starts a server against the emulators and opens two sessions on its picker.
func twoPickers(t *testing.T) (*sshServer, *screen, *screen) {
	t.Helper()
	emu := kit.Emulators(t, fake.Options{})
	s := startServe(t, emu)
	var screens [2]*screen
	for i := range screens {
		c := s.dial(t)
		t.Cleanup(func() { c.Close() })
		screens[i] = s.openScreen(t, c)
		screens[i].waitForText(t, pickerMarker, 10*time.Second)
	}
	return s, screens[0], screens[1]
}

// TestServeConcurrentSessionsEditDifferentProviders: two sessions save different providers at
// the same time; both saves survive, each recorded with the session's key fingerprint.
func TestServeConcurrentSessionsEditDifferentProviders(t *testing.T) {
	t.Parallel()
	s, a, b := twoPickers(t)

	a.press(keyEnter) // GitHub
	b.press("j", keyEnter)
	a.waitForText(t, "GitHub Organisation Name", 5*time.Second)
	b.waitForText(t, "GitLab Group ID", 5*time.Second)
	a.replaceToken(t, fake.GitHubTokenNoAdminOrg)
	b.replaceToken(t, fake.GitLabTokenAPIOnly)
	a.waitForText(t, "not granted", 10*time.Second) // the live check ran on the new token
	b.waitForText(t, "covered by api", 10*time.Second)
	a.press(keyCtrlS)
	b.press(keyCtrlS)
	a.waitForText(t, "Saved GitHub", 10*time.Second)
	b.waitForText(t, "Make GitLab the active provider?", 10*time.Second)
	b.press("n")
	b.waitForText(t, "Saved GitLab", 10*time.Second)

	d := s.status(t)
	who := "ssh:" + gossh.FingerprintSHA256(s.key.PublicKey()) + " (alice@laptop)"
	if !d.savedBy("github", who) || !d.savedBy("gitlab", who) {
		t.Fatalf("a save was lost or not attributed to the SSH key: %+v", d.Audit)
	}
	for _, p := range d.Providers[:2] {
		want := map[string]string{"github": fake.GitHubTokenNoAdminOrg, "gitlab": fake.GitLabTokenAPIOnly}[p.Provider]
		if p.TokenHint != providers.TokenHint(want) {
			t.Errorf("%s token hint %q; want %q", p.Provider, p.TokenHint, providers.TokenHint(want))
		}
	}
}

// TestServeConflictingSaveLosesNothing: one session saves a provider while another holds an older
// revision of it; the second's save reports the conflict, keeps its edits, and saves them on top
// when asked.
func TestServeConflictingSaveLosesNothing(t *testing.T) {
	t.Parallel()
	s, a, b := twoPickers(t)

	a.press(keyEnter) // A opens GitHub...
	a.waitForText(t, "GitHub Organisation Name", 5*time.Second)
	a.replaceToken(t, fake.GitHubTokenExpiringSoon)
	a.waitForText(t, "GitOps stops working then", 10*time.Second)

	b.press(keyEnter) // ...while B opens it too and saves first
	b.waitForText(t, "GitHub Organisation Name", 5*time.Second)
	b.replaceToken(t, fake.GitHubTokenNoAdminOrg)
	b.waitForText(t, "not granted", 10*time.Second)
	b.press(keyCtrlS)
	b.waitForText(t, "Saved GitHub", 10*time.Second)

	a.press(keyCtrlS)
	a.waitForText(t, "Someone else saved", 10*time.Second)
	if d := s.status(t); d.Providers[0].TokenHint != providers.TokenHint(fake.GitHubTokenNoAdminOrg) {
		t.Fatalf("the conflicting save overwrote the other session's: %+v", d.Providers[0])
	}
	a.press(keyCtrlS) // the edits were kept: save them on top
	a.waitForText(t, "Saved GitHub", 10*time.Second)
	d := s.status(t)
	if d.Providers[0].TokenHint != providers.TokenHint(fake.GitHubTokenExpiringSoon) {
		t.Fatalf("the kept edits were not saved: %+v", d.Providers[0])
	}
	n := 0
	for _, e := range d.Audit {
		if e.Provider == "github" && strings.HasPrefix(e.Who, "ssh:") && slicesContains(e.Fields, "token") {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("want both sessions' saves in the audit trail, got %d: %+v", n, d.Audit)
	}
}

func TestServeIdleTimeoutAndMaxSessions(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	s := startServe(t, emu, "--idle-timeout", "1s", "--max-sessions", "1")
	c := s.dial(t)
	defer c.Close()
	first := s.openScreen(t, c)
	first.waitForText(t, pickerMarker, 10*time.Second)
	second := s.openScreen(t, c)
	second.waitForText(t, "too many sessions (at most 1)", 5*time.Second)
	first.waitForText(t, "session closed after 1s without input", 5*time.Second)
}

// TestServePassphraseStoreIsUnlockedOnceAtStart: the server unlocks a passphrase store at start;
// sessions reach the picker and run checks without ever being asked for the passphrase.
func TestServePassphraseStoreIsUnlockedOnceAtStart(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	s := startServeWith(t, emu, "correct horse battery staple")
	c := s.dial(t)
	defer c.Close()
	sc := s.openScreen(t, c)
	sc.waitForText(t, pickerMarker, 10*time.Second)
	if strings.Contains(strings.ToLower(sc.plain()), "passphrase") {
		t.Fatal("a session was asked for the passphrase")
	}
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := sess.CombinedOutput("check github --json")
	if err != nil || !strings.Contains(string(out), `"ok": true`) {
		t.Fatalf("check over ssh on a passphrase store: %v %s", err, out)
	}
}
