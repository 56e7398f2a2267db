package cli

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
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/server"
)

// serveFixture is a store with GitHub configured (its token expiring in 3 days by the fixed
// clock), an authorized_keys file allowing signer, and serve's options for them.
type serveFixture struct {
	store  *config.Store
	signer gossh.Signer
	stderr *kit.Buffer
	opts   *serveOptions
	// listening receives the address serve listens on.
	listening chan string
}

const serveCanary = "ghp_CANARYserve00000000000000000000000000"

func newServeFixture(t *testing.T) *serveFixture {
	t.Helper()
	s, open := newRunStore(t)
	exp := runNow.Add(3*24*time.Hour + time.Hour)
	storeProvider(t, s, providers.Credentials{Provider: providers.GitHub, Settings: config.Settings{Host: "https://github.com", Org: "acme", Username: "octocat", Token: serveCanary}},
		true, &config.CheckRecord{At: runNow, OK: true, ExpiresAt: &exp})
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	keys := filepath.Join(s.Dir(), "authorized_keys")
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(signer.PublicKey()))) + " alice@laptop\n"
	if err := os.WriteFile(keys, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	fx := &serveFixture{store: s, signer: signer, stderr: &kit.Buffer{}, listening: make(chan string, 1)}
	fx.opts = &serveOptions{
		IO: Streams{In: strings.NewReader(""), Out: io.Discard, Err: fx.stderr}, OpenStore: open, Env: (&envRecorder{}).env, Now: fixedClock,
		Policy: sshPolicy(sessionTree),
		Sessions: func(*config.Store, *providers.Env) sessionRunner {
			t.Error("no runner for the sessions' commands was asked for")
			return nil
		},
		Listen: func(network, addr string) (net.Listener, error) {
			ln, err := net.Listen(network, addr)
			if err == nil {
				fx.listening <- ln.Addr().String()
			}
			return ln, err
		},
		ReminderInterval: reminderInterval, ConfigDir: s.Dir(), Version: "test",
		ListenAddr: "127.0.0.1:0", AuthorizedKeys: keys, HostKey: filepath.Join(t.TempDir(), "host_key"),
		MaxSessions: 4, LoginGrace: 10 * time.Second,
	}
	return fx
}

// TestServeRunInProcess runs serve's run function on loopback with an injected store, listener,
// clock and command runner: the runner is made for the store serve unlocked and the environment
// its sessions share; a session's command runs on it as the key's holder and its exit status
// reaches the SSH client; the token expiring by the clock is logged at start (by provider, never
// the token); cancelling the context shuts the server down and serve returns.
func TestServeRunInProcess(t *testing.T) {
	t.Parallel()
	fx := newServeFixture(t)
	type ran struct {
		who  string
		args []string
	}
	runs := make(chan ran, 1)
	fx.opts.Sessions = func(store *config.Store, env *providers.Env) sessionRunner {
		if store != fx.store || env == nil || env.Timeout != providers.DefaultTimeout {
			t.Errorf("the sessions' runner was made for store %p (want %p), env %+v", store, fx.store, env)
		}
		return func(_ context.Context, who string, args []string, out, _ io.Writer) int {
			runs <- ran{who, args}
			fmt.Fprintln(out, "status from the runner")
			return 3
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- serveRun(ctx, fx.opts) }()
	var addr string
	select {
	case addr = <-fx.listening:
	case err := <-served:
		t.Fatalf("serve ended before listening: %v\n%s", err, fx.stderr)
	}

	c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "admin", Auth: []gossh.AuthMethod{gossh.PublicKeys(fx.signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	sess.Stdout = &out
	err = sess.Run("status --json")
	var ee *gossh.ExitError
	if !errors.As(err, &ee) || ee.ExitStatus() != 3 || out.String() != "status from the runner\n" {
		t.Fatalf("status over SSH: %v, %q", err, out.String())
	}
	r := <-runs
	if want := server.Who(fx.signer.PublicKey(), "alice@laptop"); r.who != want || strings.Join(r.args, " ") != "status --json" {
		t.Fatalf("ran %v as %q; want status --json as %q", r.args, r.who, want)
	}
	_ = c.Close()

	cancel()
	if err := <-served; err != nil {
		t.Fatalf("serve after cancel: %v\n%s", err, fx.stderr)
	}
	log := fx.stderr.String()
	for _, want := range []string{"gitopscfg: serving on " + addr + " (store " + fx.store.Path(), "token expires soon",
		"provider=github", "days_left=3", "gitopscfg: shutting down"} {
		if !strings.Contains(log, want) {
			t.Errorf("serve's stderr lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, serveCanary[4:]) {
		t.Fatalf("the token reached serve's log:\n%s", log)
	}
}

// TestServeRunRefusesBeforeListening: without an authorized_keys file, or with a store that
// cannot be opened, serve fails (exit 2) without listening.
func TestServeRunRefusesBeforeListening(t *testing.T) {
	t.Parallel()
	fx := newServeFixture(t)
	fx.opts.Listen = func(string, string) (net.Listener, error) { t.Error("listened"); return nil, errors.New("no") }
	fx.opts.Sessions = func(*config.Store, *providers.Env) sessionRunner { return nil }
	fx.opts.AuthorizedKeys = filepath.Join(t.TempDir(), "missing")
	err := serveRun(context.Background(), fx.opts)
	if exitCode(err) != exitUsageStore || !strings.Contains(err.Error(), "create it with the public keys allowed in") {
		t.Fatalf("serve without authorized_keys: exit %d, %v", exitCode(err), err)
	}
	fx.opts.OpenStore = func() (*config.Store, error) { return config.Open(filepath.Join(t.TempDir(), "none"), nil) }
	if err := serveRun(context.Background(), fx.opts); exitCode(err) != exitUsageStore || !strings.Contains(err.Error(), "no store in") {
		t.Fatalf("serve without a store: exit %d, %v", exitCode(err), err)
	}
}

// TestServeSessionCommandsUseTheUnlockedStore: the runner the factory makes for serve's sessions
// reads the store serve unlocked, not the config directory again (in passphrase mode it could not
// ask), and refuses what a session may not do.
func TestServeSessionCommandsUseTheUnlockedStore(t *testing.T) {
	t.Parallel()
	fx := newServeFixture(t)
	f, _, _ := testFactory("")
	f.ConfigDir = filepath.Join(t.TempDir(), "elsewhere") // holds no store
	runner := f.sessionCommands(fx.store, providers.NewEnv("test"))
	var out, errOut bytes.Buffer
	if code := runner(context.Background(), "ssh:alice", []string{"status", "--json"}, &out, &errOut); code != exitOK ||
		!strings.Contains(out.String(), `"active": "github"`) {
		t.Fatalf("status in a session: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	out.Reset()
	if code := runner(context.Background(), "ssh:alice", []string{"status", "--config-dir=/tmp"}, &out, &errOut); code != exitUsageStore || out.Len() != 0 {
		t.Fatalf("--config-dir in a session: exit %d %q", code, out.String())
	}
}

// TestServeCmdPassesItsOptions checks serve's constructor: the key files default to the config
// directory, the flags and the factory's dependencies reach the run function; a session limit or
// login grace that is not positive, and arguments, are refused unrun.
func TestServeCmdPassesItsOptions(t *testing.T) {
	t.Parallel()
	f, _, errb := testFactory("")
	f.ConfigDir = "/srv/gitopscfg"
	var got *serveOptions
	capture := func(_ context.Context, o *serveOptions) error { got = o; return nil }
	if err := execute(newServeCmd(f, capture)); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.ListenAddr != "127.0.0.1:2222" || got.AuthorizedKeys != "/srv/gitopscfg/authorized_keys" ||
		got.HostKey != "/srv/gitopscfg/ssh_host_ed25519_key" || got.MaxSessions != 32 || got.IdleTimeout != 15*time.Minute ||
		got.LoginGrace != server.DefaultLoginGrace || got.ReminderInterval != reminderInterval || got.ConfigDir != "/srv/gitopscfg" ||
		got.Version != "1.2.3-test" || got.IO.Err != errb || got.OpenStore == nil || got.Env == nil || got.Now == nil || got.Policy == nil || got.Sessions == nil || got.Listen == nil {
		t.Fatalf("options %+v", got)
	}
	if err := execute(newServeCmd(f, capture), "--listen", "0.0.0.0:22", "--authorized-keys", "/k", "--host-key", "/h",
		"--max-sessions", "2", "--idle-timeout", "0", "--login-grace", "5s"); err != nil {
		t.Fatal(err)
	}
	if got.ListenAddr != "0.0.0.0:22" || got.AuthorizedKeys != "/k" || got.HostKey != "/h" || got.MaxSessions != 2 || got.IdleTimeout != 0 || got.LoginGrace != 5*time.Second {
		t.Fatalf("options %+v", got)
	}
	for _, args := range [][]string{{"--max-sessions", "0"}, {"--login-grace", "0"}, {"extra"}} {
		if err := execute(newServeCmd(f, mustNotRun[*serveOptions](t, args...)), args...); exitCode(err) != exitUsageStore {
			t.Errorf("%v: exit %d, %v", args, exitCode(err), err)
		}
	}
}
