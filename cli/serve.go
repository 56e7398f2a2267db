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
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"

	"gitopscfg/server"
	"gitopscfg/ui"
)

type serveOptions struct {
	listen, authorizedKeys, hostKey string
	maxSessions                     int
	idleTimeout, loginGrace         time.Duration
}

func newServeCmd(f *factory) *cobra.Command {
	var o serveOptions
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
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return f.runServe(cmd.Context(), o) },
	}
	fl := cmd.Flags()
	fl.StringVar(&o.listen, "listen", "127.0.0.1:2222", "address to listen on")
	fl.StringVar(&o.authorizedKeys, "authorized-keys", "", "public keys allowed in (default CONFIG_DIR/authorized_keys)")
	fl.StringVar(&o.hostKey, "host-key", "", "the server's private host key, generated on first start (default CONFIG_DIR/ssh_host_ed25519_key)")
	fl.IntVar(&o.maxSessions, "max-sessions", 32, "most sessions at once")
	fl.DurationVar(&o.idleTimeout, "idle-timeout", 15*time.Minute, "close a session after this long without input (0: never)")
	fl.DurationVar(&o.loginGrace, "login-grace", server.DefaultLoginGrace, "disconnect a client that has not logged in after this long")
	return cmd
}

func (f *factory) runServe(ctx context.Context, o serveOptions) error {
	if o.authorizedKeys == "" {
		o.authorizedKeys = filepath.Join(f.ConfigDir, "authorized_keys")
	}
	if o.hostKey == "" {
		o.hostKey = filepath.Join(f.ConfigDir, "ssh_host_ed25519_key")
	}
	if o.maxSessions <= 0 {
		return usageErr("--max-sessions must be at least 1")
	}
	if o.loginGrace <= 0 {
		return usageErr("--login-grace must be positive")
	}
	store, err := f.openStore()
	if err != nil {
		return err
	}
	if _, err := store.Load(); err != nil {
		return err
	}
	f.store = store
	env := f.providerEnv() // made before any session can race to make it
	logger := slog.New(slog.NewTextHandler(f.Err, nil))
	srv, err := server.New(server.Options{
		Listen: o.listen, HostKeyPath: o.hostKey, AuthorizedKeysPath: o.authorizedKeys,
		MaxSessions: o.maxSessions, IdleTimeout: o.idleTimeout, LoginGrace: o.loginGrace, Version: f.Version, Logger: logger,
		NewModel: func(who string) tea.Model {
			return ui.New(ui.Options{ConfigDir: f.ConfigDir, Store: store, Env: env, Who: who, Version: f.Version,
				Notice: expiryGreeting(store.Load, defaultWarnExpiry, time.Now())})
		},
		RunCommand: f.sessionCommand,
		Drain:      store.Drain,
	})
	if err != nil {
		return usageErr("%v", err)
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return usageErr("cannot listen on %s: %v", o.listen, err)
	}
	fmt.Fprintf(f.Err, "gitopscfg: serving on %s (store %s, keys from %s)\n", ln.Addr(), store.Path(), o.authorizedKeys)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	daily := time.NewTicker(reminderInterval)
	defer daily.Stop()
	go remindExpiringTokens(ctx, store.Load, logger, defaultWarnExpiry, daily.C, time.Now)
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(f.Err, "gitopscfg: shutting down: closing sessions, finishing saves in progress")
	// Long enough for a round trip in flight to delete its repository (providers.DeepDeleteTimeout).
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	return <-done
}

// sessionCommand runs `status` or `check` for an SSH session without a terminal, on the shared
// store, and returns the exit status.
func (f *factory) sessionCommand(ctx context.Context, who string, args []string, out, errOut io.Writer) int {
	// The session may not choose another config dir, start the demo, or write files on the server.
	for _, arg := range args {
		if strings.HasPrefix(arg, "--config-dir") || strings.HasPrefix(arg, "--demo") || strings.HasPrefix(arg, "--output") {
			fmt.Fprintln(errOut, "error: --config-dir, --demo and --output are not available over SSH")
			return exitUsageStore
		}
	}
	sub := &factory{
		Streams: Streams{In: strings.NewReader(""), Out: out, Err: errOut}, Version: f.Version,
		ConfigDir: f.ConfigDir, Getenv: f.Getenv, store: f.store, env: f.providerEnv(), whoami: who, now: f.now,
	}
	root := newRootCmd(sub)
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
