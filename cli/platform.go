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

// newPlatformCmds builds `KIND set|remove` for every kind of platform that has instances here,
// from what its Spec declares (ARCHITECTURE.md: a platform is one package plus its registration).
func newPlatformCmds(f *factory) []*cobra.Command {
	var out []*cobra.Command
	for _, spec := range platforms.Kinds() {
		if spec.Open != nil {
			out = append(out, newPlatformCmd(f, spec))
		}
	}
	return out
}

// newPlatformCmd builds KIND and its sub-commands set and remove.
func newPlatformCmd(f *factory, spec platforms.Spec) *cobra.Command {
	kind := string(spec.Kind)
	cmd := &cobra.Command{
		Use:                        kind + " set|remove",
		Short:                      spec.SetDoc.Group,
		Example:                    spec.SetDoc.GroupExample,
		Args:                       rejectUnknownCommand,
		SuggestionsMinimumDistance: suggestionDistance,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageErr("use `gitopscfg %s set` or `gitopscfg %s remove`", kind, kind)
		},
	}
	cmd.AddCommand(newPlatformSetCmd(f, spec, nil), newPlatformRemoveCmd(f, spec, nil))
	for _, c := range cmd.Commands() {
		c.Args = wrapArgs(c.Args)
	}
	return cmd
}

// platformSetOptions is what KIND set needs: injected dependencies first, then the parsed flags.
type platformSetOptions struct {
	runDeps

	Spec platforms.Spec
	// Instance is the INSTANCE argument (default "default").
	Instance string
	// Values are the settings' flags given, by flag name (absent: not given, the stored value
	// stays).
	Values     map[string]string
	TokenStdin bool
	NoCheck    bool
	Timeout    time.Duration
	// Net holds the network flags given (NetGiven), as typed (Spec.NetFlags).
	Net      config.Settings
	NetGiven []config.Field
}

// newPlatformSetCmd builds KIND set; runF runs it (nil: platformSetRun), so tests can swap it.
func newPlatformSetCmd(f *factory, spec platforms.Spec, runF func(context.Context, *platformSetOptions) error) *cobra.Command {
	if runF == nil {
		runF = platformSetRun
	}
	opts := &platformSetOptions{Spec: spec}
	values := make([]string, len(spec.Settings))
	cmd := &cobra.Command{
		Use:     spec.SetDoc.Use,
		Short:   spec.SetDoc.Short,
		Long:    spec.SetDoc.Long,
		Example: spec.SetDoc.Example,
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := instanceArg(args)
			if err != nil {
				return err
			}
			opts.Instance, opts.Values = name, map[string]string{}
			for i, s := range spec.Settings {
				if cmd.Flags().Changed(s.Flag) {
					opts.Values[s.Flag] = values[i]
				}
			}
			if spec.NetFlags {
				if opts.NetGiven, err = netFlagsGiven(cmd.Flags(), &opts.Net); err != nil {
					return err
				}
			}
			opts.runDeps = f.deps()
			return runF(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	for i, s := range spec.Settings {
		fl.StringVar(&values[i], s.Flag, "", s.Usage)
	}
	if spec.NetFlags {
		addNetFlags(fl)
	}
	if spec.Secret != nil {
		fl.BoolVar(&opts.TokenStdin, "token-stdin", false, spec.Secret.Usage)
	}
	fl.BoolVar(&opts.NoCheck, "no-check", false, "save without checking the instance")
	fl.DurationVar(&opts.Timeout, "timeout", providers.DefaultTimeout, "deadline for the check")
	return cmd
}

// flagOrder is the flags of a kind's set command in the order its messages name them: the
// required settings, --token-stdin, the optional settings.
func flagOrder(spec platforms.Spec) []string {
	var req, opt []string
	for _, s := range spec.Settings {
		if s.Required {
			req = append(req, "--"+s.Flag)
		} else {
			opt = append(opt, "--"+s.Flag)
		}
	}
	if spec.Secret != nil {
		req = append(req, "--token-stdin")
	}
	return append(req, opt...)
}

// platformSetRun stores the instance: the stored one changed by what opts gives, checked first
// unless opts.NoCheck.
func platformSetRun(ctx context.Context, opts *platformSetOptions) error {
	s, d, err := loadStore(opts.OpenStore)
	if err != nil {
		return err
	}
	in, err := opts.instance(d)
	if err != nil {
		return err
	}
	b := usecase.New(s, usecase.Options{Env: opts.Env, Now: opts.Now, Who: opts.Who()})
	r, _, err := b.SetInstance(ctx, usecase.InstanceInput{Instance: in, Check: !opts.NoCheck, Timeout: opts.Timeout})
	var (
		failed   *usecase.InstanceCheckFailedError
		unusable *usecase.InstanceError
	)
	switch {
	case errors.As(err, &failed):
		writeInstanceCheck(opts.IO.Out, opts.Spec.Name, r)
		fmt.Fprintf(opts.IO.Err, "not saved: the %s check failed; fix what it names, or save anyway with --no-check\n", opts.Spec.Name)
		return errCheckFailed
	case errors.As(err, &unusable):
		return usageErr("%v", err)
	case err != nil:
		return err
	case !opts.NoCheck:
		writeInstanceCheck(opts.IO.Out, opts.Spec.Name, r)
	}
	where := opts.Spec.Where(in)
	if opts.Instance == config.DefaultInstance {
		fmt.Fprintf(opts.IO.Out, "Saved the %s instance %s.\n", opts.Spec.Name, where)
	} else {
		fmt.Fprintf(opts.IO.Out, "Saved the %s instance %s (%s).\n", opts.Spec.Name, opts.Instance, where)
	}
	return nil
}

// instance is the instance to store: the stored one of that name (default "default") changed by
// the flags, its secret read from standard input with --token-stdin; a usage error when it would
// lack a required setting or its secret, or nothing changes.
func (opts *platformSetOptions) instance(d *config.Data) (platforms.Instance, error) {
	spec := opts.Spec
	opts.Instance = cmp.Or(opts.Instance, config.DefaultInstance)
	in := platforms.Instance{Kind: spec.Kind, Name: opts.Instance}
	if p := d.Platforms[string(spec.Kind)][opts.Instance]; p != nil {
		in = *platforms.InstanceOf(spec.Kind, opts.Instance, p)
	} else {
		for _, s := range spec.Settings {
			*s.Ref(&in) = s.Default
		}
	}
	for _, s := range spec.Settings {
		v, given := opts.Values[s.Flag]
		if !given {
			continue
		}
		if err := setValue(s, &in, strings.TrimSpace(v)); err != nil {
			return platforms.Instance{}, err
		}
	}
	if opts.TokenStdin {
		var err error
		if in.Token, err = readToken(opts.IO.In, opts.IO.Err, spec.Secret.Noun); err != nil {
			return platforms.Instance{}, err
		}
	}
	if err := opts.complete(in); err != nil {
		return platforms.Instance{}, err
	}
	var err error
	if in.Net, err = opts.net(in.Net); err != nil {
		return platforms.Instance{}, err
	}
	return in, nil
}

// setValue sets the setting s of in to v, refusing a file that cannot be read.
func setValue(s platforms.Setting, in *platforms.Instance, v string) error {
	if s.Path != "" && v != "" {
		var err error
		if v, err = forms.FilePath(v, s.Path, s.PathExample); err != nil {
			return usageErr("--%s: %v", s.Flag, err)
		}
	}
	*s.Ref(in) = v
	return nil
}

// complete refuses an instance that lacks a required setting or its secret, or a set that
// changes nothing.
func (opts *platformSetOptions) complete(in platforms.Instance) error {
	spec := opts.Spec
	for _, s := range spec.Settings {
		if s.Required && *s.Ref(&in) == "" {
			return usageErr("no %s instance named %s is stored yet: give --%s", spec.Name, opts.Instance, s.Flag)
		}
	}
	if spec.Secret != nil && in.Token == "" {
		return usageErr("no %s is stored yet: give --token-stdin and the token on standard input", spec.Secret.Noun)
	}
	if len(opts.Values) == 0 && !opts.TokenStdin && len(opts.NetGiven) == 0 {
		return usageErr("nothing to change: give %s", orList(flagOrder(spec)))
	}
	for _, s := range spec.Settings {
		if v := *s.Ref(&in); s.URL && v != "" {
			if err := providers.RequireSafeURL(v); err != nil {
				return usageErr("--%s: %v", s.Flag, err)
			}
		}
	}
	return nil
}

// platformRemoveOptions is what KIND remove needs: the injected dependencies, then INSTANCE.
type platformRemoveOptions struct {
	runDeps
	Spec platforms.Spec
	// Instance is the INSTANCE argument ("": the default or only one).
	Instance string
}

// newPlatformRemoveCmd builds KIND remove; runF runs it (nil: platformRemoveRun), so tests can
// swap it.
func newPlatformRemoveCmd(f *factory, spec platforms.Spec, runF func(context.Context, *platformRemoveOptions) error) *cobra.Command {
	if runF == nil {
		runF = platformRemoveRun
	}
	kind := string(spec.Kind)
	return &cobra.Command{
		Use:     "remove [INSTANCE]",
		Short:   fmt.Sprintf("Forget a stored %s instance (nothing changes in %s)", spec.Name, spec.Name),
		Example: fmt.Sprintf("  $ gitopscfg %s remove\n  $ gitopscfg %s remove staging", kind, kind),
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := &platformRemoveOptions{runDeps: f.deps(), Spec: spec}
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

// platformRemoveRun forgets the stored instance.
func platformRemoveRun(ctx context.Context, opts *platformRemoveOptions) error {
	s, d, err := loadStore(opts.OpenStore)
	if err != nil {
		return err
	}
	kind, pname := string(opts.Spec.Kind), opts.Spec.Name
	name, _ := d.Instance(kind, opts.Instance)
	switch names := d.InstanceNames(kind); {
	case len(names) == 0:
		return usageErr("no %s instance is stored", pname)
	case name == "" && opts.Instance != "":
		return usageErr("no %s instance named %s is stored: the stored ones are %s", pname, opts.Instance, strings.Join(names, ", "))
	case name == "":
		return usageErr("several %s instances are stored: name the one to remove (%s)", pname, strings.Join(names, ", "))
	}
	if _, err := usecase.New(s, usecase.Options{Who: opts.Who()}).RemoveInstance(ctx, opts.Spec.Kind, name); err != nil {
		return err
	}
	if name == config.DefaultInstance && len(d.InstanceNames(kind)) == 1 {
		fmt.Fprintf(opts.IO.Out, "Removed the %s instance; its configurations in %s are unchanged.\n", pname, pname)
	} else {
		fmt.Fprintf(opts.IO.Out, "Removed the %s instance %s; its configurations in %s are unchanged.\n", pname, name, pname)
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

// writeInstanceCheck prints an instance's check for a person.
func writeInstanceCheck(w io.Writer, platform string, r providers.Result) {
	host := r.Host
	if r.Proxy != nil {
		host += " via " + hostOf(*r.Proxy)
	}
	fmt.Fprintf(w, "%s — %s — %s in %d ms\n", platform, host, resultVerdict(r), r.DurationMS)
	writeCheckLines(w, r.Checks) // the instance's checks are not timed one by one
}
