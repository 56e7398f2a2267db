package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"gitopscfg/config"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// credentialOptions is what a verb whose one argument is CREDENTIAL needs (activate, remove): the
// injected dependencies, then CREDENTIAL.
type credentialOptions struct {
	runDeps
	// Credential is the credential's name as credentialArg read it; Typed as typed.
	Credential, Typed string
}

// onCredential is the RunE of a verb whose one argument is CREDENTIAL: it reads the argument and
// runs runF with f's dependencies.
func (f *factory) onCredential(runF func(context.Context, *credentialOptions) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		opts := &credentialOptions{runDeps: f.deps()}
		if err := readCredentialArg(args[0], &opts.Credential, &opts.Typed); err != nil {
			return err
		}
		return runF(cmd.Context(), opts)
	}
}

// newActivateCmd builds activate; runF runs it (nil: activateRun), so tests can swap it.
func newActivateCmd(f *factory, runF func(context.Context, *credentialOptions) error) *cobra.Command {
	if runF == nil {
		runF = activateRun
	}
	return &cobra.Command{
		Use:   "activate CREDENTIAL",
		Short: "Make CREDENTIAL the one active credential (a provider's id names the credential named after it)",
		Example: `  $ gitopscfg activate gitlab
  $ gitopscfg activate forgejo
  $ gitopscfg activate acme-infra`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: f.completeProviderArg(true),
		RunE:              f.onCredential(runF),
	}
}

// activateRun makes opts.Credential the active one.
func activateRun(ctx context.Context, opts *credentialOptions) error {
	s, _, c, err := loadCredential(opts.OpenStore, opts.Credential, opts.Typed)
	if err != nil {
		return err
	}
	_, err = usecase.New(s, usecase.Options{Who: opts.Who()}).Activate(ctx, opts.Credential)
	if config.IsKind(err, config.KindNotConfigured) {
		return usageErr("%s was removed meanwhile; nothing was changed", credentialLabel(opts.Credential, c.Provider))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Out, "%s is now the active %s.\n", credentialLabel(opts.Credential, c.Provider), credentialNoun(opts.Credential, c.Provider))
	return nil
}

// credentialLabel is providers.CredentialLabel of a stored credential's name and provider.
func credentialLabel(name, provider string) string {
	return providers.CredentialLabel(name, providers.ID(provider))
}

// credentialNoun is providers.CredentialNoun of a stored credential's name and provider.
func credentialNoun(name, provider string) string {
	return providers.CredentialNoun(name, providers.ID(provider))
}

// newRemoveCmd builds remove; runF runs it (nil: removeRun), so tests can swap it.
func newRemoveCmd(f *factory, runF func(context.Context, *credentialOptions) error) *cobra.Command {
	if runF == nil {
		runF = removeRun
	}
	return &cobra.Command{
		Use:               "remove CREDENTIAL",
		Short:             "Delete CREDENTIAL's stored configuration and token",
		Example:           "  $ gitopscfg remove azure\n  $ gitopscfg remove acme-infra",
		SuggestFor:        []string{"rm", "delete"},
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: f.completeProviderArg(true),
		RunE:              f.onCredential(runF),
	}
}

// removeRun deletes opts.Credential's settings and token from the store.
func removeRun(ctx context.Context, opts *credentialOptions) error {
	s, d, err := loadStore(opts.OpenStore)
	if err != nil {
		return unknownWithoutStore(err, opts.Credential, opts.Typed)
	}
	c := d.Credentials[opts.Credential]
	if c == nil {
		if p, err := providers.Lookup(opts.Credential); err == nil {
			return usageErr("%s is not configured; nothing was changed", p.Name)
		}
		return usageErr("%s", unknownCredential(opts.Typed, d))
	}
	label, noun := credentialLabel(opts.Credential, c.Provider), credentialNoun(opts.Credential, c.Provider)
	removed, err := usecase.New(s, usecase.Options{Env: opts.Env, Who: opts.Who()}).RemoveWithKey(ctx, opts.Credential, config.AnyRevision)
	wasActive := removed.WasActive
	if removed.Key != "" {
		fmt.Fprintln(opts.IO.Out, strings.ToUpper(removed.Key[:1])+removed.Key[1:]+".")
	}
	if config.IsKind(err, config.KindNotConfigured) {
		return usageErr("%s is not configured; nothing was changed", label)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Out, "Removed %s.\n", label)
	if wasActive {
		fmt.Fprintf(opts.IO.Out, "It was the active %s: none is active now (`gitopscfg activate CREDENTIAL`).\n", noun)
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
