package server

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"gitopscfg/e2e/kit"
)

// Every session is logged, as a refused key is: the client's address and the key's SHA-256
// fingerprint, then the command as the policy gives it to log (never the arguments the client
// sent) and its exit status; a refused command too, and a session of the interactive UI.
func TestSessionsAreLogged(t *testing.T) {
	t.Parallel()
	var logs kit.Buffer
	f := start(t, func(o *Options) { o.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	c, err := dial(f.addr, gossh.PublicKeys(f.alice))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	run := func(cmd string) int {
		sess, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		defer sess.Close()
		var ee *gossh.ExitError
		if err := sess.Run(cmd); errors.As(err, &ee) {
			return ee.ExitStatus()
		} else if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		return 0
	}
	// The log line is written before the exit status is sent: it is there once the client has it.
	key := "ip=127.0.0.1 fingerprint=" + gossh.FingerprintSHA256(f.alice.PublicKey())
	for _, c := range []struct {
		cmd  string
		code int
		want string
	}{
		{"check --timeout 47s SECRET-ARG --json", 0, `msg=session ` + key + ` command="check --timeout --json" exit_status=0`},
		{"check fail", 1, `msg=session ` + key + ` command=check exit_status=1`},
		{"set github --token=SECRET-VALUE", 2, `msg="session refused" ` + key + ` command="set --token" exit_status=2`},
	} {
		if code := run(c.cmd); code != c.code {
			t.Fatalf("%s: exit %d, want %d", c.cmd, code, c.code)
		}
		if c.code != 2 {
			<-f.who // the command ran
		}
		if !strings.Contains(logs.String(), c.want) {
			t.Errorf("%s: the log lacks %s:\n%s", c.cmd, c.want, logs.String())
		}
	}
	if strings.Contains(logs.String(), "SECRET") || strings.Contains(logs.String(), "47s") {
		t.Fatalf("an argument reached the log:\n%s", logs.String())
	}

	sess, stdin, buf := openPty(t, c)
	waitFor(t, buf, "test-model", 5*time.Second)
	fmt.Fprint(stdin, "q")
	if err := sess.Wait(); err != nil {
		t.Fatalf("the UI session: %v", err)
	}
	if want := `msg=session ` + key + ` command=ui exit_status=0`; !strings.Contains(logs.String(), want) {
		t.Errorf("the UI session is not logged as %s:\n%s", want, logs.String())
	}
}

// New refuses to serve without a policy for the commands of sessions without a terminal.
func TestNewNeedsAPolicy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, err := New(Options{HostKeyPath: filepath.Join(dir, "host_key"), AuthorizedKeysPath: filepath.Join(dir, "authorized_keys")})
	if err == nil || !strings.Contains(err.Error(), "no policy") {
		t.Fatalf("New without a policy: %v", err)
	}
}
