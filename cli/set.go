package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"gitopscfg/config"
	"gitopscfg/forms"
	"gitopscfg/providers"
)

type setOptions struct {
	host, org, username, projectKey, apiURL, caBundle string
	tokenStdin, activate, noCheck, deep               bool
	timeout                                           time.Duration
}

func newSetCmd(f *factory) *cobra.Command {
	var o setOptions
	cmd := &cobra.Command{
		Use:   "set PROVIDER --org NAME --username NAME --token-stdin [--host URL] [--project-key KEY] [--activate] [--no-check | --deep]",
		Short: "Add or update a provider non-interactively; checks the credentials live and saves only if they pass",
		Long: `Add or update a provider. The token is read from standard input (--token-stdin), never from the
command line. Fields not given keep their stored values; a new provider needs --org, --username and
the token (--host defaults to the provider's public service). The credentials are checked against the
provider's API first and saved only if the check passes; --no-check saves without checking. --deep
adds the round trip (create a throw-away repository, clone, push, verify, delete) before saving, and
saves only if it passes too; --timeout then defaults to 60s.

  printf '%s' "$TOKEN" | gitopscfg set github --org acme --username octocat --token-stdin --activate`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := providerArg(args[0])
			if err != nil {
				return err
			}
			if o.deep && o.noCheck {
				return usageErr("--deep and --no-check exclude each other")
			}
			if o.deep && !cmd.Flags().Changed("timeout") {
				o.timeout = providers.DeepTimeout
			}
			if o.timeout <= 0 {
				return usageErr("--timeout must be positive")
			}
			return f.runSet(cmd, p, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.host, "host", "", "Git host URL (default: the provider's public service)")
	fl.StringVar(&o.org, "org", "", "organisation / group ID or path / project / workspace")
	fl.StringVar(&o.username, "username", "", "username (Bitbucket: the Atlassian account e-mail)")
	fl.StringVar(&o.projectKey, "project-key", "", "Bitbucket project key (optional)")
	fl.StringVar(&o.apiURL, "api-url", "", "REST API base URL, when it cannot be derived from the host")
	fl.StringVar(&o.caBundle, "ca-bundle", "", "PEM file of a private CA for a self-hosted server")
	fl.BoolVar(&o.tokenStdin, "token-stdin", false, "read the token from standard input")
	fl.BoolVar(&o.activate, "activate", false, "make this the active provider")
	fl.BoolVar(&o.noCheck, "no-check", false, "save without checking the credentials")
	fl.BoolVar(&o.deep, "deep", false, "also run the round trip (create, clone, push, verify, delete) before saving")
	fl.DurationVar(&o.timeout, "timeout", providers.DefaultTimeout, "deadline for the live check (60s with --deep)")
	return cmd
}

func (f *factory) runSet(cmd *cobra.Command, p providers.Provider, o setOptions) error {
	s, d, err := f.openAndLoad()
	if err != nil {
		return err
	}
	creds, changed, err := f.mergeSetFlags(cmd, p, o, d.Providers[string(p.ID)])
	if err != nil {
		return err
	}
	creds, err = forms.Credentials(creds)
	if err != nil {
		return usageErr("not saved:\n  %s", strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}
	c := config.Change{Provider: string(p.ID), Base: config.AnyRevision, Settings: creds.Settings(), Activate: o.activate}
	for _, k := range changed {
		c.Fields = append(c.Fields, config.Field(k))
	}
	if !o.noCheck {
		env := f.providerEnvWithTimeout(o.timeout)
		var r providers.Result
		if o.deep {
			r = providers.RunDeep(cmd.Context(), env, creds, nil)
		} else {
			r = providers.Run(cmd.Context(), env, creds)
		}
		r.Active = o.activate || d.Active == string(p.ID)
		writeResultsText(f.Out, []providers.Result{r}, f.now())
		if !r.OK {
			fmt.Fprintln(f.Err, "not saved: the check failed; fix what it names, or save anyway with --no-check")
			return errCheckFailed
		}
		if o.deep {
			c.Deep, c.DeepOf = r.Record(f.now(), true), c.Settings
		} else {
			c.Check = r.Record(f.now(), false)
		}
	}
	// Only what this invocation set is applied, over whatever is current now; the store refuses
	// the save when another writer changed this provider while the check ran, since what would be
	// saved is not what was checked.
	c.At = f.now()
	if _, err := s.Set(cmd.Context(), f.who(), c); config.IsKind(err, config.KindStale) {
		return usageErr("not saved: %s's stored settings changed while the check ran; run the command again", p.Name)
	} else if err != nil {
		return err
	}
	msg := fmt.Sprintf("Saved %s", p.Name)
	if o.activate {
		msg += "; it is the active provider"
	}
	if o.noCheck {
		msg += " (not checked: run `gitopscfg check " + string(p.ID) + "`)"
	}
	fmt.Fprintln(f.Out, msg+".")
	return nil
}

// mergeSetFlags overlays the given flags (and the token from stdin) on the stored credentials and
// lists the fields the invocation sets.
func (f *factory) mergeSetFlags(cmd *cobra.Command, p providers.Provider, o setOptions, stored *config.Provider) (providers.Credentials, []providers.FieldKey, error) {
	c := providers.FromConfig(p.ID, stored)
	var changed []providers.FieldKey
	set := func(flag string, key providers.FieldKey, v string) error {
		if !cmd.Flags().Changed(flag) {
			return nil
		}
		if _, ok := p.Field(key); !ok {
			return usageErr("--%s does not apply to %s", flag, p.Name)
		}
		*c.Field(key) = v
		changed = append(changed, key)
		return nil
	}
	for _, f := range []struct {
		flag string
		key  providers.FieldKey
		v    string
	}{
		{"host", providers.FieldHost, o.host}, {"org", providers.FieldOrg, o.org},
		{"username", providers.FieldUsername, o.username}, {"project-key", providers.FieldProjectKey, o.projectKey},
		{"api-url", providers.FieldAPIURL, o.apiURL}, {"ca-bundle", providers.FieldCABundle, o.caBundle},
	} {
		if err := set(f.flag, f.key, f.v); err != nil {
			return c, nil, err
		}
	}
	if o.tokenStdin {
		tok, err := readToken(f.In, f.Err)
		if err != nil {
			return c, nil, err
		}
		c.Token = tok
		changed = append(changed, providers.FieldToken)
	}
	if stored == nil {
		if c.Host == "" {
			c.Host = p.DefaultHost
			changed = append(changed, providers.FieldHost)
		}
		var missing []string
		if c.Host == "" {
			missing = append(missing, "--host") // a self-hosted-only provider has no default host
		}
		if c.Org == "" {
			missing = append(missing, "--org")
		}
		if c.Username == "" {
			missing = append(missing, "--username")
		}
		if c.Token == "" {
			missing = append(missing, "--token-stdin (the token on standard input)")
		}
		if len(missing) > 0 {
			return c, nil, usageErr("%s is not configured yet, so it needs %s", p.Name, strings.Join(missing, ", "))
		}
	}
	if len(changed) == 0 {
		return c, nil, usageErr("nothing to set: give at least one of --host, --org, --username, --project-key, --api-url, --ca-bundle, --token-stdin")
	}
	return c, changed, nil
}

// readToken reads the token from standard input (a pipe or a file), trimmed. On a terminal it is
// read without echo, so it never shows on the screen.
func readToken(in io.Reader, prompt io.Writer) (string, error) {
	if in == nil {
		return "", usageErr("--token-stdin: standard input is not available")
	}
	var b []byte
	var err error
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		b, err = readSecret(f, prompt, "Token (not shown): ")
	} else {
		b, err = io.ReadAll(io.LimitReader(in, 64*1024))
	}
	if err != nil {
		return "", usageErr("--token-stdin: cannot read standard input: %v", err)
	}
	tok, err := forms.Token(string(b))
	if err != nil {
		var fe *forms.FieldError
		if errors.As(err, &fe) {
			err = fe.Err
		}
		return "", usageErr("--token-stdin: %v", err)
	}
	return tok, nil
}
