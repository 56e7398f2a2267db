package cli

import (
	"context"
	"fmt"
	"os"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/platforms/devtronfake"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
	"gitopscfg/usecase"
)

// startDemo starts the provider and Devtron emulators on loopback and points a throw-away store at them, with
// every provider configured with full-access demo credentials and GitHub active. Everything is
// removed when the process ends.
func (f *factory) startDemo(ctx context.Context) error {
	emu, err := fake.Start(fake.Options{})
	if err != nil {
		return usageErr("--demo: %v", err)
	}
	f.cleanup = append(f.cleanup, emu.Close)
	f.demo = emu
	dtEmu, err := devtronfake.Start(devtronfake.Options{})
	if err != nil {
		return usageErr("--demo: %v", err)
	}
	f.cleanup = append(f.cleanup, dtEmu.Close)
	dir, err := os.MkdirTemp("", "gitopscfg-demo-")
	if err != nil {
		return usageErr("--demo: %v", err)
	}
	f.cleanup = append(f.cleanup, func() { _ = os.RemoveAll(dir) })
	f.ConfigDir = dir
	f.Getenv = demoEnv(f.Getenv)
	// The demo store: every provider on the emulators, GitHub active, the Devtron emulator.
	o := usecase.Options{Who: "demo"}
	b, _, err := usecase.Create(ctx, dir, "", o, usecase.SaveInput{Credentials: emu.DemoCredentials(providers.FirstRun)})
	if err != nil {
		return err
	}
	for _, id := range providers.IDs {
		if id == providers.FirstRun {
			continue
		}
		if _, err := b.Save(ctx, usecase.SaveInput{Credentials: emu.DemoCredentials(id), Base: config.AnyRevision}); err != nil {
			return err
		}
	}
	if _, _, err := b.SetInstance(ctx, usecase.InstanceInput{Instance: platforms.Instance{Kind: platforms.KindDevtron, URL: dtEmu.URL(), Token: devtronfake.SuperAdminToken}}); err != nil {
		return err
	}
	fmt.Fprintln(f.Err, "demo: using built-in provider and Devtron emulators on loopback and a throw-away store; nothing real is touched")
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
