package cli

import (
	"context"
	"fmt"
	"os"
	"time"

	"gitopscfg/config"
	"gitopscfg/platforms/devtronfake"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// startDemo starts the provider and Devtron emulators on loopback and points a throw-away store at them, with
// every provider configured with full-access demo credentials and GitHub active. Everything is
// removed when the process ends.
func (a *App) startDemo(ctx context.Context) error {
	emu, err := fake.Start(fake.Options{})
	if err != nil {
		return usageErr("--demo: %v", err)
	}
	a.cleanup = append(a.cleanup, emu.Close)
	a.demo = emu
	dtEmu, err := devtronfake.Start(devtronfake.Options{})
	if err != nil {
		return usageErr("--demo: %v", err)
	}
	a.cleanup = append(a.cleanup, dtEmu.Close)
	dir, err := os.MkdirTemp("", "gitopscfg-demo-")
	if err != nil {
		return usageErr("--demo: %v", err)
	}
	a.cleanup = append(a.cleanup, func() { _ = os.RemoveAll(dir) })
	a.ConfigDir = dir
	a.Getenv = demoEnv(a.Getenv)
	s, err := config.Init(dir, "")
	if err != nil {
		return err
	}
	_, err = s.Update(ctx, "demo", "set", 0, func(d *config.Data) error {
		for _, id := range providers.IDs {
			p := &config.Provider{UpdatedAt: time.Now().UTC()}
			emu.DemoCredentials(id).ApplyTo(p)
			d.Providers[string(id)] = p
		}
		d.Active = string(providers.GitHub)
		d.Devtron = &config.Devtron{URL: dtEmu.URL(), Token: devtronfake.SuperAdminToken, UpdatedAt: time.Now().UTC()}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(a.Err, "demo: using built-in provider and Devtron emulators on loopback and a throw-away store; nothing real is touched")
	return nil
}

// demoEnv hides a real passphrase from the demo's key-file store.
func demoEnv(next func(string) string) func(string) string {
	return func(k string) string {
		if k == "GITOPSCFG_PASSPHRASE" {
			return ""
		}
		return next(k)
	}
}
