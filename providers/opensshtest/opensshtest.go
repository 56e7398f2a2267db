// Package opensshtest runs a real, throw-away OpenSSH server (Debian's openssh-server) that serves
// Git through git-shell, for the tests of Git over SSH and of the generic provider. The server
// listens on a free loopback port with its own host key and sshd_config: no passwords, no root
// login except with the forced command git-shell, keys only from its own authorized_keys. The
// tests that use it run with GITOPSCFG_GITEA set (make test-gitea), next to the real Gitea.
package opensshtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// sshdPath is where Debian's openssh-server installs the daemon.
const sshdPath = "/usr/sbin/sshd"

// Require skips t unless the real-server suite runs (GITOPSCFG_GITEA, make test-gitea), and fails
// it when sshd or git-shell is missing under CI=1 (a missing package must not pass unseen).
func Require(t testing.TB) {
	t.Helper()
	if os.Getenv("GITOPSCFG_GITEA") == "" {
		t.Skip("the real-server suite runs with GITOPSCFG_GITEA=1 (make test-gitea)")
	}
	var missing []string
	if _, err := os.Stat(sshdPath); err != nil {
		missing = append(missing, "openssh-server ("+sshdPath+")")
	}
	if _, err := exec.LookPath("git-shell"); err != nil {
		missing = append(missing, "git (git-shell)")
	}
	if len(missing) == 0 {
		return
	}
	msg := "the OpenSSH tests need " + strings.Join(missing, " and ") + ": apt-get install -y openssh-server git"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// Server is one running sshd.
type Server struct {
	// Addr is host:port, HostPort the port; User the account Git logs in as.
	Addr string
	Port int
	User string
	// HostKeyPub is the server's public host key file (for ssh-keygen -lf).
	HostKeyPub string
	dir        string
	mu         sync.Mutex
	proc       *os.Process
}

// Start starts sshd on a free loopback port in a temporary directory and stops it when t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	Require(t)
	dir := t.TempDir()
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{dir: dir, User: u.Username, HostKeyPub: filepath.Join(dir, "host_ed25519_key.pub")}
	run(t, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "opensshtest", "-f", filepath.Join(dir, "host_ed25519_key"))
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		// sshd started by root needs its privilege-separation directory.
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var lastErr error
	for range 3 {
		port := freePort(t)
		if lastErr = s.start(t, port); lastErr == nil {
			return s
		}
	}
	t.Fatalf("sshd did not start: %v", lastErr)
	return nil
}

// config is the sshd_config of the server on port. SHLVL=1 keeps the account's shell, which runs
// the forced command, from reading its ~/.bashrc (bash reads it for a command over SSH only at
// level 1): a slow or interactive rc file must not stand between the test and git-shell.
func (s *Server) config(port int) string {
	root := "no"
	if os.Geteuid() == 0 {
		root = "forced-commands-only" // the only key is the forced git-shell command's
	}
	return fmt.Sprintf(`Port %d
ListenAddress 127.0.0.1
HostKey %s/host_ed25519_key
PidFile %s/sshd.pid
AuthorizedKeysFile %s/authorized_keys
AllowUsers %s
PermitRootLogin %s
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowTcpForwarding no
X11Forwarding no
PermitTTY no
LogLevel ERROR
SetEnv SHLVL=1
`, port, s.dir, s.dir, s.dir, s.User, root)
}

func (s *Server) start(t testing.TB, port int) error {
	cfg := filepath.Join(s.dir, "sshd_config")
	if err := os.WriteFile(cfg, []byte(s.config(port)), 0o600); err != nil {
		return err
	}
	cmd := exec.Command(sshdPath, "-D", "-e", "-f", cfg)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	// Wait on state: the port accepting, or the daemon ending.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		select {
		case err := <-done:
			return fmt.Errorf("sshd ended: %v: %s", err, stderr.String())
		case <-ctx.Done():
			_ = cmd.Process.Kill()
			<-done
			return errors.New("sshd did not listen within 10 s: " + stderr.String())
		default:
		}
		c, err := (&net.Dialer{Timeout: 200 * time.Millisecond}).DialContext(ctx, "tcp", addr)
		if err == nil {
			_ = c.Close()
			break
		}
		select {
		case err := <-done:
			return fmt.Errorf("sshd ended: %v: %s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	s.Addr, s.Port, s.proc = addr, port, cmd.Process
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // the daemon this test started, by its own process
		<-done
	})
	return nil
}

// Authorize lets the public key (one authorized_keys line) in, restricted to git-shell.
func (s *Server) Authorize(t testing.TB, pub string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	line := `command="git-shell -c \"$SSH_ORIGINAL_COMMAND\"",no-port-forwarding,no-X11-forwarding,no-agent-forwarding,no-pty ` +
		strings.TrimSpace(pub) + "\n"
	f, err := os.OpenFile(filepath.Join(s.dir, "authorized_keys"), os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(line); err != nil {
		t.Fatal(err)
	}
}

// Repo creates a bare repository path (e.g. "acme/gitops.git") whose main branch holds one commit,
// and returns its ssh:// URL.
func (s *Server) Repo(t testing.TB, path string) string {
	t.Helper()
	dir := filepath.Join(s.dir, "repos", path)
	run(t, "git", "init", "--quiet", "--bare", "--initial-branch=main", dir)
	work := t.TempDir()
	run(t, "git", "init", "--quiet", "--initial-branch=main", work)
	if err := os.WriteFile(filepath.Join(work, "README.md"), []byte("GitOps\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	git := []string{"-C", work, "-c", "user.name=opensshtest", "-c", "user.email=opensshtest@localhost"}
	run(t, "git", append(git, "add", "README.md")...)
	run(t, "git", append(git, "commit", "--quiet", "-m", "initial")...)
	run(t, "git", append(git, "push", "--quiet", dir, "main")...)
	return fmt.Sprintf("ssh://%s@%s%s", s.User, s.Addr, dir)
}

// Branches lists the branches of the bare repository path.
func (s *Server) Branches(t testing.TB, path string) []string {
	t.Helper()
	out := run(t, "git", "--git-dir", filepath.Join(s.dir, "repos", path), "for-each-ref", "--format=%(refname:short)", "refs/heads")
	return strings.Fields(out)
}

// Fingerprint is the server's host key fingerprint as ssh-keygen -lf shows it (SHA256:…).
func (s *Server) Fingerprint(t testing.TB) string {
	t.Helper()
	f := strings.Fields(run(t, "ssh-keygen", "-lf", s.HostKeyPub))
	if len(f) < 2 {
		t.Fatalf("ssh-keygen -lf %s: %v", s.HostKeyPub, f)
	}
	return f[1]
}

func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// ChangeHostKey gives the server a new host key (as a reinstalled server has): it replaces the key
// file and sends sshd SIGHUP, which makes it re-execute itself and read its keys again; it returns
// once the server shows the new key (new, the fingerprint ssh-keygen -lf shows).
func (s *Server) ChangeHostKey(t testing.TB, scan func(addr string) (string, error)) (old, new string) {
	t.Helper()
	old = s.Fingerprint(t)
	key := filepath.Join(s.dir, "host_ed25519_key")
	_ = os.Remove(key)
	_ = os.Remove(key + ".pub")
	run(t, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "opensshtest", "-f", key)
	new = s.Fingerprint(t)
	if err := s.proc.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		fp, err := scan(s.Addr)
		if err == nil && fp == new {
			return old, new
		}
		if time.Now().After(deadline) {
			t.Fatalf("sshd still shows %s (%v) 10 s after SIGHUP, not %s", fp, err, new)
		}
		time.Sleep(20 * time.Millisecond) // sshd re-executes itself: poll the key it shows
	}
}
