package cli

import (
	"context"
	"errors"
	"time"

	"gitopscfg/providers"
	"gitopscfg/ui"
)

// uiOptions is what the terminal UI (the root command without a verb) needs: the streams, the
// providers' environment, the audit identity, what starts the UI, then where the store is and how
// the UI is to look.
type uiOptions struct {
	IO  Streams
	Env func(timeout time.Duration) *providers.Env
	Who func() string
	// Start runs the UI until it ends (ui.Run).
	Start func(context.Context, ui.Options) error
	// NewProvider gives a provider's first credentials (--demo: the emulators', so nothing real is
	// touched, even for a removed provider; nil: the provider's defaults).
	NewProvider func(providers.ID) providers.Credentials
	ConfigDir   string
	Version     string
	// Passphrase is GITOPSCFG_PASSPHRASE ("" under --demo: its store has a key file).
	Passphrase string
	// Accessible is --accessible, or TERM=dumb: plain prompts instead of the full-screen UI.
	Accessible bool
}

// uiOptionsFrom fills the UI's options from the factory, once the root's pre-run has resolved the
// config directory and started the demo.
func uiOptionsFrom(f *factory, accessible bool) *uiOptions {
	opts := &uiOptions{IO: f.Streams, Env: f.providerEnvWithTimeout, Who: f.who, Start: startUI,
		ConfigDir: f.ConfigDir, Version: f.Version, Passphrase: f.Getenv("GITOPSCFG_PASSPHRASE"),
		Accessible: accessible || f.Getenv("TERM") == "dumb"}
	if f.demo != nil {
		opts.NewProvider = f.demo.DemoCredentials
	}
	return opts
}

// startUI runs the UI with the program's defaults.
func startUI(ctx context.Context, o ui.Options) error { return ui.Run(ctx, o) }

// uiRun starts the terminal UI (the setup wizard when there is no store yet).
func uiRun(ctx context.Context, opts *uiOptions) error {
	if !opts.Accessible && !opts.IO.IsTerm {
		return usageErr("the interactive UI needs a terminal; from a script use the commands instead " +
			"(gitopscfg status, check, set …; see gitopscfg --help), or --accessible for plain prompts")
	}
	err := opts.Start(ctx, ui.Options{
		NewProvider: opts.NewProvider,
		ConfigDir:   opts.ConfigDir,
		Passphrase:  opts.Passphrase,
		Env:         opts.Env(providers.DefaultTimeout),
		Who:         opts.Who(),
		Accessible:  opts.Accessible,
		Version:     opts.Version,
	})
	if errors.Is(err, ui.ErrUnlockFailed) {
		return usageErr("%v", err)
	}
	// ui errors are written for the admin and never hold a token.
	return err
}
