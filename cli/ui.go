package cli

import (
	"context"
	"errors"

	"gitopscfg/providers"
	"gitopscfg/ui"
)

// runUI starts the terminal UI (the setup wizard when there is no store yet).
func (f *factory) runUI(ctx context.Context) error {
	accessible := f.Accessible || f.Getenv("TERM") == "dumb"
	if !accessible && !f.IsTerm {
		return usageErr("the interactive UI needs a terminal; from a script use the commands instead " +
			"(gitopscfg status, check, set …; see gitopscfg --help), or --accessible for plain prompts")
	}
	var newProvider func(providers.ID) providers.Credentials
	if f.demo != nil {
		newProvider = f.demo.DemoCredentials // nothing real is touched, even for a removed provider
	}
	err := ui.Run(ctx, ui.Options{
		NewProvider: newProvider,
		ConfigDir:   f.ConfigDir,
		Passphrase:  f.Getenv("GITOPSCFG_PASSPHRASE"),
		Env:         f.providerEnv(),
		Who:         f.who(),
		Accessible:  accessible,
		Version:     f.Version,
	})
	if errors.Is(err, ui.ErrUnlockFailed) {
		return usageErr("%v", err)
	}
	// ui errors are written for the admin and never hold a token.
	return err
}
