package cli

import "context"

func (a *App) startDemo(ctx context.Context) error {
	return usageErr("--demo is not built yet")
}
