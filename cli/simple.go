package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// activateOptions is what activate needs: where to write, how to open the store, who acts.
type activateOptions struct {
	Out       io.Writer
	OpenStore func() (*config.Store, error)
	Who       func() string
	Provider  providers.Provider
}

// newActivateCmd builds activate; runF runs it (nil: activateRun), so tests can swap it.
func newActivateCmd(f *factory, runF func(context.Context, *activateOptions) error) *cobra.Command {
	return &cobra.Command{
		Use:   "activate PROVIDER",
		Short: "Make PROVIDER the one active provider (it must be configured)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := providerArg(args[0])
			if err != nil {
				return err
			}
			opts := &activateOptions{Out: f.Out, OpenStore: f.openStore, Who: f.who, Provider: p}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return activateRun(cmd.Context(), opts)
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
	_, err = s.Activate(ctx, opts.Who(), string(p.ID))
	if config.IsKind(err, config.KindNotConfigured) {
		return usageErr("%s is not configured: run `gitopscfg set %s …` first", p.Name, p.ID)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.Out, "%s is now the active provider.\n", p.Name)
	return nil
}

func newRemoveCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "remove PROVIDER",
		Short: "Delete PROVIDER's stored configuration and token",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := providerArg(args[0])
			if err != nil {
				return err
			}
			s, err := f.openStore()
			if err != nil {
				return err
			}
			_, wasActive, err := s.Remove(cmd.Context(), f.who(), string(p.ID), config.AnyRevision)
			if config.IsKind(err, config.KindNotConfigured) {
				return usageErr("%s is not configured; nothing was changed", p.Name)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(f.Out, "Removed %s.\n", p.Name)
			if wasActive {
				fmt.Fprintln(f.Out, "It was the active provider: no provider is active now (`gitopscfg activate PROVIDER`).")
			}
			return nil
		},
	}
}

func newVersionCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		// version needs no config directory.
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintln(f.Out, "gitopscfg", f.Version)
			return nil
		},
	}
}
