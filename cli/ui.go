package cli

import (
	"context"
	"errors"

	"gitopscfg/providers"
	"gitopscfg/ui"
)

// runUI starts the terminal UI (the setup wizard when there is no store yet).
func (a *factory) runUI(ctx context.Context) error {
	accessible := a.Accessible || a.Getenv("TERM") == "dumb"
	if !accessible && !a.IsTerm {
		return usageErr("the interactive UI needs a terminal; from a script use the commands instead " +
			"(gitopscfg status, check, set …; see gitopscfg --help), or --accessible for plain prompts")
	}
	var newProvider func(providers.ID) providers.Credentials
	if a.demo != nil {
		newProvider = a.demo.DemoCredentials // nothing real is touched, even for a removed provider
	}
	err := ui.Run(ctx, ui.Options{
		NewProvider: newProvider,
		ConfigDir:   a.ConfigDir,
		Passphrase:  a.Getenv("GITOPSCFG_PASSPHRASE"),
		Env:         a.providerEnv(),
		Who:         a.who(),
		Accessible:  accessible,
		Version:     a.Version,
	})
	if errors.Is(err, ui.ErrUnlockFailed) {
		return usageErr("%v", err)
	}
	// ui errors are written for the admin and never hold a token.
	return err
}
