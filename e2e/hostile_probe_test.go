package e2e

// Probes of issue 10, "a hostile file system and hostile input" and "a hostile SSH client": each
// drives the real binary (and a real SSH client) and says whether the attack was handled. The file
// uses only the package's end-to-end helpers, so it also runs against older builds to count
// "before" and "after".

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers/fake"
)

type probe struct {
	name string
	run  func(t *testing.T) (handled bool, detail string)
}

var probesRun, probesHandled atomic.Int64

func runProbes(t *testing.T, category string, probes []probe) {
	var n, ok atomic.Int64
	t.Cleanup(func() { t.Logf("%s: %d probes, %d handled", category, n.Load(), ok.Load()) })
	for _, p := range probes {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			n.Add(1)
			probesRun.Add(1)
			handled, detail := p.run(t)
			if !handled {
				t.Errorf("not handled: %s", detail)
				return
			}
			ok.Add(1)
			probesHandled.Add(1)
			if detail != "" {
				t.Log(detail)
			}
		})
	}
}

// hiddenIn reports a raw control, bidi or zero-width character in s.
func hiddenIn(s string) (rune, bool) {
	for _, r := range s {
		if r == '\n' || r == '\t' {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || (r >= 0x200b && r <= 0x200f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0xfeff {
			return r, true
		}
	}
	return 0, false
}

// startWithPipe starts the binary with a stdin pipe kept open and returns once its output shows want.
func startWithPipe(t *testing.T, dir string, env []string, want string, args ...string) (*exec.Cmd, io.WriteCloser, *kit.Buffer) {
	t.Helper()
	cmd := exec.Command(binaryPath(), args...)
	cmd.Env = append([]string{"GITOPSCFG_CONFIG_DIR=" + dir, "HOME=" + dir, "PATH=" + os.Getenv("PATH")}, env...)
	stdin, _ := cmd.StdinPipe()
	out := &kit.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	if !out.WaitFor(want, 15*time.Second) {
		t.Fatalf("%q did not appear: %q", want, kit.Tail(out.String(), 2000))
	}
	return cmd, stdin, out
}

// waitExit waits for cmd to end within d and returns its exit code (-1: it did not end).
func waitExit(cmd *exec.Cmd, d time.Duration) int {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		if err != nil {
			return -2
		}
		return 0
	case <-time.After(d):
		_ = cmd.Process.Kill()
		return -1
	}
}

// boundedRun runs the binary with stdin and a deadline, keeping at most 1 MiB of output.
func boundedRun(t *testing.T, dir string, stdin io.Reader, env []string, d time.Duration, args ...string) (code int, out string, outBytes int64) {
	t.Helper()
	cmd := exec.Command(binaryPath(), args...)
	cmd.Env = append([]string{"GITOPSCFG_CONFIG_DIR=" + dir, "HOME=" + dir, "PATH=" + os.Getenv("PATH")}, env...)
	cmd.Stdin = stdin
	pr, pw, _ := os.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	var buf bytes.Buffer
	var total atomic.Int64
	copied := make(chan struct{})
	go func() {
		b := make([]byte, 32<<10)
		for {
			n, err := pr.Read(b)
			if total.Add(int64(n)) < 1<<20 {
				buf.Write(b[:n])
			}
			if err != nil {
				close(copied)
				return
			}
		}
	}()
	code = waitExit(cmd, d)
	<-copied // EOF: the process is gone, and with it the pipe's last writer
	pr.Close()
	return code, buf.String(), total.Load()
}

func TestHostileFileSystemAndInputProbes(t *testing.T) {
	t.Parallel()
	lonely := func(t *testing.T) (bool, string) {
		dir := initStore(t)
		key, _ := os.ReadFile(filepath.Join(dir, "identity.txt"))
		os.Remove(filepath.Join(dir, "config.age"))
		os.Remove(filepath.Join(dir, "config.age.bak"))
		r := gitopscfg(t, dir, "", nil, "init")
		after, _ := os.ReadFile(filepath.Join(dir, "identity.txt"))
		if !bytes.Equal(key, after) {
			return false, fmt.Sprintf("init replaced the lone key file (exit %d)", r.code)
		}
		return r.code == 2 && strings.Contains(r.err, "identity.txt"), fmt.Sprintf("exit %d: %s", r.code, r.err)
	}
	linked := func(name string) func(t *testing.T) (bool, string) {
		return func(t *testing.T) (bool, string) {
			dir := initStore(t)
			p := filepath.Join(dir, name)
			outside := filepath.Join(t.TempDir(), "outside-"+name)
			if b, err := os.ReadFile(p); err == nil && name != ".lock" {
				_ = os.WriteFile(outside, b, 0o600)
			}
			os.Remove(p)
			if err := os.Symlink(outside, p); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(outside)
			r := gitopscfg(t, dir, kit.Canary, nil, "set", "github", "--org", "acme", "--username", "u", "--token-stdin", "--no-check")
			after, err := os.ReadFile(outside)
			switch {
			case name == ".lock" && err == nil:
				return false, fmt.Sprintf("a file was created outside the config directory through %s (exit %d)", name, r.code)
			case name != ".lock" && !bytes.Equal(before, after):
				return false, "the file behind the link was changed"
			}
			return r.code == 2 && strings.Contains(r.err, "symbolic link"), fmt.Sprintf("exit %d: %s", r.code, r.err)
		}
	}
	shared := func(t *testing.T) (bool, string) {
		dir := filepath.Join(t.TempDir(), "tmp")
		_ = os.Mkdir(dir, 0o700)
		_ = os.Chmod(dir, 0o777|os.ModeSticky)
		r := gitopscfg(t, dir, "", nil, "init")
		fi, _ := os.Stat(dir)
		if fi.Mode()&os.ModeSticky == 0 || fi.Mode().Perm() != 0o777 {
			return false, fmt.Sprintf("init changed the shared directory to %v (exit %d)", fi.Mode(), r.code)
		}
		return r.code == 2, fmt.Sprintf("exit %d: %s", r.code, r.err)
	}
	hidden := func(provider, flag, value string, r rune) func(t *testing.T) (bool, string) {
		return func(t *testing.T) (bool, string) {
			dir := initStore(t)
			before := readAll(t, dir)
			args := []string{"set", provider, "--org", "acme", "--username", "jdoe@example.com", "--token-stdin", "--no-check", "--" + flag, value}
			res := gitopscfg(t, dir, kit.Canary, nil, args...)
			if c, bad := hiddenIn(res.out + res.err); bad {
				return false, fmt.Sprintf("the output carries U+%04X raw (exit %d)", c, res.code)
			}
			if !sameFiles(before, readAll(t, dir)) {
				return false, "saved"
			}
			want := fmt.Sprintf("U+%04X", r)
			return res.code == 2 && strings.Contains(res.err, want), fmt.Sprintf("exit %d: %s", res.code, res.err)
		}
	}
	eofMenu := func(env []string, args ...string) func(t *testing.T) (bool, string) {
		return func(t *testing.T) (bool, string) {
			dir := initStore(t)
			devnull, _ := os.Open(os.DevNull)
			defer devnull.Close()
			code, out, n := boundedRun(t, dir, devnull, env, 15*time.Second, args...)
			return code == 2 && n < 64<<10 && strings.Contains(out, "end of input"), fmt.Sprintf("exit %d after %d bytes of output: %q", code, n, kit.Tail(out, 300))
		}
	}
	eofWizard := func(t *testing.T) (bool, string) {
		dir := filepath.Join(t.TempDir(), "none")
		code, out, n := boundedRun(t, dir, strings.NewReader(""), []string{"TERM=dumb"}, 15*time.Second)
		return code == 2 && n < 64<<10, fmt.Sprintf("exit %d after %d bytes: %q", code, n, kit.Tail(out, 300))
	}
	badAnswer := func(t *testing.T) (bool, string) {
		dir := filepath.Join(t.TempDir(), "none")
		code, out, n := boundedRun(t, dir, strings.NewReader("x\n"), nil, 15*time.Second, "--accessible")
		return code == 2 && n < 64<<10 && !strings.Contains(out, "crashed"), fmt.Sprintf("exit %d after %d bytes: %q", code, n, kit.Tail(out, 300))
	}
	signalled := func(sig syscall.Signal) func(t *testing.T) (bool, string) {
		return func(t *testing.T) (bool, string) {
			dir := initStore(t)
			cmd, _, out := startWithPipe(t, dir, nil, "What next?", "--accessible")
			_ = cmd.Process.Signal(sig)
			code := waitExit(cmd, 10*time.Second)
			return code >= 0, fmt.Sprintf("exit %d after %s: %q", code, sig, kit.Tail(out.String(), 200))
		}
	}
	coreLimit := func(t *testing.T) (bool, string) {
		dir := initStore(t)
		cmd, stdin, _ := startWithPipe(t, dir, nil, "What next?", "--accessible")
		defer stdin.Close()
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", cmd.Process.Pid))
		if err != nil {
			t.Skip("no /proc")
		}
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "Max core file size") {
				f := strings.Fields(strings.TrimPrefix(l, "Max core file size"))
				return len(f) >= 2 && f[0] == "0" && f[1] == "0", l
			}
		}
		return false, "no core limit line"
	}
	notDumpable := func(t *testing.T) (bool, string) {
		// A non-dumpable process's /proc/PID files belong to root; run the binary as another user
		// when the test runs as root, so that the owner tells.
		uid := os.Getuid()
		bin := binaryPath()
		var cred *syscall.Credential
		if uid == 0 {
			uid = 65534
			cred = &syscall.Credential{Uid: 65534, Gid: 65534}
			pub := filepath.Join(os.TempDir(), fmt.Sprintf("gitopscfg-probe-%d", os.Getpid()))
			_ = os.MkdirAll(pub, 0o755)
			t.Cleanup(func() { os.RemoveAll(pub) })
			bin = filepath.Join(pub, "gitopscfg")
			b, _ := os.ReadFile(binaryPath())
			if err := os.WriteFile(bin, b, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		cmd := exec.Command(bin, "--accessible")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		cmd.Env = []string{"GITOPSCFG_CONFIG_DIR=/nonexistent/gitopscfg-probe", "PATH=" + os.Getenv("PATH")}
		stdin, _ := cmd.StdinPipe()
		defer stdin.Close()
		out := &kit.Buffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
		if !out.WaitFor("Step 1", 15*time.Second) {
			t.Fatalf("no prompt: %q", out.String())
		}
		fi, err := os.Stat(fmt.Sprintf("/proc/%d/environ", cmd.Process.Pid))
		if err != nil {
			t.Skip("no /proc")
		}
		owner := fi.Sys().(*syscall.Stat_t).Uid
		return owner == 0 && uid != 0, fmt.Sprintf("/proc/PID/environ of a process running as uid %d belongs to uid %d", uid, owner)
	}
	runProbes(t, "hostile file system and input", []probe{
		{"init keeps a lone identity.txt", lonely},
		{"symlinked .lock", linked(".lock")},
		{"symlinked config.age", linked("config.age")},
		{"symlinked identity.txt", linked("identity.txt")},
		{"init in a mode-1777 directory", shared},
		{"username with U+202E", hidden("github", "username", "oct\u202eocat", 0x202E)},
		{"host with ESC", hidden("gitlab", "host", "https://git\x1b[2Jlab.example.com", 0x1B)},
		{"org with U+200B", hidden("github", "org", "ac\u200bme", 0x200B)},
		{"CA bundle with U+202E", hidden("gitlab", "ca-bundle", "/etc/ssl/\u202emep.ac", 0x202E)},
		{"API URL with U+2066", hidden("github", "api-url", "https://api.\u2066example.com", 0x2066)},
		{"Bitbucket project key with ESC", hidden("bitbucket", "project-key", "GIT\x1bOPS", 0x1B)},
		{"TERM=dumb at end of input", eofMenu([]string{"TERM=dumb"})},
		{"--accessible at end of input", eofMenu(nil, "--accessible")},
		{"wizard at end of input", eofWizard},
		{"invalid answer then end of input", badAnswer},
		{"SIGINT at a plain prompt", signalled(syscall.SIGINT)},
		{"SIGTERM at a plain prompt", signalled(syscall.SIGTERM)},
		{"core file size limit 0", coreLimit},
		{"process not dumpable", notDumpable},
	})
}

func TestHostileSSHClientProbes(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	silent := func(t *testing.T) (bool, string) {
		var s *sshServer
		if help, _ := exec.Command(binaryPath(), "serve", "--help").CombinedOutput(); bytes.Contains(help, []byte("--login-grace")) {
			s = startServe(t, emu, "--login-grace", "1s")
		} else {
			s = startServe(t, emu) // a build without the flag: whatever deadline it has
		}
		c, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
		start := time.Now()
		_, err = io.ReadAll(c)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			return false, "a silent connection is still open after 20 s"
		}
		return true, fmt.Sprintf("closed after %s", time.Since(start).Round(100*time.Millisecond))
	}
	capped := func(t *testing.T) (bool, string) {
		s := startServe(t, emu)
		var conns []net.Conn
		for range 40 {
			d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}
			c, err := d.Dial("tcp", s.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			conns = append(conns, c)
		}
		closed := 0
		for _, c := range conns {
			_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
			buf := make([]byte, 256)
			for {
				_, err := c.Read(buf)
				if err == io.EOF {
					closed++
				}
				if err != nil {
					break
				}
			}
		}
		c := s.dial(t) // an admin from another address still gets in
		c.Close()
		return closed >= 30, fmt.Sprintf("%d of 40 silent connections from one address closed at once", closed)
	}
	bigPty := func(t *testing.T) (bool, string) {
		s := startServe(t, emu)
		before := procStatusKB(t, s.cmd.Process.Pid, "VmRSS")
		c := s.dial(t)
		defer c.Close()
		sess, _ := c.NewSession()
		if err := sess.RequestPty("xterm", 10000, 10000, gossh.TerminalModes{}); err != nil {
			t.Fatal(err)
		}
		out := &kit.Buffer{}
		sess.Stdout = out
		stdin, _ := sess.StdinPipe()
		_ = sess.Shell()
		deadline := time.Now().Add(15 * time.Second)
		peak := before
		for time.Now().Before(deadline) && !strings.Contains(out.String(), pickerMarker) {
			peak = max(peak, procStatusKB(t, s.cmd.Process.Pid, "VmRSS"))
			time.Sleep(50 * time.Millisecond)
			if peak-before > 2<<20 {
				break // over 2 GB: enough said
			}
		}
		time.Sleep(time.Second)
		peak = max(peak, procStatusKB(t, s.cmd.Process.Pid, "VmRSS"))
		stdin.Close()
		sess.Close()
		return peak-before < 100<<10, fmt.Sprintf("server RSS %d MB before, %d MB peak after a 10000x10000 PTY request (+%d MB)", before>>10, peak>>10, (peak-before)>>10)
	}
	longLine := func(t *testing.T) (bool, string) {
		s := startServe(t, emu)
		p := filepath.Join(s.dir, "authorized_keys")
		good, _ := os.ReadFile(p)
		bad := "ssh-ed25519 " + strings.Repeat("A", 70000) + " junk\n"
		if err := os.WriteFile(p, append([]byte(bad), good...), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := gossh.Dial("tcp", s.addr, &gossh.ClientConfig{User: "admin", Auth: []gossh.AuthMethod{gossh.PublicKeys(s.key)},
			HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
		if err != nil {
			return false, "the key after a 70 KB line is ignored: " + err.Error()
		}
		if !strings.Contains(s.stderr.String(), "line 1") {
			return false, "logged in, but the long line was not warned about"
		}
		return true, ""
	}
	comment := func(t *testing.T) (bool, string) {
		s := startServe(t, emu)
		p := filepath.Join(s.dir, "authorized_keys")
		line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.key.PublicKey()))) + " evil\x1b]0;PWNED\x07\x1b[2J\u202e\n"
		if err := os.WriteFile(p, []byte(line), 0o600); err != nil {
			t.Fatal(err)
		}
		c := s.dial(t)
		defer c.Close()
		sc := s.openScreen(t, c) // a save in the UI: the audit trail records the session's key
		sc.waitForText(t, pickerMarker, 10*time.Second)
		sc.press(keyEnter)
		sc.waitForText(t, "GitHub Organisation Name", 5*time.Second)
		sc.replaceToken(t, fake.GitHubTokenNoAdminOrg)
		sc.waitForText(t, "not granted", 10*time.Second)
		sc.press(keyCtrlS)
		sc.waitForText(t, "Saved GitHub", 10*time.Second)
		if r, bad := hiddenIn(strings.ReplaceAll(sc.out.String(), "\x1b[", "")); bad && strings.Contains(sc.out.String(), "PWNED\x07") {
			return false, fmt.Sprintf("the comment reached the screen raw (U+%04X)", r)
		}
		var doc struct {
			Audit []struct{ Who string } `json:"audit"`
		}
		b := gitopscfg(t, s.dir, "", nil, "status", "--json").out
		_ = json.Unmarshal([]byte(b), &doc)
		for _, e := range doc.Audit {
			if strings.Contains(e.Who, "evil") {
				if r, bad := hiddenIn(e.Who); bad {
					return false, fmt.Sprintf("the audit trail holds U+%04X raw: %q", r, e.Who)
				}
				return true, e.Who
			}
		}
		return false, "no audit entry from the session: " + b
	}
	deep := func(t *testing.T) (bool, string) {
		readme, _ := os.ReadFile(filepath.Join("..", "README.md"))
		s := startServe(t, emu)
		c := s.dial(t)
		defer c.Close()
		sess, _ := c.NewSession()
		out, err := sess.CombinedOutput("check github --deep --json")
		code := 0
		if ee, ok := err.(*gossh.ExitError); ok {
			code = ee.ExitStatus()
		}
		documented := false
		sc := bufio.NewScanner(bytes.NewReader(readme))
		for sc.Scan() {
			if strings.Contains(sc.Text(), "check --deep") && strings.Contains(sc.Text(), "runs the round trip on the server") {
				documented = true
			}
		}
		ran := strings.Contains(string(out), "deep:delete")
		return documented && ran && (code == 0 || code == 1), fmt.Sprintf("documented %v, ran %v, exit %d", documented, ran, code)
	}
	output := func(t *testing.T) (bool, string) {
		s := startServe(t, emu)
		c := s.dial(t)
		defer c.Close()
		target := filepath.Join(t.TempDir(), "written-by-a-session")
		sess, _ := c.NewSession()
		out, err := sess.CombinedOutput("check --output " + target)
		code := 0
		if ee, ok := err.(*gossh.ExitError); ok {
			code = ee.ExitStatus()
		}
		if _, err := os.Stat(target); err == nil {
			return false, "a session wrote a file on the server"
		}
		return code == 2, fmt.Sprintf("exit %d: %s", code, strings.TrimSpace(string(out)))
	}
	runProbes(t, "hostile SSH client", []probe{
		{"silent connection is disconnected", silent},
		{"40 silent connections from one address", capped},
		{"10000x10000 PTY request", bigPty},
		{"70 KB authorized_keys line", longLine},
		{"escape sequences in a key comment", comment},
		{"check --deep without a terminal", deep},
		{"check --output without a terminal", output},
	})
}

// TestOpenSSHClientAfterLongKeyLine: with OpenSSH's own client, a key listed after a 70 KB line
// gets in, and `check --deep` without a terminal runs with the documented exit status.
func TestOpenSSHClientAfterLongKeyLine(t *testing.T) {
	t.Parallel()
	needSSH(t)
	emu := kit.Emulators(t, fake.Options{})
	s := startServe(t, emu)
	p := filepath.Join(s.dir, "authorized_keys")
	good, _ := os.ReadFile(p)
	if err := os.WriteFile(p, append([]byte("ssh-ed25519 "+strings.Repeat("A", 70000)+" junk\n"), good...), 0o600); err != nil {
		t.Fatal(err)
	}
	host, port, _ := strings.Cut(s.addr, ":")
	run := func(cmd ...string) (string, int) {
		args := append([]string{"-F", "/dev/null", "-p", port, "-i", s.keyPath, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
			"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
			"-o", "PasswordAuthentication=no", "-T", "admin@" + host}, cmd...)
		c := exec.Command("ssh", args...)
		out, err := c.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return string(out), code
	}
	if out, code := run("status"); code != 0 || !strings.Contains(out, "GitHub") {
		t.Fatalf("status over OpenSSH after a 70 KB line: exit %d, %q", code, out)
	}
	if out, code := run("check", "github", "--deep", "--json"); (code != 0 && code != 1) || !strings.Contains(out, "deep:delete") {
		t.Fatalf("check --deep over OpenSSH: exit %d, %q", code, out)
	}
	if out, code := run("check", "--output", "/tmp/x"); code != 2 || !strings.Contains(out, "not available over SSH") {
		t.Fatalf("check --output over OpenSSH: exit %d, %q", code, out)
	}
}
