package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"

	"gitopscfg/config"
	"gitopscfg/providers"
	"gitopscfg/server"
	"gitopscfg/ui"
)

// sessionRunner runs the command of an SSH session without a terminal and returns the exit status
// (server.Options.RunCommand).
type sessionRunner func(ctx context.Context, who string, args []string, out, errOut io.Writer) int

// serveOptions is what serve needs: the streams, the store, the providers' environment, the
// clock, what runs the sessions' commands and how to listen, then the flags.
type serveOptions struct {
	IO        Streams
	OpenStore func() (*config.Store, error)
	Env       func(timeout time.Duration) *providers.Env
	// Now is the clock of the expiry reminders and of each session's greeting.
	Now func() time.Time
	// Policy decides what a session without a terminal may run, and what the log shows of it
	// (server.Options.Policy; sshPolicy).
	Policy func(args []string) (logged string, refused error)
	// Sessions returns what runs the sessions' commands on store, the one serve unlocked, with env,
	// the one the sessions share (f.sessionCommands).
	Sessions func(store *config.Store, env *providers.Env) sessionRunner
	// Listen opens the listening socket (net.Listen).
	Listen func(network, address string) (net.Listener, error)
	// ReminderInterval is how often the expiring tokens are logged after the first time, at start.
	ReminderInterval time.Duration
	ConfigDir        string
	Version          string
	// Flags; AuthorizedKeys and HostKey default to files in ConfigDir.
	ListenAddr, AuthorizedKeys, HostKey string
	MaxSessions                         int
	IdleTimeout, LoginGrace             time.Duration
}

// newServeCmd builds serve; runF runs it (nil: serveRun), so tests can swap it.
func newServeCmd(f *factory, runF func(context.Context, *serveOptions) error) *cobra.Command {
	if runF == nil {
		runF = serveRun
	}
	opts := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve [--listen 127.0.0.1:2222] [--authorized-keys FILE] [--host-key FILE]",
		Short: "Serve the terminal UI over SSH to the keys in an authorized_keys file",
		Long: `Serve the terminal UI over SSH. Only public-key authentication is accepted, against the
authorized_keys file (re-read whenever it changes); passwords are refused. Each session gets its own
UI; all share the one store, and the audit trail records the SSH key of whoever saved. Without a
terminal, a session may run only "status [--json]" and "check [PROVIDER|--all] [--json]
[--format F] [--timeout D] [--deep]", with check's exit status (0 passed, 1 failed, 2 refused).
A client must log in within --login-grace; at most 64 connections (8 per address) may be logging in
at once.

In passphrase mode the store is unlocked once, at start (GITOPSCFG_PASSPHRASE or a prompt).`,
		Example: `  # Serve on every address, to the keys in the config directory's authorized_keys
  $ gitopscfg serve --listen :2222

  # Then, from another machine: the UI, or a check without a terminal
  $ ssh -t -p 2222 gitops.example.com
  $ ssh -p 2222 gitops.example.com check --all --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.AuthorizedKeys == "" {
				opts.AuthorizedKeys = filepath.Join(f.ConfigDir, "authorized_keys")
			}
			if opts.HostKey == "" {
				opts.HostKey = filepath.Join(f.ConfigDir, "ssh_host_ed25519_key")
			}
			if opts.MaxSessions <= 0 {
				return usageErr("--max-sessions must be at least 1")
			}
			if opts.LoginGrace <= 0 {
				return usageErr("--login-grace must be positive")
			}
			opts.IO, opts.OpenStore, opts.Env, opts.Now = f.Streams, f.openStore, f.providerEnvWithTimeout, f.now
			opts.Policy, opts.Sessions = sshPolicy(func() *cobra.Command { return newRootCmd(&factory{}) }), f.sessionCommands
			opts.Listen, opts.ReminderInterval = net.Listen, reminderInterval
			opts.ConfigDir, opts.Version = f.ConfigDir, f.Version
			return runF(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.ListenAddr, "listen", "127.0.0.1:2222", "address to listen on")
	fl.StringVar(&opts.AuthorizedKeys, "authorized-keys", "", "public keys allowed in (default CONFIG_DIR/authorized_keys)")
	fl.StringVar(&opts.HostKey, "host-key", "", "the server's private host key, generated on first start (default CONFIG_DIR/ssh_host_ed25519_key)")
	fl.IntVar(&opts.MaxSessions, "max-sessions", 32, "most sessions at once")
	fl.DurationVar(&opts.IdleTimeout, "idle-timeout", 15*time.Minute, "close a session after this long without input (0: never)")
	fl.DurationVar(&opts.LoginGrace, "login-grace", server.DefaultLoginGrace, "disconnect a client that has not logged in after this long")
	return cmd
}

// serveRun unlocks the store once, serves the UI and the sessions' commands over SSH until ctx
// ends, then closes the sessions and waits for saves in progress.
func serveRun(ctx context.Context, opts *serveOptions) error {
	store, err := opts.OpenStore()
	if err != nil {
		return err
	}
	if _, err := store.Load(); err != nil {
		return err
	}
	env := opts.Env(providers.DefaultTimeout) // made before any session can race to make it
	logger := slog.New(slog.NewTextHandler(opts.IO.Err, nil))
	srv, err := server.New(server.Options{
		Listen: opts.ListenAddr, HostKeyPath: opts.HostKey, AuthorizedKeysPath: opts.AuthorizedKeys,
		MaxSessions: opts.MaxSessions, IdleTimeout: opts.IdleTimeout, LoginGrace: opts.LoginGrace, Version: opts.Version, Logger: logger,
		NewModel: func(who string) tea.Model {
			return ui.New(ui.Options{ConfigDir: opts.ConfigDir, Store: store, Env: env, Who: who, Version: opts.Version,
				Notice: expiryGreeting(store.Load, defaultWarnExpiry, opts.Now())})
		},
		Policy:     opts.Policy,
		RunCommand: opts.Sessions(store, env),
		Drain:      store.Drain,
	})
	if err != nil {
		return usageErr("%v", err)
	}
	ln, err := opts.Listen("tcp", opts.ListenAddr)
	if err != nil {
		return usageErr("cannot listen on %s: %v", opts.ListenAddr, err)
	}
	fmt.Fprintf(opts.IO.Err, "gitopscfg: serving on %s (store %s, keys from %s)\n", ln.Addr(), store.Path(), opts.AuthorizedKeys)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	remindCtx, stopReminders := context.WithCancel(ctx)
	var reminders sync.WaitGroup
	defer reminders.Wait()
	defer stopReminders()
	ticks := time.NewTicker(opts.ReminderInterval)
	defer ticks.Stop()
	reminders.Go(func() { remindExpiringTokens(remindCtx, store.Load, logger, defaultWarnExpiry, ticks.C, opts.Now) })
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(opts.IO.Err, "gitopscfg: shutting down: closing sessions, finishing saves in progress")
	// Long enough for a round trip in flight to delete its repository (providers.DeepDeleteTimeout).
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	return <-done
}

// sshPolicy is serve's policy for the commands of sessions without a terminal (server.Options):
// each command is decided by sshRefusal, and logged as sshLogLine shows it, on a fresh command tree
// from newRoot, since a cobra tree is not safe for concurrent use.
func sshPolicy(newRoot func() *cobra.Command) func(args []string) (string, error) {
	return func(args []string) (string, error) {
		root := newRoot()
		return sshLogLine(root, args), sshRefusal(root, args)
	}
}

// sessionCommands returns what runs the command of an SSH session without a terminal, on store,
// the one serve unlocked, with env, the one the sessions share. It decides the command by the SSH
// policy again, on the very tree it runs, so that it runs nothing a session may not, whoever calls
// it, and the commands' help shows only what a session may use.
func (f *factory) sessionCommands(store *config.Store, env *providers.Env) sessionRunner {
	return func(ctx context.Context, who string, args []string, out, errOut io.Writer) int {
		sub := &factory{
			Streams: Streams{In: strings.NewReader(""), Out: out, Err: errOut}, Version: f.Version,
			ConfigDir: f.ConfigDir, Getenv: f.Getenv, store: store, env: env, whoami: who, now: f.now,
		}
		root := newRootCmd(sub)
		if err := sshRefusal(root, args); err != nil {
			fmt.Fprintln(errOut, "gitopscfg: "+err.Error())
			return exitUsageStore
		}
		setSSHHelp(root)
		root.SetArgs(args)
		root.SetOut(out)
		root.SetErr(errOut)
		root.SetIn(sub.In)
		err := root.ExecuteContext(ctx)
		if err != nil && !errors.Is(err, errCheckFailed) {
			fmt.Fprintln(errOut, "error:", err)
		}
		return exitCode(err)
	}
}
