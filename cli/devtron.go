package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"gitopscfg/config"
	"gitopscfg/forms"
	"gitopscfg/platforms"
	"gitopscfg/providers"
)

func newDevtronCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "devtron set|remove",
		Short: "Store or remove the Devtron instance credentials are pushed to",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageErr("use `gitopscfg devtron set` or `gitopscfg devtron remove`")
		},
	}
	var o struct {
		url, caBundle       string
		tokenStdin, noCheck bool
		timeout             time.Duration
	}
	set := &cobra.Command{
		Use:   "set --url URL --token-stdin [--ca-bundle FILE] [--no-check]",
		Short: "Store the Devtron instance (its API token is encrypted like the Git tokens)",
		Long: `Store the Devtron instance that ` + "`gitopscfg push devtron`" + ` sends configurations to. The API token
(Devtron: Global Configurations > Authorization > API tokens; its user must be a super-admin) is read
from standard input, never from the command line. The instance is checked first (reachable, token
valid, super-admin) and saved only if the check passes; --no-check saves without checking.

  printf '%s' "$DEVTRON_TOKEN" | gitopscfg devtron set --url https://devtron.example.com --token-stdin`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, d, err := f.openAndLoad()
			if err != nil {
				return err
			}
			in := platforms.Instance{}
			if d.Devtron != nil {
				in = *platforms.InstanceFromConfig(d.Devtron)
			}
			if cmd.Flags().Changed("url") {
				in.URL = strings.TrimSpace(o.url)
			}
			if cmd.Flags().Changed("ca-bundle") {
				if in.CABundle = strings.TrimSpace(o.caBundle); in.CABundle != "" {
					if in.CABundle, err = forms.CABundle(in.CABundle); err != nil {
						return usageErr("--ca-bundle: %v", err)
					}
				}
			}
			if o.tokenStdin {
				if in.Token, err = readToken(f.In, f.Err); err != nil {
					return err
				}
			}
			switch {
			case in.URL == "":
				return usageErr("no Devtron instance is stored yet: give --url")
			case in.Token == "":
				return usageErr("no Devtron API token is stored yet: give --token-stdin and the token on standard input")
			case !cmd.Flags().Changed("url") && !o.tokenStdin && !cmd.Flags().Changed("ca-bundle"):
				return usageErr("nothing to change: give --url, --token-stdin or --ca-bundle")
			}
			if err := providers.RequireSafeURL(in.URL); err != nil {
				return usageErr("--url: %v", err)
			}
			var rec *config.CheckRecord
			if !o.noCheck {
				r, err := f.checkDevtron(cmd.Context(), in, o.timeout)
				if err != nil {
					return err
				}
				writeDevtronCheck(f.Out, r)
				if !r.OK {
					fmt.Fprintln(f.Err, "not saved: the Devtron check failed; fix what it names, or save anyway with --no-check")
					return errCheckFailed
				}
				rec = r.Record(f.now(), false)
			}
			_, err = s.SetDevtron(cmd.Context(), f.who(), config.Devtron{URL: in.URL, Token: in.Token, CABundle: in.CABundle, LastCheck: rec})
			if err != nil {
				return err
			}
			fmt.Fprintf(f.Out, "Saved the Devtron instance %s.\n", in.URL)
			return nil
		},
	}
	fl := set.Flags()
	fl.StringVar(&o.url, "url", "", "Devtron's URL (the address of its dashboard, e.g. https://devtron.example.com)")
	fl.BoolVar(&o.tokenStdin, "token-stdin", false, "read the Devtron API token from standard input")
	fl.StringVar(&o.caBundle, "ca-bundle", "", "PEM file of a private CA that signed Devtron's certificate")
	fl.BoolVar(&o.noCheck, "no-check", false, "save without checking the instance")
	fl.DurationVar(&o.timeout, "timeout", providers.DefaultTimeout, "deadline for the check")

	remove := &cobra.Command{
		Use:   "remove",
		Short: "Forget the stored Devtron instance (nothing changes in Devtron)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, d, err := f.openAndLoad()
			if err != nil {
				return err
			}
			if d.Devtron == nil {
				return usageErr("no Devtron instance is stored")
			}
			if _, err := s.RemoveDevtron(cmd.Context(), f.who()); err != nil {
				return err
			}
			fmt.Fprintln(f.Out, "Removed the Devtron instance; its configurations in Devtron are unchanged.")
			return nil
		},
	}
	cmd.AddCommand(set, remove)
	for _, c := range cmd.Commands() {
		c.Args = wrapArgs(c.Args)
	}
	return cmd
}

// checkDevtron runs the instance check within timeout.
func (f *factory) checkDevtron(ctx context.Context, in platforms.Instance, timeout time.Duration) (providers.Result, error) {
	dt, err := platforms.NewDevtron(f.providerEnv(), in)
	if err != nil {
		return providers.Result{}, usageErr("%v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r := dt.Check(ctx)
	return r, nil
}

// writeDevtronCheck prints the instance check for a person.
func writeDevtronCheck(w io.Writer, r providers.Result) {
	verdict := "FAILED"
	if r.OK {
		verdict = "OK"
	}
	fmt.Fprintf(w, "Devtron — %s — %s in %d ms\n", r.Host, verdict, r.DurationMS)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range r.Checks {
		fmt.Fprintf(tw, "  %s %s\t%s\n", c.Status.Mark(), c.ID, c.Message)
	}
	_ = tw.Flush()
}
