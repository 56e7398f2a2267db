package cli

import "context"

// runUI starts the terminal UI (the setup wizard when there is no store yet).
func (a *App) runUI(ctx context.Context) error {
	return usageErr("the terminal UI is not built yet: use the verbs (gitopscfg --help)")
}
