package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// pushOptions is what push needs: injected dependencies first, then the parsed flags and
// arguments.
type pushOptions struct {
	runDeps

	// Kind is the platform's kind ("": Devtron).
	Kind platforms.Kind
	// Credential is the CREDENTIAL argument as credentialArg read it ("": the active one); Typed
	// as typed.
	Credential, Typed string
	// Instances are the --instance names (none: the only instance); AllInstances is
	// --all-instances.
	Instances    []string
	AllInstances bool
	// Replace lets a push replace another stored credential of the same provider that an
	// instance holds (Devtron keeps one configuration per provider).
	Replace bool
	Force   bool
	// Prune also deletes what was delivered for credentials no longer stored.
	Prune bool
	JSON  bool
	// Activate lets the push make the provider Devtron's active one in place of another, and makes
	// it the active one here too, so that both agree.
	Activate bool
	// Timeout bounds the wait for Devtron (0: no bound).
	Timeout time.Duration
}

// newPushCmd builds push KIND; runF runs it (nil: pushRun), so tests can swap it.
func newPushCmd(f *factory, runF func(context.Context, *pushOptions) error) *cobra.Command {
	if runF == nil {
		runF = pushRun
	}
	opts := &pushOptions{}
	kinds := pushKinds()
	cmd := &cobra.Command{
		Use:   "push " + strings.Join(kinds, "|") + " [CREDENTIAL] [--instance NAME]... [--all-instances] " + pushFlagsUse() + "[--force] [--json]",
		Short: "Create or update a credential's configuration in " + platformNames(kinds) + " (default: the active one)",
		Long:  pushLong(),
		Example: `  # The active provider
  $ gitopscfg push devtron

  # GitLab, made the active provider in Devtron and here
  $ gitopscfg push devtron gitlab --activate

  # In a script: the outcome as JSON
  $ gitopscfg push devtron gitlab --json`,
		Args:              cobra.RangeArgs(1, 2),
		ValidArgsFunction: f.completeProviderArg(true, kinds...),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.fromArgs(args); err != nil {
				return err
			}
			opts.runDeps = f.deps()
			return runF(cmd.Context(), opts)
		},
	}
	opts.addFlags(cmd.Flags())
	return cmd
}

// pushRun sends the credential's stored configuration to each instance asked for and reports
// the platform's outcome (its progress on stderr, unless opts.JSON).
func pushRun(ctx context.Context, opts *pushOptions) error {
	spec, err := opts.spec()
	if err != nil {
		return err
	}
	s, d, err := loadNamed(opts.OpenStore, opts.Credential, opts.Typed)
	if err != nil {
		return err
	}
	if spec.TokensOnly {
		if err := usecase.TokensOnly(d, opts.Credential); err != nil {
			return deliveryErr(opts.IO.Err, err) // whatever the instances: the platform takes no other kind
		}
	}
	targets, err := pushTargets(d, spec.Kind, opts)
	if err != nil {
		return err
	}
	b := usecase.New(s, usecase.Options{Env: opts.Env, Who: opts.Who()})
	if opts.Timeout > 0 {
		var cancel func()
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	p := &pusher{opts: opts, spec: spec, b: b}
	if len(targets) == 1 {
		_, err := p.one(ctx, d, targets[0], opts.JSON)
		return err
	}
	return p.each(ctx, d, targets)
}

// pusher is one push command's run: its options, the kind's registration and the backend.
type pusher struct {
	opts *pushOptions
	spec platforms.Spec
	b    *usecase.Backend
}

// each pushes to every instance of targets in turn, saying which, and exits with the worst
// outcome.
func (p *pusher) each(ctx context.Context, d *config.Data, targets []string) error {
	opts := p.opts
	var docs []pushInstanceJSON
	var firstErr error
	for _, inst := range targets {
		if !opts.JSON {
			fmt.Fprintf(opts.IO.Out, "%s instance %s:\n", p.spec.Name, inst)
		}
		out, err := p.one(ctx, d, inst, false)
		if out.Data != nil {
			d = out.Data // the push made the credential the active one here: the next one knows
		}
		doc := pushInstanceJSON{Instance: inst, Credential: out.Credential}
		if out.Result.Outcome != "" {
			doc.Result = &out.Result
		}
		if err != nil && err != errCheckFailed {
			doc.Error = err.Error()
			fmt.Fprintf(opts.IO.Err, "error: %s: %v\n", inst, err)
		}
		docs = append(docs, doc)
		if err != nil && (firstErr == nil || exitCode(err) > exitCode(firstErr)) {
			firstErr = err
		}
		if !opts.JSON {
			fmt.Fprintln(opts.IO.Out)
		}
	}
	if opts.JSON {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(docs); err != nil {
			return err
		}
	}
	if firstErr != nil && firstErr != errCheckFailed {
		return &exitError{code: exitCode(firstErr), err: fmt.Errorf("not every push was made (see above)")}
	}
	return firstErr
}

// pushInstanceJSON is one instance's outcome of a push to several, with --json.
type pushInstanceJSON struct {
	Instance   string                `json:"instance"`
	Credential string                `json:"credential"`
	Result     *platforms.PushResult `json:"result"`
	Error      string                `json:"error,omitempty"`
}

// pushTargets are the instances of kind a push goes to: every one (--all-instances), those named
// (--instance), or the only one.
func pushTargets(d *config.Data, kind platforms.Kind, opts *pushOptions) ([]string, error) {
	names := d.InstanceNames(string(kind))
	switch {
	case opts.AllInstances && len(opts.Instances) > 0:
		return nil, usageErr("--instance and --all-instances exclude each other")
	case len(names) == 0:
		return nil, usageErr("%v", usecase.NoInstanceError{Kind: kind})
	case opts.AllInstances:
		return names, nil
	case len(opts.Instances) == 0:
		if _, err := usecase.Target(d, kind, ""); err != nil {
			return nil, usageErr("%v", err)
		}
		return names, nil
	}
	var out []string
	for _, n := range opts.Instances {
		if _, err := usecase.Target(d, kind, n); err != nil {
			return nil, usageErr("%v", err)
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// one pushes to the instance inst, asking on a terminal before it switches Devtron's active
// provider or replaces another credential there; asJSON prints the outcome as one JSON object.
func (p *pusher) one(ctx context.Context, d *config.Data, inst string, asJSON bool) (usecase.Pushed, error) {
	opts, b := p.opts, p.b
	activate := opts.Activate
	var err error
	if !activate && p.spec.OneActive && opts.IO.onTerminal() {
		if activate, err = askActivate(ctx, opts, b, d, inst); err != nil {
			return usecase.Pushed{}, err
		}
	}
	var mu sync.Mutex
	in := usecase.PushInput{Kind: p.spec.Kind, Credential: opts.Credential, Instance: inst, Replace: opts.Replace, Force: opts.Force,
		Prune: opts.Prune, Activate: activate, Progress: pushProgressTo(&mu, opts.IO.Err, opts.JSON)}
	out, err := b.Push(ctx, d, in)
	var re *usecase.ReplaceError
	if errors.As(err, &re) && opts.IO.onTerminal() {
		yes, cerr := opts.IO.confirm(fmt.Sprintf("%s. Replace it? [y/N] ", re.Error()))
		if cerr != nil {
			return out, cerr
		}
		if !yes {
			return out, usageErr("not pushed: the Devtron instance %s keeps %s", re.Instance, re.Holder)
		}
		in.Replace = true
		out, err = b.Push(ctx, d, in)
	}
	if out.Forced != nil {
		fmt.Fprintf(opts.IO.Err, "warning: %s; going on because of --force\n", out.Forced.Why)
	}
	if err := deliveryErr(opts.IO.Err, err); err != nil || out.Result.Outcome == "" {
		return out, err
	}
	if asJSON {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out.Result); err != nil {
			return out, err
		}
	} else if !opts.JSON {
		writePushText(opts.IO.Out, p.spec.Name, out.Result)
	}
	if !out.Result.OK() {
		return out, errCheckFailed
	}
	c := d.Credentials[out.Credential]
	switch {
	case out.ActivatedHere:
		fmt.Fprintf(opts.IO.Err, "%s is now the active %s here too, as in Devtron.\n", credentialLabel(out.Credential, c.Provider), credentialNoun(out.Credential, c.Provider))
	case out.Disagree != "":
		fmt.Fprintf(opts.IO.Err, "warning: %s is the active %s in Devtron, but here it is %s: `gitopscfg activate %s` makes them agree\n",
			credentialLabel(out.Credential, c.Provider), credentialNoun(out.Credential, c.Provider), disagreeLabel(d, out.Disagree), out.Credential)
	}
	return out, nil
}

// disagreeLabel names the credential active here in a disagreement ("none" as it is).
func disagreeLabel(d *config.Data, name string) string {
	if c := d.Credentials[name]; c != nil {
		return credentialLabel(name, c.Provider)
	}
	return providerName(name)
}

// deliveryErr turns a delivery use case's refusal into the command line's error: usage (exit 2)
// for what was asked and the gate's advice; a push that could not be made is said on errw (exit 1).
func deliveryErr(errw io.Writer, err error) error {
	var (
		ue *usecase.UsageError
		nf *usecase.NotFreshError
		se *platforms.SwitchError
		re *usecase.ReplaceError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ue), errors.As(err, new(usecase.NoInstanceError)), errors.Is(err, platforms.ErrUnsupported):
		return usageErr("%v", err)
	case errors.As(err, &nf):
		return usageErr("%s: run `gitopscfg check %s` first, or give --force", nf.Why, nf.Credential)
	case errors.As(err, &se):
		return usageErr("not pushed: %v; give --activate to make %s the active provider there (and here)", err, se.Provider)
	case errors.As(err, &re):
		return usageErr("not pushed: %v; give --replace to replace it", err)
	}
	fmt.Fprintln(errw, "not pushed:", err)
	return errCheckFailed
}

// askActivate asks a person on a terminal, when the push would switch Devtron's active provider,
// whether it may (a configuration Devtron holds is updated inactive on no; one it does not hold
// is not created).
func askActivate(ctx context.Context, opts *pushOptions, b *usecase.Backend, d *config.Data, inst string) (bool, error) {
	id, _, err := usecase.Deliverable(d, opts.Credential)
	if err != nil {
		return false, nil // the push itself reports it
	}
	plan, err := b.PlanPush(ctx, d, id, inst)
	if err != nil || !plan.Switches {
		return false, nil
	}
	there := platforms.ActiveName(plan.Active)
	otherwise := fmt.Sprintf("no: nothing is pushed, and %s stays active there", there)
	if plan.Present {
		otherwise = fmt.Sprintf("no: %s's configuration there is updated and stays inactive", id)
	}
	yes, err := opts.IO.confirm(fmt.Sprintf("Devtron's active GitOps provider is %s: its applications push there. Make %s the active one in Devtron, and here? (%s) [y/N] ",
		there, id, otherwise))
	if err != nil {
		return false, err
	}
	if !yes && !plan.Present {
		return false, usageErr("not pushed: %s stays Devtron's active provider", there)
	}
	return yes, nil
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

// writePushText prints a push's outcome on platform for a person.
func writePushText(w io.Writer, platform string, r platforms.PushResult) {
	verdict := map[platforms.PushOutcome]string{platforms.Saved: "SAVED", platforms.SavedWithWarning: "SAVED (with a warning)",
		platforms.SavedUnchecked: "SAVED (not checked by Devtron)", platforms.Refused: "NOT SAVED", platforms.OutcomeUnknown: "UNKNOWN"}[r.Outcome]
	fmt.Fprintf(w, "%s — %s — %s in %d ms (%s)\n", platform, cmp.Or(r.Devtron, r.Target), verdict, r.DurationMS, plural(r.Requests, "request"))
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
