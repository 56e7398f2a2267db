package cli

import (
	"context"
	"fmt"
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
}

func newCheckCmd(a *App) *cobra.Command {
	var o checkOptions
	cmd := &cobra.Command{
		Use:   "check [PROVIDER|--all] [--json] [--timeout 15s] [--deep]",
		Short: "Re-test stored credentials against the provider's API (default: the active provider)",
		Long: `Re-test stored credentials against the provider's API: who the token authenticates as, which
required scopes are present, whether the organisation/group/project/workspace is reachable, and when
the token expires. With --deep, a round trip follows once authentication and the organisation pass:
create a private throw-away repository (gitopscfg-check-xxxxxx), clone it, push a commit, read the
branch back, and delete the repository (also on Ctrl-C or timeout); --timeout then defaults to 60s.
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
			return a.runCheck(cmd.Context(), o, args)
		},
	}
	cmd.Flags().BoolVar(&o.all, "all", false, "check every configured provider")
	cmd.Flags().BoolVar(&o.json, "json", false, "print one JSON document")
	cmd.Flags().DurationVar(&o.timeout, "timeout", providers.DefaultTimeout, "deadline for the whole check (60s with --deep)")
	cmd.Flags().BoolVar(&o.deep, "deep", false, "add the round trip: create a repository, clone, push, verify, delete")
	return cmd
}

func (a *App) runCheck(ctx context.Context, o checkOptions, args []string) error {
	s, d, err := a.openAndLoad()
	if err != nil {
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
			return a.nothingToCheck(o, fmt.Sprintf("%s is not configured: run `gitopscfg set %s …` first", p.Name, p.ID))
		}
		ids = []providers.ID{p.ID}
	default:
		if d.Active == "" {
			return a.nothingToCheck(o, "no provider is active: give a provider, --all, or `gitopscfg activate PROVIDER`")
		}
		ids = []providers.ID{providers.ID(d.Active)}
	}
	if len(ids) == 0 {
		return a.nothingToCheck(o, "no provider is configured: run `gitopscfg set PROVIDER …` first")
	}
	env := a.EnvWithTimeout(o.timeout)
	var progress func(providers.ID, providers.Check)
	if o.deep && !o.json && a.IsTerm {
		progress = a.showStage
	}
	results := runChecks(ctx, env, d, ids, o.deep, progress)
	a.recordResults(ctx, s, d, results, o.deep)
	if o.json {
		if err := writeResultsJSON(a.Out, results); err != nil {
			return err
		}
	} else {
		writeResultsText(a.Out, results, time.Now())
	}
	for _, r := range results {
		if !r.OK {
			return errCheckFailed
		}
	}
	return nil
}

// nothingToCheck reports exit 1 with an explanation (and an empty JSON result list with --json).
func (a *App) nothingToCheck(o checkOptions, msg string) error {
	if o.json {
		_ = writeResultsJSON(a.Out, nil)
	}
	fmt.Fprintln(a.Err, msg)
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
func (a *App) showStage(id providers.ID, c providers.Check) {
	a.progressMu.Lock()
	defer a.progressMu.Unlock()
	if c.Status == providers.Running {
		fmt.Fprintf(a.Err, "%s: %s …\n", id, c.ID)
		return
	}
	fmt.Fprintf(a.Err, "%s: %s %s\n", id, StatusMark(c.Status), c.ID)
}

// recordResults remembers each result in the store (a round trip as last_deep), for providers
// whose credentials did not change while they were checked (tested holds what was checked);
// failing to do so is a warning, not a failure.
func (a *App) recordResults(ctx context.Context, s *config.Store, tested *config.Data, results []providers.Result, deep bool) {
	now := time.Now()
	var checked []config.Checked
	for _, r := range results {
		checked = append(checked, config.Checked{Provider: string(r.Provider),
			Tested: tested.Providers[string(r.Provider)].Settings(), Record: r.Record(now, deep)})
	}
	_, err := s.RecordChecks(ctx, a.who(), checked...)
	if config.IsKind(err, config.KindStale) {
		return // every provider changed while it was checked: its results are not theirs to keep
	}
	if err != nil {
		fmt.Fprintln(a.Err, "warning: the check results could not be remembered:", err)
	}
}
