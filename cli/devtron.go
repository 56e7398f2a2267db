package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gitopscfg/config"
	"gitopscfg/forms"
	"gitopscfg/platforms"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// newDevtronCmd builds devtron and its sub-commands set and remove.
func newDevtronCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "devtron set|remove",
		Short: "Store or remove the Devtron instances credentials are pushed to",
		Example: `  $ printf '%s' "$DEVTRON_TOKEN" | gitopscfg devtron set --url https://devtron.example.com --token-stdin
  $ printf '%s' "$STAGING_TOKEN" | gitopscfg devtron set staging --url https://devtron.staging.example.com --token-stdin
  $ gitopscfg devtron remove staging`,
		Args:                       rejectUnknownCommand,
		SuggestionsMinimumDistance: suggestionDistance,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageErr("use `gitopscfg devtron set` or `gitopscfg devtron remove`")
		},
	}
	cmd.AddCommand(newDevtronSetCmd(f, nil), newDevtronRemoveCmd(f, nil))
	for _, c := range cmd.Commands() {
		c.Args = wrapArgs(c.Args)
	}
	return cmd
}

// devtronSetOptions is what devtron set needs: injected dependencies first, then the parsed flags.
type devtronSetOptions struct {
	runDeps

	// Instance is the INSTANCE argument (default "default").
	Instance string
	// URL and CABundle are --url and --ca-bundle (nil: not given, the stored value stays).
	URL, CABundle *string
	TokenStdin    bool
	NoCheck       bool
	Timeout       time.Duration
	// Net holds the network flags given (NetGiven), as typed.
	Net      config.Settings
	NetGiven []config.Field
}

// newDevtronSetCmd builds devtron set; runF runs it (nil: devtronSetRun), so tests can swap it.
func newDevtronSetCmd(f *factory, runF func(context.Context, *devtronSetOptions) error) *cobra.Command {
	if runF == nil {
		runF = devtronSetRun
	}
	opts := &devtronSetOptions{}
	var url, caBundle string
	cmd := &cobra.Command{
		Use:   "set [INSTANCE] --url URL --token-stdin [--ca-bundle FILE] [--proxy URL [--proxy-username U] [--no-proxy LIST]] [--client-cert FILE --client-key FILE] [--no-check]",
		Short: "Store a Devtron instance (its API token is encrypted like the Git tokens)",
		Long: `Store a Devtron instance that ` + "`gitopscfg push devtron`" + ` sends configurations to, under the name
INSTANCE (default "default"; lower-case letters, digits and '-', at most 40 characters): a staging and
a production Devtron are two instances. The API token (Devtron: Global Configurations > Authorization >
API tokens; its user must be a super-admin) is read from standard input, never from the command line.
The instance is checked first (reachable, token valid, super-admin) and saved only if the check
passes; --no-check saves without checking.`,
		Example: `  # The token comes from a variable, on standard input
  $ printf '%s' "$DEVTRON_TOKEN" | gitopscfg devtron set --url https://devtron.example.com --token-stdin

  # A second instance, named staging
  $ printf '%s' "$STAGING_TOKEN" | gitopscfg devtron set staging --url https://devtron.staging.example.com --token-stdin

  # A Devtron whose certificate a private CA signed
  $ gitopscfg devtron set --ca-bundle /etc/ssl/corp-ca.pem`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := instanceArg(args)
			if err != nil {
				return err
			}
			opts.Instance = name
			if cmd.Flags().Changed("url") {
				opts.URL = &url
			}
			if cmd.Flags().Changed("ca-bundle") {
				opts.CABundle = &caBundle
			}
			opts.NetGiven = netFlagsGiven(cmd.Flags(), &opts.Net)
			opts.runDeps = f.deps()
			return runF(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&url, "url", "", "Devtron's URL (the address of its dashboard, e.g. https://devtron.example.com)")
	fl.BoolVar(&opts.TokenStdin, "token-stdin", false, "read the Devtron API token from standard input")
	fl.StringVar(&caBundle, "ca-bundle", "", "PEM file of a private CA that signed Devtron's certificate")
	fl.BoolVar(&opts.NoCheck, "no-check", false, "save without checking the instance")
	fl.DurationVar(&opts.Timeout, "timeout", providers.DefaultTimeout, "deadline for the check")
	addNetFlags(fl)
	return cmd
}

// devtronSetRun stores the Devtron instance: the stored one changed by what opts gives, checked
// first unless opts.NoCheck.
func devtronSetRun(ctx context.Context, opts *devtronSetOptions) error {
	s, d, err := loadStore(opts.OpenStore)
	if err != nil {
		return err
	}
	in, err := opts.instance(d)
	if err != nil {
		return err
	}
	b := usecase.New(s, usecase.Options{Env: opts.Env, Now: opts.Now, Who: opts.Who()})
	r, _, err := b.SetDevtron(ctx, usecase.DevtronInput{Instance: in, Check: !opts.NoCheck, Timeout: opts.Timeout})
	var (
		failed   *usecase.DevtronCheckFailedError
		unusable *usecase.InstanceError
	)
	switch {
	case errors.As(err, &failed):
		writeDevtronCheck(opts.IO.Out, r)
		fmt.Fprintln(opts.IO.Err, "not saved: the Devtron check failed; fix what it names, or save anyway with --no-check")
		return errCheckFailed
	case errors.As(err, &unusable):
		return usageErr("%v", err)
	case err != nil:
		return err
	case !opts.NoCheck:
		writeDevtronCheck(opts.IO.Out, r)
	}
	if opts.Instance == config.DefaultInstance {
		fmt.Fprintf(opts.IO.Out, "Saved the Devtron instance %s.\n", in.URL)
	} else {
		fmt.Fprintf(opts.IO.Out, "Saved the Devtron instance %s (%s).\n", opts.Instance, in.URL)
	}
	return nil
}

// instance is the Devtron instance to store: the stored one of that name (default "default")
// changed by the flags, its token read from standard input with --token-stdin; a usage error when
// it would lack its URL or token, or nothing changes.
func (opts *devtronSetOptions) instance(d *config.Data) (platforms.Instance, error) {
	var err error
	opts.Instance = cmp.Or(opts.Instance, config.DefaultInstance)
	in := platforms.Instance{Kind: platforms.KindDevtron, Name: opts.Instance}
	if p := d.Platforms[string(platforms.KindDevtron)][opts.Instance]; p != nil {
		in = *platforms.InstanceOf(platforms.KindDevtron, opts.Instance, p)
	}
	if opts.URL != nil {
		in.URL = strings.TrimSpace(*opts.URL)
	}
	if opts.CABundle != nil {
		if in.CABundle = strings.TrimSpace(*opts.CABundle); in.CABundle != "" {
			if in.CABundle, err = forms.CABundle(in.CABundle); err != nil {
				return platforms.Instance{}, usageErr("--ca-bundle: %v", err)
			}
		}
	}
	if opts.TokenStdin {
		if in.Token, err = readToken(opts.IO.In, opts.IO.Err, devtronTokenNoun); err != nil {
			return platforms.Instance{}, err
		}
	}
	switch {
	case in.URL == "":
		return platforms.Instance{}, usageErr("no Devtron instance named %s is stored yet: give --url", opts.Instance)
	case in.Token == "":
		return platforms.Instance{}, usageErr("no Devtron API token is stored yet: give --token-stdin and the token on standard input")
	case opts.URL == nil && !opts.TokenStdin && opts.CABundle == nil && len(opts.NetGiven) == 0:
		return platforms.Instance{}, usageErr("nothing to change: give --url, --token-stdin, --ca-bundle, --proxy or --client-cert")
	}
	if in.Net, err = opts.net(in.Net); err != nil {
		return platforms.Instance{}, err
	}
	if err := providers.RequireSafeURL(in.URL); err != nil {
		return platforms.Instance{}, usageErr("--url: %v", err)
	}
	return in, nil
}

// net is the instance's network settings: the stored ones changed by the network flags given.
func (opts *devtronSetOptions) net(stored config.Net) (config.Net, error) {
	if len(opts.NetGiven) == 0 {
		return stored, nil
	}
	s := config.Settings{Proxy: stored.Proxy, ProxyUsername: stored.ProxyUsername, ProxyPassword: stored.ProxyPassword,
		NoProxy: stored.NoProxy, ClientCert: stored.ClientCert, ClientKey: stored.ClientKey}
	for _, k := range opts.NetGiven {
		*s.Ref(k) = *opts.Net.Ref(k)
	}
	if _, err := applyNetFlags(opts.runDeps, &s, opts.NetGiven); err != nil {
		return config.Net{}, err
	}
	n, err := forms.NetSettings(s.Net())
	if err != nil {
		return config.Net{}, usageErr("not saved: %v", err)
	}
	return n, nil
}

// devtronRemoveOptions is what devtron remove needs: the injected dependencies, then INSTANCE.
type devtronRemoveOptions struct {
	runDeps
	// Instance is the INSTANCE argument ("": the default or only one).
	Instance string
}

// newDevtronRemoveCmd builds devtron remove; runF runs it (nil: devtronRemoveRun), so tests can swap it.
func newDevtronRemoveCmd(f *factory, runF func(context.Context, *devtronRemoveOptions) error) *cobra.Command {
	if runF == nil {
		runF = devtronRemoveRun
	}
	return &cobra.Command{
		Use:     "remove [INSTANCE]",
		Short:   "Forget a stored Devtron instance (nothing changes in Devtron)",
		Example: "  $ gitopscfg devtron remove\n  $ gitopscfg devtron remove staging",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := &devtronRemoveOptions{runDeps: f.deps()}
			if len(args) == 1 {
				name, err := instanceArg(args)
				if err != nil {
					return err
				}
				opts.Instance = name
			}
			return runF(cmd.Context(), opts)
		},
	}
}

// devtronRemoveRun forgets the stored Devtron instance.
func devtronRemoveRun(ctx context.Context, opts *devtronRemoveOptions) error {
	s, d, err := loadStore(opts.OpenStore)
	if err != nil {
		return err
	}
	kind := string(platforms.KindDevtron)
	name, _ := d.Instance(kind, opts.Instance)
	switch names := d.InstanceNames(kind); {
	case len(names) == 0:
		return usageErr("no Devtron instance is stored")
	case name == "" && opts.Instance != "":
		return usageErr("no Devtron instance named %s is stored: the stored ones are %s", opts.Instance, strings.Join(names, ", "))
	case name == "":
		return usageErr("several Devtron instances are stored: name the one to remove (%s)", strings.Join(names, ", "))
	}
	if _, err := usecase.New(s, usecase.Options{Who: opts.Who()}).RemoveDevtron(ctx, name); err != nil {
		return err
	}
	if name == config.DefaultInstance && len(d.InstanceNames(kind)) == 1 {
		fmt.Fprintln(opts.IO.Out, "Removed the Devtron instance; its configurations in Devtron are unchanged.")
	} else {
		fmt.Fprintf(opts.IO.Out, "Removed the Devtron instance %s; its configurations in Devtron are unchanged.\n", name)
	}
	return nil
}

// instanceArg reads the optional INSTANCE argument of a platform's sub-command (default
// "default").
func instanceArg(args []string) (string, error) {
	if len(args) == 0 {
		return config.DefaultInstance, nil
	}
	name := strings.TrimSpace(args[0])
	if err := config.ValidName(name); err != nil {
		return "", usageErr("INSTANCE: %v", err)
	}
	return name, nil
}

// writeDevtronCheck prints the instance check for a person.
func writeDevtronCheck(w io.Writer, r providers.Result) {
	host := r.Host
	if r.Proxy != nil {
		host += " via " + hostOf(*r.Proxy)
	}
	fmt.Fprintf(w, "Devtron — %s — %s in %d ms\n", host, resultVerdict(r), r.DurationMS)
	writeCheckLines(w, r.Checks) // the instance's checks are not timed one by one
}
