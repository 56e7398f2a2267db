package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"gitopscfg/config"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// activateOptions is what activate needs: the streams, how to open the store, who acts, and PROVIDER.
type activateOptions struct {
	IO        Streams
	OpenStore func() (*config.Store, error)
	Who       func() string
	Provider  providers.Provider
}

// newActivateCmd builds activate; runF runs it (nil: activateRun), so tests can swap it.
func newActivateCmd(f *factory, runF func(context.Context, *activateOptions) error) *cobra.Command {
	if runF == nil {
		runF = activateRun
	}
	return &cobra.Command{
		Use:   "activate PROVIDER",
		Short: "Make PROVIDER the one active provider (it must be configured)",
		Example: `  $ gitopscfg activate gitlab
  $ gitopscfg activate forgejo`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: f.completeProviderArg(true),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := providerArg(args[0])
			if err != nil {
				return err
			}
			opts := &activateOptions{IO: f.Streams, OpenStore: f.openStore, Who: f.who, Provider: p}
			return runF(cmd.Context(), opts)
		},
	}
}

// activateRun makes opts.Provider the active provider.
func activateRun(ctx context.Context, opts *activateOptions) error {
	p := opts.Provider
	s, err := opts.OpenStore()
	if err != nil {
		return err
	}
	_, err = usecase.New(s, usecase.Options{Who: opts.Who()}).Activate(ctx, p.ID)
	if config.IsKind(err, config.KindNotConfigured) {
		return usageErr("%s is not configured: run `gitopscfg set %s …` first", p.Name, p.ID)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Out, "%s is now the active provider.\n", p.Name)
	return nil
}

// removeOptions is what remove needs: the streams, how to open the store, who acts, and PROVIDER.
type removeOptions struct {
	IO        Streams
	OpenStore func() (*config.Store, error)
	Who       func() string
	Provider  providers.Provider
}

// newRemoveCmd builds remove; runF runs it (nil: removeRun), so tests can swap it.
func newRemoveCmd(f *factory, runF func(context.Context, *removeOptions) error) *cobra.Command {
	if runF == nil {
		runF = removeRun
	}
	return &cobra.Command{
		Use:               "remove PROVIDER",
		Short:             "Delete PROVIDER's stored configuration and token",
		Example:           `  $ gitopscfg remove azure`,
		SuggestFor:        []string{"rm", "delete"},
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: f.completeProviderArg(true),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := providerArg(args[0])
			if err != nil {
				return err
			}
			opts := &removeOptions{IO: f.Streams, OpenStore: f.openStore, Who: f.who, Provider: p}
			return runF(cmd.Context(), opts)
		},
	}
}

// removeRun deletes opts.Provider's settings and token from the store.
func removeRun(ctx context.Context, opts *removeOptions) error {
	p := opts.Provider
	s, err := opts.OpenStore()
	if err != nil {
		return err
	}
	_, wasActive, err := usecase.New(s, usecase.Options{Who: opts.Who()}).Remove(ctx, p.ID, config.AnyRevision)
	if config.IsKind(err, config.KindNotConfigured) {
		return usageErr("%s is not configured; nothing was changed", p.Name)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Out, "Removed %s.\n", p.Name)
	if wasActive {
		fmt.Fprintln(opts.IO.Out, "It was the active provider: no provider is active now (`gitopscfg activate PROVIDER`).")
	}
	return nil
}

// versionOptions is what version needs: the streams and the program's version.
type versionOptions struct {
	IO      Streams
	Version string
}

// newVersionCmd builds version; runF runs it (nil: versionRun), so tests can swap it.
func newVersionCmd(f *factory, runF func(context.Context, *versionOptions) error) *cobra.Command {
	if runF == nil {
		runF = versionRun
	}
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version",
		Example: `  $ gitopscfg version`,
		Args:    cobra.NoArgs,
		// version needs no config directory.
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts := &versionOptions{IO: f.Streams, Version: f.Version}
			return runF(cmd.Context(), opts)
		},
	}
}

// versionRun prints the program's version.
func versionRun(_ context.Context, opts *versionOptions) error {
	fmt.Fprintln(opts.IO.Out, "gitopscfg", opts.Version)
	return nil
}
