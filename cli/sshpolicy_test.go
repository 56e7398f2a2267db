package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	gossh "golang.org/x/crypto/ssh"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// sessionTree is the command tree the SSH policy decides on (as serve's policy builds it).
func sessionTree() *cobra.Command { return newRootCmd(&factory{}) }

// TestSSHPolicy: the contract of sessions without a terminal (README, "Serving the UI over SSH"):
// status, check and which with their reporting flags, --deep included; nothing that acts on the server's
// files, not even as the value of another flag; the refusals word for word as the server has
// always told them.
func TestSSHPolicy(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args string
		ok   bool
	}{
		{"status", true}, {"status --json", true}, {"check", true}, {"check --all --json", true},
		{"check github --deep --timeout 90s", true}, {"check --timeout=5s gitlab", true}, {"check --help", true},
		{"status -h", true}, {"check --format jsonl --warn-expiry 3d --fail-expiry=1d --devtron", true},
		{"check --output /etc/passwd", false}, {"check --config-dir /tmp", false}, {"check --config-dir=/tmp", false},
		{"check --demo", false}, {"status --config-dir /x", false}, {"set github", false}, {"", false},
		{"init", false}, {"serve", false}, {"check --deep --output=/x", false}, {"status --all", false},
		{"help check", false}, {"--help", false}, {"check --help=true", false}, {"check -- github", false},
		{"push", false}, {"rotate github", false}, {"export", false}, {"devtron", false},
		{"check --format --json", true}, {"check --timeout -5s", true}, {"check --format --output", false},
		{"which https://github.com/acme/gitops", true}, {"which https://github.com/acme/gitops --json --timeout 5s", true},
		{"which https://github.com/acme/gitops --config-dir /x", false}, {"which https://github.com/acme/gitops --demo", false},
	} {
		var args []string
		if c.args != "" {
			args = strings.Fields(c.args)
		}
		err := sshRefusal(sessionTree(), args)
		if (err == nil) != c.ok {
			t.Errorf("sshRefusal(%q) = %v, want ok=%v", c.args, err, c.ok)
		}
	}
	usage := "without a terminal this server runs only `status [--json]`, " +
		"`check [PROVIDER|--all] [--json] [--format F] [--timeout D] [--deep]` and `which URL [--json] [--timeout D]`; " +
		"connect with `ssh -t` for the interactive UI"
	for args, want := range map[string]string{
		"":                                usage,
		"remove github":                   usage,
		"check --output /x":               "--output is not available over SSH; " + usage,
		"check --json --config-dir":       "--config-dir is not available over SSH; " + usage,
		"status --demo=true":              "--demo is not available over SSH; " + usage,
		"check -x":                        "-x is not available over SSH; " + usage,
		"check --format --output":         "--output is not available over SSH; " + usage,
		"check --timeout --demo=1 --json": "--demo is not available over SSH; " + usage,
		"check --timeout --demo -x":       "-x is not available over SSH; " + usage,
	} {
		if err := sshRefusal(sessionTree(), strings.Fields(args)); err == nil || err.Error() != want {
			t.Errorf("sshRefusal(%q) = %v, want %q", args, err, want)
		}
	}
	err := sshRefusal(sessionTree(), []string{"check", "--\x1b[2Jx"})
	if err == nil || strings.Contains(err.Error(), "\x1b") {
		t.Errorf("a refused flag is echoed raw: %v", err)
	}
}

// TestSSHRefusesWhatIsNotDeclared: a flag added to check, or a verb added to the root, without
// the SSH annotation is refused over SSH, by the policy and through a real SSH session on serve;
// the same flag once annotated is allowed.
func TestSSHRefusesWhatIsNotDeclared(t *testing.T) {
	t.Parallel()
	withPrune := func(annotate bool) *cobra.Command {
		root := sessionTree()
		check := verb(root, "check")
		check.Flags().Bool("prune", false, "delete the leftover round-trip repositories")
		if annotate {
			allowFlagOverSSH(check.Flags().Lookup("prune"))
		}
		root.AddCommand(&cobra.Command{Use: "report", Short: "a verb nobody declared", Run: func(*cobra.Command, []string) {}})
		return root
	}
	if err := sshRefusal(withPrune(false), []string{"check", "--prune"}); err == nil ||
		!strings.HasPrefix(err.Error(), "--prune is not available over SSH; ") {
		t.Fatalf("an undeclared flag of check: %v", err)
	}
	if err := sshRefusal(withPrune(true), []string{"check", "--prune"}); err != nil {
		t.Fatalf("the same flag, declared: %v", err)
	}
	if err := sshRefusal(withPrune(true), []string{"report"}); err == nil || err.Error() != sshUsage {
		t.Fatalf("an undeclared verb: %v", err)
	}

	// Over SSH: serve with the policy on the tree holding the undeclared flag.
	fx := newServeFixture(t)
	fx.opts.Policy = sshPolicy(func() *cobra.Command { return withPrune(false) })
	ran := make(chan []string, 4)
	fx.opts.Sessions = func(*config.Store, *providers.Env) sessionRunner {
		return func(_ context.Context, _ string, args []string, _, _ io.Writer) int { ran <- args; return 0 }
	}
	run := serveInProcess(t, fx)
	if code, stdout, stderr := run("check --prune"); code != 2 || stdout != "" ||
		stderr != "gitopscfg: --prune is not available over SSH; "+sshUsage+"\n" {
		t.Fatalf("check --prune over SSH: exit %d, %q, %q", code, stdout, stderr)
	}
	if code, _, stderr := run("report"); code != 2 || stderr != "gitopscfg: "+sshUsage+"\n" {
		t.Fatalf("report over SSH: exit %d, %q", code, stderr)
	}
	if code, _, stderr := run("check --json"); code != 0 {
		t.Fatalf("check --json over SSH: exit %d, %q", code, stderr)
	}
	if args := <-ran; strings.Join(args, " ") != "check --json" {
		t.Fatalf("ran %q", args)
	}
	select {
	case args := <-ran:
		t.Fatalf("a refused command ran: %q", args)
	default:
	}
}

// serveInProcess runs serve's run function with fx's options until the test ends, and returns
// what runs a command over SSH with fx's key: its exit status, stdout and stderr.
func serveInProcess(t *testing.T, fx *serveFixture) func(cmd string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- serveRun(ctx, fx.opts) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
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
	t.Cleanup(func() { _ = c.Close() })
	return func(cmd string) (int, string, string) {
		t.Helper()
		sess, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		defer sess.Close()
		var out, errOut bytes.Buffer
		sess.Stdout, sess.Stderr = &out, &errOut
		err = sess.Run(cmd)
		var ee *gossh.ExitError
		if errors.As(err, &ee) {
			return ee.ExitStatus(), out.String(), errOut.String()
		} else if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		return 0, out.String(), errOut.String()
	}
}

// TestSSHHelpShowsOnlySessionFlags: over SSH, -h and --help list the flags a session may give and
// no other (not --output, --config-dir, --demo), nor mention them; the local help is unchanged.
func TestSSHHelpShowsOnlySessionFlags(t *testing.T) {
	t.Parallel()
	f, _, _ := testFactory("")
	runner := f.sessionCommands(nil, nil)
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"check", "--help"}, []string{"--all", "--json", "--format", "--warn-expiry", "--fail-expiry", "--timeout", "--devtron",
			"--deep", "-h, --help", "gitopscfg check [CREDENTIAL|--all] [--format text|json|jsonl|prometheus|nagios] [--timeout 15s] [--deep [--repo OWNER/REPO]] [flags]",
			"Exit status 0 when every check passed"}},
		{[]string{"check", "github", "-h", "--deep"}, []string{"--deep", "--timeout"}},
		{[]string{"status", "-h"}, []string{"--json", "gitopscfg status [--json] [flags]"}},
	} {
		var out, errOut bytes.Buffer
		code := runner(context.Background(), "ssh:test", c.args, &out, &errOut)
		help := out.String()
		if code != exitOK || errOut.Len() != 0 {
			t.Fatalf("%v: exit %d, %q", c.args, code, errOut.String())
		}
		for _, want := range c.want {
			if !strings.Contains(help, want) {
				t.Errorf("%v: the help lacks %q:\n%s", c.args, want, help)
			}
		}
		for _, never := range []string{"--output", "--config-dir", "--demo", "Global Flags"} {
			if strings.Contains(help, never) {
				t.Errorf("%v: the help over SSH shows %q:\n%s", c.args, never, help)
			}
		}
	}
	var out bytes.Buffer
	root := newRootCmd(f)
	root.SetArgs([]string{"check", "--help"})
	root.SetOut(&out)
	if err := root.Execute(); err != nil || !strings.Contains(out.String(), "--output string") || !strings.Contains(out.String(), "--config-dir") {
		t.Fatalf("the local help lost flags: %v\n%s", err, out.String())
	}
}

// TestSSHLogLine: the log shows of a session's command the verb, the flag names and a provider,
// never a value or any other argument.
func TestSSHLogLine(t *testing.T) {
	t.Parallel()
	for args, want := range map[string]string{
		"":                   "",
		"check --all --json": "check --all --json",
		"check --timeout 47s GitHub --format=jsonl": "check --timeout github --format",
		"check -h":             "check --help",
		"check ghp_SECRET0000": "check ?",
		"set github --token ghp_SECRET0000 --no-check": "set github ? ? --no-check", // --token is no flag of set
		"check --output /etc/SECRET":                   "check --output",
		"ghp_SECRET0000 --x":                           "?",
		"check --ghp_SECRET0000":                       "check ?",
	} {
		got := sshLogLine(sessionTree(), strings.Fields(args))
		if got != want {
			t.Errorf("sshLogLine(%q) = %q, want %q", args, got, want)
		}
	}
}
