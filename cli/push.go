package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
)

// pushDevtronOptions is what push devtron needs: injected dependencies first, then the parsed
// flags and arguments.
type pushDevtronOptions struct {
	IO        Streams
	OpenStore func() (*config.Store, error)
	Env       func(timeout time.Duration) *providers.Env

	// Provider is the PROVIDER argument ("": the active provider).
	Provider string
	Force    bool
	JSON     bool
	// Timeout bounds the wait for Devtron (0: no bound).
	Timeout time.Duration
}

// newPushCmd builds push devtron; runF runs it (nil: pushDevtronRun), so tests can swap it.
func newPushCmd(f *factory, runF func(context.Context, *pushDevtronOptions) error) *cobra.Command {
	if runF == nil {
		runF = pushDevtronRun
	}
	opts := &pushDevtronOptions{}
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
			if len(args) == 2 {
				opts.Provider = args[1]
			}
			opts.IO, opts.OpenStore, opts.Env = f.Streams, f.openStore, f.providerEnvWithTimeout
			return runF(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.Force, "force", false, "push even if the last check failed or the settings changed since")
	fl.BoolVar(&opts.JSON, "json", false, "print the outcome as JSON")
	fl.DurationVar(&opts.Timeout, "timeout", 15*time.Minute, "give up waiting for Devtron after this long")
	return cmd
}

// pushDevtronRun sends the provider's stored configuration to the stored Devtron instance and
// reports Devtron's outcome (its progress on stderr, unless opts.JSON).
func pushDevtronRun(ctx context.Context, opts *pushDevtronOptions) error {
	_, d, err := loadStore(opts.OpenStore)
	if err != nil {
		return err
	}
	if d.Devtron == nil {
		return usageErr("no Devtron instance is stored: run `gitopscfg devtron set --url URL --token-stdin` first")
	}
	id, sp, err := deliveryProvider(d, opts.Provider)
	if err != nil {
		return err
	}
	if err := freshEnough(opts.IO.Err, id, sp, opts.Force); err != nil {
		return err
	}
	dt, err := platforms.NewDevtron(opts.Env(providers.DefaultTimeout), *platforms.InstanceFromConfig(d.Devtron))
	if err != nil {
		return usageErr("%v", err)
	}
	if opts.Timeout > 0 {
		var cancel func()
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	creds := providers.FromConfig(id, sp)
	var mu sync.Mutex
	res, err := dt.Push(ctx, creds, platforms.PushOptions{Progress: pushProgressTo(&mu, opts.IO.Err, opts.JSON)})
	if err != nil && res.Outcome == "" {
		if errors.Is(err, platforms.ErrUnsupported) {
			return usageErr("%v", err)
		}
		fmt.Fprintln(opts.IO.Err, "not pushed:", err)
		return errCheckFailed
	}
	if opts.JSON {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		writePushText(opts.IO.Out, res)
	}
	if !res.OK() {
		return errCheckFailed
	}
	return nil
}

// deliveryProvider resolves the optional PROVIDER argument arg ("": the active provider).
func deliveryProvider(d *config.Data, arg string) (providers.ID, *config.Provider, error) {
	name := d.Active
	if arg != "" {
		name = strings.ToLower(strings.TrimSpace(arg))
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
// last checked (the store forgets a check when the settings it tested change), unless force,
// which warns on errw instead.
func freshEnough(errw io.Writer, id providers.ID, sp *config.Provider, force bool) error {
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
	fmt.Fprintf(errw, "warning: %s; going on because of --force\n", why)
	return nil
}

// pushProgress prints Devtron's progress on stderr (text mode only); rotate's push uses it too.
func (f *factory) pushProgress(quiet bool) func(platforms.Event) {
	return pushProgressTo(&f.progressMu, f.Err, quiet)
}

// pushProgressTo prints Devtron's progress on w, one line at a time under mu (nothing when quiet).
func pushProgressTo(mu *sync.Mutex, w io.Writer, quiet bool) func(platforms.Event) {
	return func(e platforms.Event) {
		if quiet || e.Phase == "done" {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		switch e.Phase {
		case "waiting":
			fmt.Fprintf(w, "  … Devtron is still validating (%s; Ctrl-C stops waiting)\n", e.Elapsed.Round(time.Second))
		default:
			fmt.Fprintf(w, "  %s\n", e.Message)
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
