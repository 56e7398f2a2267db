package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
)

// Main runs the command line with args (without the program name) and returns the exit code.
func Main(args []string, streams Streams, version string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first signal cancels ctx (every mode then winds down: a round trip deletes its
	// repository first); a second one ends the process at once, whatever it waits on.
	go func() { <-ctx.Done(); stop() }()
	return run(ctx, args, newFactory(streams, version, os.Getenv, terminalPassphrase))
}

// newFactory is what every verb of one invocation is given: the streams, the environment, the
// passphrase prompt (nil: no terminal) and the clock.
func newFactory(streams Streams, version string, getenv func(string) string, passphrase func(string) (string, error)) *factory {
	return &factory{Streams: streams, Version: version, Getenv: getenv, Passphrase: passphrase, now: time.Now}
}

// run executes one invocation with the dependencies in f, in this process.
func run(ctx context.Context, args []string, f *factory) int {
	defer f.runCleanup()
	root := newRootCmd(f)
	if isCompletionRequest(args) {
		registerFlagCompletions(root)
	}
	root.SetArgs(args)
	root.SetIn(f.In)
	root.SetOut(f.Out)
	root.SetErr(f.Err)
	err := root.ExecuteContext(ctx)
	if err != nil && !errors.Is(err, errCheckFailed) {
		fmt.Fprintln(f.Err, "error:", err)
	}
	return exitCode(err)
}

func (f *factory) runCleanup() {
	for i := len(f.cleanup) - 1; i >= 0; i-- {
		f.cleanup[i]()
	}
	f.cleanup = nil
}

// newRootCmd builds the command tree for one invocation.
func newRootCmd(f *factory) *cobra.Command { return newRootCmdWith(f, nil) }

// newRootCmdWith is newRootCmd whose own run, the terminal UI, is uiF (nil: uiRun), so tests can
// swap it.
func newRootCmdWith(f *factory, uiF func(context.Context, *uiOptions) error) *cobra.Command {
	var accessible bool
	root := &cobra.Command{
		Use:   "gitopscfg",
		Short: "Set up and verify the Git credentials of a GitOps platform",
		Long: `gitopscfg sets up and verifies the Git credentials a GitOps platform needs: GitHub, GitLab,
Azure DevOps, Bitbucket Cloud or Gitea / Forgejo, with live token checks and an encrypted local store.

Run it without a command for the terminal UI (the setup wizard on first run).`,
		Example: `  # The terminal UI: the setup wizard on first run, the provider picker after it
  $ gitopscfg

  # Add a provider, checked live first; the token comes from a variable, on standard input
  $ printf '%s' "$GITHUB_TOKEN" | gitopscfg set github --org acme --username octocat --token-stdin --activate

  # Re-test every configured provider
  $ gitopscfg check --all

  # Try it all offline, against built-in emulators of the providers
  $ gitopscfg --demo`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// An argument of the root is a mistyped verb: the error says which verbs it may have meant.
		Args:                       rejectUnknownCommand,
		SuggestionsMinimumDistance: suggestionDistance,
		PersistentPreRunE:          f.prepareRun,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts := uiOptionsFrom(f, accessible)
			if uiF != nil {
				return uiF(cmd.Context(), opts)
			}
			return uiRun(cmd.Context(), opts)
		},
	}
	// Neither global flag is for a session over SSH (no allowFlagOverSSH, sshpolicy.go): it would
	// choose the server's store.
	root.PersistentFlags().StringVar(&f.ConfigDir, "config-dir", "", "config directory (env GITOPSCFG_CONFIG_DIR; default $XDG_CONFIG_HOME/gitopscfg)")
	root.PersistentFlags().BoolVar(&f.Demo, "demo", false, "run against built-in emulators of the providers with a throw-away store (offline)")
	_ = root.MarkPersistentFlagDirname("config-dir") // completes directories
	root.Flags().BoolVar(&accessible, "accessible", false, "plain prompts for screen readers instead of the full-screen UI")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr("%v", err) })
	addVerbs(root, f)
	return root
}

// prepareRun runs before every verb: it finds the config directory and, with --demo, starts the
// emulators and the throw-away store.
func (f *factory) prepareRun(cmd *cobra.Command, _ []string) error {
	if completionRequest(cmd) {
		return nil // completion never needs the config directory, nor the demo
	}
	if err := f.resolveConfigDir(); err != nil {
		return err
	}
	if f.Demo {
		return f.startDemo(cmd.Context())
	}
	return nil
}

// addVerbs adds every verb to root, each refusing its wrong arguments as a usage error (wrapArgs).
func addVerbs(root *cobra.Command, f *factory) {
	root.AddCommand(newInitCmd(f, nil), newStatusCmd(f, nil), newCheckCmd(f, nil), newSetCmd(f, nil), newActivateCmd(f, nil),
		newRemoveCmd(f, nil), newVersionCmd(f, nil), newServeCmd(f, nil))
	root.AddCommand(newPlatformCmds(f)...)
	root.AddCommand(newPushCmd(f, nil))
	root.AddCommand(newExportCmd(f, nil))
	root.AddCommand(newRotateCmd(f, nil))
	root.AddCommand(newWhichCmd(f, nil))
	for _, c := range root.Commands() {
		c.Args = wrapArgs(c.Args)
	}
}

// wrapArgs turns cobra's argument errors into usage errors (exit 2).
func wrapArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	if v == nil {
		return nil
	}
	return func(cmd *cobra.Command, args []string) error {
		if err := v(cmd, args); err != nil {
			return usageErr("%v", err)
		}
		return nil
	}
}
