package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
)

func newPushCmd(f *factory) *cobra.Command {
	var o struct {
		force, asJSON bool
		timeout       time.Duration
	}
	cmd := &cobra.Command{
		Use:   "push devtron [PROVIDER] [--force] [--json]",
		Short: "Create or update a provider's configuration in Devtron (default: the active provider)",
		Long: `Send a provider's stored configuration to the stored Devtron instance: it is looked up there, then
created or updated by its id, made the active one, normalised first (GitLab group path to its numeric
id, Bitbucket project key upper-case, GitHub's host as Devtron expects), with the CA bundle as
Devtron's TLS data (TLS data Devtron holds is never erased). Devtron then validates it (it creates,
clones, pushes to and deletes a repository, which can take minutes; Ctrl-C stops waiting).

A configuration whose last check failed, or that changed since its last check, is refused: run
` + "`gitopscfg check PROVIDER`" + ` first, or give --force.

Exit 0: Devtron saved it. Exit 1: Devtron refused it or its validation failed. Exit 2: usage or store.`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if args[0] != "devtron" {
				return usageErr("unknown platform %q: gitopscfg pushes to devtron (for Argo CD and Flux use `gitopscfg export`)", args[0])
			}
			_, d, err := f.openAndLoad()
			if err != nil {
				return err
			}
			if d.Devtron == nil {
				return usageErr("no Devtron instance is stored: run `gitopscfg devtron set --url URL --token-stdin` first")
			}
			id, sp, err := deliveryProvider(d, args[1:])
			if err != nil {
				return err
			}
			if err := f.freshEnough(id, sp, o.force); err != nil {
				return err
			}
			dt, err := platforms.NewDevtron(f.providerEnv(), *platforms.InstanceFromConfig(d.Devtron))
			if err != nil {
				return usageErr("%v", err)
			}
			ctx := cmd.Context()
			if o.timeout > 0 {
				var cancel func()
				ctx, cancel = context.WithTimeout(ctx, o.timeout)
				defer cancel()
			}
			creds := providers.FromConfig(id, sp)
			res, err := dt.Push(ctx, creds, platforms.PushOptions{Progress: f.pushProgress(o.asJSON)})
			if err != nil && res.Outcome == "" {
				if errors.Is(err, platforms.ErrUnsupported) {
					return usageErr("%v", err)
				}
				fmt.Fprintln(f.Err, "not pushed:", err)
				return errCheckFailed
			}
			if o.asJSON {
				enc := json.NewEncoder(f.Out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(res); err != nil {
					return err
				}
			} else {
				writePushText(f.Out, res)
			}
			if !res.OK() {
				return errCheckFailed
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&o.force, "force", false, "push even if the last check failed or the settings changed since")
	fl.BoolVar(&o.asJSON, "json", false, "print the outcome as JSON")
	fl.DurationVar(&o.timeout, "timeout", 15*time.Minute, "give up waiting for Devtron after this long")
	return cmd
}

// deliveryProvider resolves the optional PROVIDER argument (default: the active provider).
func deliveryProvider(d *config.Data, args []string) (providers.ID, *config.Provider, error) {
	name := d.Active
	if len(args) > 0 {
		name = strings.ToLower(strings.TrimSpace(args[0]))
	}
	if name == "" {
		return "", nil, usageErr("no provider is active: name one (github, gitlab, azure, bitbucket)")
	}
	id := providers.ID(name)
	if _, err := providers.Lookup(name); err != nil && platforms.DevtronProvider(id) == "" && d.Providers[name] == nil {
		return "", nil, usageErr("%v", err)
	}
	sp := d.Providers[name]
	if sp == nil {
		return "", nil, usageErr("%s is not configured: run `gitopscfg set %s ...` first", name, name)
	}
	return id, sp, nil
}

// freshEnough refuses credentials whose latest check failed, or that changed since they were
// last checked (the store forgets a check when the settings it tested change), unless force.
func (f *factory) freshEnough(id providers.ID, sp *config.Provider, force bool) error {
	last := sp.LastCheck
	if sp.LastDeep != nil && (last == nil || sp.LastDeep.At.After(last.At)) {
		last = sp.LastDeep
	}
	var why string
	switch {
	case last == nil:
		why = fmt.Sprintf("%s's credentials have not been checked since they were last set", id)
	case !last.OK:
		why = fmt.Sprintf("%s's last check (%s) failed", id, last.At.Local().Format(time.DateTime))
	default:
		return nil
	}
	if !force {
		return usageErr("%s: run `gitopscfg check %s` first, or give --force", why, id)
	}
	fmt.Fprintf(f.Err, "warning: %s; going on because of --force\n", why)
	return nil
}

// pushProgress prints Devtron's progress on stderr (text mode only).
func (f *factory) pushProgress(quiet bool) func(platforms.Event) {
	return func(e platforms.Event) {
		if quiet || e.Phase == "done" {
			return
		}
		f.progressMu.Lock()
		defer f.progressMu.Unlock()
		switch e.Phase {
		case "waiting":
			fmt.Fprintf(f.Err, "  … Devtron is still validating (%s; Ctrl-C stops waiting)\n", e.Elapsed.Round(time.Second))
		default:
			fmt.Fprintf(f.Err, "  %s\n", e.Message)
		}
	}
}

func writePushText(w io.Writer, r platforms.PushResult) {
	verdict := map[platforms.PushOutcome]string{platforms.Saved: "SAVED", platforms.SavedWithWarning: "SAVED (with a warning)",
		platforms.SavedUnchecked: "SAVED (not checked by Devtron)", platforms.Refused: "NOT SAVED", platforms.OutcomeUnknown: "UNKNOWN"}[r.Outcome]
	fmt.Fprintf(w, "Devtron — %s — %s in %d ms (%d requests)\n", r.Devtron, verdict, r.DurationMS, r.Requests)
	for _, s := range r.Stages {
		st := providers.Pass
		if !s.OK {
			st = providers.Fail
		}
		line := "  " + st.Mark() + " " + s.Name
		if s.Message != "" {
			line += ": " + s.Message
		}
		fmt.Fprintln(w, line)
	}
	for _, wn := range r.Warnings {
		if wn != r.Message {
			fmt.Fprintln(w, "  ! "+wn)
		}
	}
	fmt.Fprintln(w, r.Message)
}
