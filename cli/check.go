package cli

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"gitopscfg/config"
	"gitopscfg/providers"
)

type checkOptions struct {
	all     bool
	json    bool
	deep    bool
	timeout time.Duration
	format  string
	output  string
	expiry  expiryThresholds
	devtron bool
}

func newCheckCmd(f *factory) *cobra.Command {
	o := checkOptions{expiry: expiryThresholds{Warn: defaultWarnExpiry}}
	cmd := &cobra.Command{
		Use:   "check [PROVIDER|--all] [--format text|json|jsonl|prometheus|nagios] [--output FILE] [--timeout 15s] [--deep]",
		Short: "Re-test stored credentials against the provider's API (default: the active provider)",
		Long: `Re-test stored credentials against the provider's API: who the token authenticates as, which
required scopes are present, whether the organisation/group/project/workspace is reachable, and when
the token expires. With --deep, a round trip follows once authentication and the organisation pass:
create a private throw-away repository (gitopscfg-check-xxxxxx), clone it, push a commit, read the
branch back, and delete the repository (also on Ctrl-C or timeout); --timeout then defaults to 60s.

A token expiring within --warn-expiry (default 14d) is a warning; within --fail-expiry (default off)
a failed check. Both take days (14d, 1d12h) or durations (36h).

--format prometheus writes the text format for node_exporter's textfile collector; --format nagios
follows the monitoring-plugin API (exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN); --format jsonl
writes one JSON object per line (each round-trip stage as it finishes). --output FILE writes the
output to FILE atomically (a temporary file in the same directory, then renamed).
Exit status 0 when every check passed, 1 when one failed or nothing is configured.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.all && len(args) > 0 {
				return usageErr("give a provider or --all, not both")
			}
			if o.deep && !cmd.Flags().Changed("timeout") {
				o.timeout = providers.DeepTimeout
			}
			if o.timeout <= 0 {
				return usageErr("--timeout must be positive")
			}
			if o.json {
				if cmd.Flags().Changed("format") && o.format != "json" {
					return usageErr("--json is --format json: give one of them")
				}
				o.format = "json"
			}
			cf, err := lookupCheckFormat(o.format)
			if err != nil {
				return err
			}
			if o.expiry.Fail > 0 && o.expiry.Warn > 0 && o.expiry.Fail > o.expiry.Warn {
				return usageErr("--fail-expiry %s is longer than --warn-expiry %s: a token would fail before it warns",
					formatDays(o.expiry.Fail), formatDays(o.expiry.Warn))
			}
			return f.runCheck(cmd.Context(), o, cf, args)
		},
	}
	cmd.Flags().BoolVar(&o.all, "all", false, "check every configured provider")
	cmd.Flags().BoolVar(&o.json, "json", false, "print one JSON document (the same as --format json)")
	cmd.Flags().StringVar(&o.format, "format", "text", checkFormatHelp())
	cmd.Flags().StringVar(&o.output, "output", "", "write the output to FILE atomically instead of standard output")
	cmd.Flags().Var(durationFlag{&o.expiry.Warn}, "warn-expiry", "warn when the token expires within this time (14d, 36h; 0 turns it off)")
	cmd.Flags().Var(durationFlag{&o.expiry.Fail}, "fail-expiry", "fail when the token expires within this time (7d, 36h; default off)")
	cmd.Flags().DurationVar(&o.timeout, "timeout", providers.DefaultTimeout, "deadline for the whole check (60s with --deep)")
	cmd.Flags().BoolVar(&o.devtron, "devtron", false, "also check the stored Devtron instance and whether it holds the same configurations (text and json)")
	cmd.Flags().BoolVar(&o.deep, "deep", false, "add the round trip: create a repository, clone, push, verify, delete")
	return cmd
}

func (f *factory) runCheck(ctx context.Context, o checkOptions, cf checkFormat, args []string) (err error) {
	var out io.Writer = f.Out
	if o.output != "" {
		file, err := createAtomicOutput(o.output)
		if err != nil {
			return err
		}
		// The file replaces the previous one only when the format wrote a whole report (or its
		// own account of why there is none); a usage error leaves the previous file alone.
		defer func() {
			if !file.complete {
				file.Abort()
			} else if cerr := file.Commit(); cerr != nil && err == nil {
				err = cerr
			}
		}()
		out = file
	}
	complete := func() {
		if file, ok := out.(*atomicOutput); ok {
			file.complete = true
		}
	}
	s, d, err := f.openAndLoad()
	if err != nil {
		if cf.Broken != nil {
			fmt.Fprintln(f.Err, "error:", err)
			defer complete()
			return cf.Broken(out, err)
		}
		return err
	}
	var ids []providers.ID
	switch {
	case o.all:
		for _, id := range providers.IDs {
			if d.Providers[string(id)] != nil {
				ids = append(ids, id)
			}
		}
	case len(args) == 1:
		p, err := providerArg(args[0])
		if err != nil {
			return err
		}
		if d.Providers[string(p.ID)] == nil {
			return f.nothingToCheck(out, cf, fmt.Sprintf("%s is not configured: run `gitopscfg set %s …` first", p.Name, p.ID))
		}
		ids = []providers.ID{p.ID}
	default:
		if d.Active == "" {
			return f.nothingToCheck(out, cf, "no provider is active: give a provider, --all, or `gitopscfg activate PROVIDER`")
		}
		ids = []providers.ID{providers.ID(d.Active)}
	}
	if len(ids) == 0 {
		return f.nothingToCheck(out, cf, "no provider is configured: run `gitopscfg set PROVIDER …` first")
	}
	if o.devtron && d.Devtron == nil {
		return usageErr("--devtron: no Devtron instance is stored: run `gitopscfg devtron set --url URL --token-stdin` first")
	}
	if o.devtron && cf.Name != "text" && cf.Name != "json" {
		return usageErr("--devtron goes with --format text or json")
	}
	env := f.providerEnvWithTimeout(o.timeout)
	var progress func(providers.ID, providers.Check)
	if o.deep {
		progress = f.stageWriter(out, cf, o.output == "")
	}
	at := f.now()
	results := runChecks(ctx, env, d, ids, o.deep, progress)
	applyExpiry(results, o.expiry, f.now())
	f.recordResults(ctx, s, d, results, o.deep)
	rep := &checkReport{Results: results, At: at, Expiry: o.expiry, Deep: o.deep, Orgs: map[providers.ID]string{}}
	for _, id := range ids {
		rep.Orgs[id] = d.Providers[string(id)].Org
	}
	if o.devtron {
		rep.Devtron = f.checkDevtronInstance(ctx, d, env)
	}
	if err := cf.Write(out, rep); err != nil {
		return err
	}
	complete()
	return cf.outcome(rep)
}

// stageWriter returns the --deep progress callback for format f: the format's own stage records
// (jsonl), and a person's progress lines on stderr for formats that show them, when standard
// output is a terminal.
func (f *factory) stageWriter(out io.Writer, cf checkFormat, toStdout bool) func(providers.ID, providers.Check) {
	human := cf.ShowsProgress && f.IsTerm && toStdout
	if cf.Stage == nil && !human {
		return nil
	}
	return func(id providers.ID, c providers.Check) {
		if human {
			f.showStage(id, c)
		}
		if cf.Stage != nil && c.Status != providers.Running {
			f.progressMu.Lock()
			defer f.progressMu.Unlock()
			if err := cf.Stage(out, id, c, f.now()); err != nil {
				fmt.Fprintln(f.Err, "warning: a round-trip stage could not be written:", err)
			}
		}
	}
}

// nothingToCheck reports that there is nothing to check, on stderr and in format f's own way
// (exit 1 unless the format says otherwise).
func (f *factory) nothingToCheck(out io.Writer, cf checkFormat, msg string) error {
	fmt.Fprintln(f.Err, msg)
	if cf.Unusable != nil {
		err := cf.Unusable(out, msg, errCheckFailed)
		if file, ok := out.(*atomicOutput); ok {
			file.complete = true
		}
		return err
	}
	return errCheckFailed
}

// runChecks checks the given providers concurrently (with the round trip when deep) and returns
// results in the given order.
func runChecks(ctx context.Context, env *providers.Env, d *config.Data, ids []providers.ID, deep bool,
	progress func(providers.ID, providers.Check)) []providers.Result {
	results := make([]providers.Result, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		creds := providers.FromConfig(id, d.Providers[string(id)])
		ctx := providers.WithKnownUserID(ctx, providers.KnownUserID(d.Providers[string(id)]))
		wg.Go(func() {
			if deep {
				var stage func(providers.Check)
				if progress != nil {
					stage = func(c providers.Check) { progress(id, c) }
				}
				results[i] = providers.RunDeep(ctx, env, creds, stage)
			} else {
				results[i] = providers.Run(ctx, env, creds)
			}
			results[i].Active = d.Active == string(id)
		})
	}
	wg.Wait()
	return results
}

// showStage prints a round-trip stage as it starts and ends, on stderr, for a person watching.
func (f *factory) showStage(id providers.ID, c providers.Check) {
	f.progressMu.Lock()
	defer f.progressMu.Unlock()
	if c.Status == providers.Running {
		fmt.Fprintf(f.Err, "%s: %s …\n", id, c.ID)
		return
	}
	fmt.Fprintf(f.Err, "%s: %s %s\n", id, c.Status.Mark(), c.ID)
}

// recordResults remembers each result in the store (a round trip as last_deep), for providers
// whose credentials did not change while they were checked (tested holds what was checked);
// failing to do so is a warning, not a failure.
func (f *factory) recordResults(ctx context.Context, s *config.Store, tested *config.Data, results []providers.Result, deep bool) {
	now := f.now()
	var checked []config.Checked
	for _, r := range results {
		checked = append(checked, config.Checked{Provider: string(r.Provider),
			Tested: tested.Providers[string(r.Provider)].Settings(), Record: r.Record(now, deep)})
	}
	_, err := s.RecordChecks(ctx, f.who(), checked...)
	if config.IsKind(err, config.KindStale) {
		return // every provider changed while it was checked: its results are not theirs to keep
	}
	if err != nil {
		fmt.Fprintln(f.Err, "warning: the check results could not be remembered:", err)
	}
}
