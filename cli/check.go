package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// checkOptions is what check needs: injected dependencies first, then the parsed flags and arguments.
type checkOptions struct {
	runDeps
	// Drift compares the stored credentials with a stored platform instance (--devtron,
	// --platforms).
	Drift instanceDrift

	// Credential is the credential given ("": none), as credentialArg read it; Typed as typed.
	Credential, Typed string
	All               bool
	Deep              bool
	Devtron           bool
	Platforms         bool
	Timeout           time.Duration
	Format            checkFormat
	Output            string
	Expiry            expiryThresholds
	// Repo, when --repo is given, is the round trip's repository for this run ("": none).
	Repo *string
}

// newCheckCmd builds check; runF runs it (nil: checkRun), so tests can swap it.
func newCheckCmd(f *factory, runF func(context.Context, *checkOptions) error) *cobra.Command {
	if runF == nil {
		runF = checkRun
	}
	opts := &checkOptions{Expiry: expiryThresholds{Warn: defaultWarnExpiry}}
	var format string
	var asJSON bool
	cmd := &cobra.Command{
		Use:               "check [CREDENTIAL|--all] [--format text|json|jsonl|prometheus|nagios] [--output FILE] [--timeout 15s] [--deep [--repo OWNER/REPO]]",
		Short:             "Re-test stored credentials against the provider's API (default: the active provider)",
		Long:              checkLong,
		Example:           checkExample,
		SuggestFor:        []string{"test", "verify"},
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: f.completeProviderArg(true),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.parse(cmd, args, format, asJSON); err != nil {
				return err
			}
			opts.runDeps = f.deps()
			opts.Drift = func(ctx context.Context, d *config.Data, kind platforms.Kind, instance string) *devtronStatusJSON {
				return compareNamed(ctx, f.providerEnv(), d, kind, instance)
			}
			return runF(cmd.Context(), opts)
		},
	}
	addCheckFlags(cmd, opts, &format, &asJSON)
	return cmd
}

// parse checks check's flags and arguments and puts them in opts: format (or --json) as
// opts.Format, the CREDENTIAL argument as opts.Credential, and --timeout's default with --deep.
func (opts *checkOptions) parse(cmd *cobra.Command, args []string, format string, asJSON bool) error {
	if opts.All && len(args) > 0 {
		return usageErr("give a provider or --all, not both")
	}
	if opts.Deep && !cmd.Flags().Changed("timeout") {
		opts.Timeout = providers.DeepTimeout
	}
	opts.Repo = nil
	if cmd.Flags().Changed("repo") {
		repo, _ := cmd.Flags().GetString("repo")
		switch {
		case !opts.Deep:
			return usageErr("--repo names the round trip's repository: give --deep too")
		case opts.All:
			return usageErr("--repo names one credential's repository: give a CREDENTIAL, not --all")
		}
		opts.Repo = &repo
	}
	if opts.Timeout <= 0 {
		return usageErr("--timeout must be positive")
	}
	if asJSON {
		if cmd.Flags().Changed("format") && format != "json" {
			return usageErr("--json is --format json: give one of them")
		}
		format = "json"
	}
	cf, err := lookupCheckFormat(format)
	if err != nil {
		return err
	}
	opts.Format = cf
	if opts.Expiry.Fail > 0 && opts.Expiry.Warn > 0 && opts.Expiry.Fail > opts.Expiry.Warn {
		return usageErr("--fail-expiry %s is longer than --warn-expiry %s: a token would fail before it warns",
			formatDays(opts.Expiry.Fail), formatDays(opts.Expiry.Warn))
	}
	if len(args) == 1 {
		if err := readCredentialArg(args[0], &opts.Credential, &opts.Typed); err != nil {
			return err
		}
	}
	return nil
}

// addCheckFlags defines check's flags on cmd, and which of them a session over SSH may give.
func addCheckFlags(cmd *cobra.Command, opts *checkOptions, format *string, asJSON *bool) {
	// Over SSH without a terminal a session may run check with every flag but --output, which would
	// write a file on the server (sshpolicy.go).
	allowOverSSH(cmd)
	fl := cmd.Flags()
	fl.BoolVar(&opts.All, "all", false, "check every configured provider")
	allowFlagOverSSH(fl.Lookup("all"))
	fl.BoolVar(asJSON, "json", false, "print one JSON document (the same as --format json)")
	allowFlagOverSSH(fl.Lookup("json"))
	fl.StringVar(format, "format", "text", checkFormatHelp())
	allowFlagOverSSH(fl.Lookup("format"))
	fl.StringVar(&opts.Output, "output", "", "write the output to FILE atomically instead of standard output")
	fl.Var(durationFlag{&opts.Expiry.Warn}, "warn-expiry", "warn when the token expires within this time (14d, 36h; 0 turns it off)")
	allowFlagOverSSH(fl.Lookup("warn-expiry"))
	fl.Var(durationFlag{&opts.Expiry.Fail}, "fail-expiry", "fail when the token expires within this time (7d, 36h; default off)")
	allowFlagOverSSH(fl.Lookup("fail-expiry"))
	fl.DurationVar(&opts.Timeout, "timeout", providers.DefaultTimeout, "deadline for the whole check (60s with --deep)")
	allowFlagOverSSH(fl.Lookup("timeout"))
	fl.BoolVar(&opts.Devtron, "devtron", false, "also check every stored Devtron instance and whether it holds the same configurations")
	allowFlagOverSSH(fl.Lookup("devtron"))
	fl.BoolVar(&opts.Platforms, "platforms", false, "also check every stored platform instance (Devtron, Argo CD, Flux) and whether it holds the stored credentials")
	allowFlagOverSSH(fl.Lookup("platforms"))
	fl.BoolVar(&opts.Deep, "deep", false, "add the round trip: create a repository, clone, push, verify, delete")
	allowFlagOverSSH(fl.Lookup("deep"))
	fl.String("repo", "", "with --deep: push a throw-away branch to this existing repository (OWNER/REPO) for this run instead of the stored one (\"\": create a throw-away repository)")
	allowFlagOverSSH(fl.Lookup("repo"))
}

// checkRun checks the chosen providers (and the Devtron instance with opts.Devtron), remembers
// the results in the store and writes them in opts.Format, to opts.Output when it is given.
func checkRun(ctx context.Context, opts *checkOptions) (err error) {
	var out io.Writer = opts.IO.Out
	var file *atomicOutput
	if opts.Output != "" {
		if file, err = createAtomicOutput(opts.Output); err != nil {
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
		if file != nil {
			file.complete = true
		}
	}
	return checkTo(ctx, opts, out, complete)
}

// checkTo is checkRun writing to out; complete marks what the format wrote as whole (a report, or
// its own account of why there is none).
func checkTo(ctx context.Context, opts *checkOptions, out io.Writer, complete func()) error {
	cf := opts.Format
	s, d, err := loadStore(opts.OpenStore)
	if err != nil && opts.Credential != "" {
		err = unknownWithoutStore(err, opts.Credential, opts.Typed)
	}
	if err != nil {
		if cf.Broken != nil {
			fmt.Fprintln(opts.IO.Err, "error:", err)
			defer complete()
			return cf.Broken(out, err)
		}
		return err
	}
	names, nothing, err := checkedNames(opts, d)
	if err != nil {
		return err
	}
	if nothing != "" {
		return nothingToCheck(out, opts.IO.Err, cf, nothing, complete)
	}
	if err := opts.platformsStored(d); err != nil {
		return err
	}
	if err := opts.checkRepo(d, names); err != nil {
		return err
	}
	rep := testProviders(ctx, opts, s, d, names, out)
	if opts.Devtron || opts.Platforms {
		rep.Devtron = checkInstances(ctx, opts.Env(opts.Timeout), d, opts.Drift, platforms.KindDevtron)
	}
	if opts.Platforms {
		var others []platforms.Kind
		for _, spec := range platforms.Kinds() {
			if spec.Kind != platforms.KindDevtron {
				others = append(others, spec.Kind)
			}
		}
		rep.Platforms = checkInstances(ctx, opts.Env(opts.Timeout), d, opts.Drift, others...)
	}
	if err := cf.Write(out, rep); err != nil {
		return err
	}
	complete()
	return cf.outcome(rep)
}

// checkedNames are the credentials check tests: every stored one (--all), the one given, or the
// active one; when there is none, nothing says why.
func checkedNames(opts *checkOptions, d *config.Data) (names []string, nothing string, err error) {
	switch {
	case opts.All:
		names = usecase.CredentialNames(d)
	case opts.Credential != "":
		if d.Credentials[opts.Credential] == nil {
			if p, err := providers.Lookup(opts.Credential); err == nil {
				return nil, fmt.Sprintf("%s is not configured: run `gitopscfg set %s …` first", p.Name, p.ID), nil
			}
			return nil, "", usageErr("%s", unknownCredential(opts.Typed, d))
		}
		names = []string{opts.Credential}
	default:
		if d.Active == "" && len(d.Credentials) == 0 {
			return nil, noProviderConfigured, nil // not "activate": there is nothing to activate yet
		}
		if d.Active == "" {
			return nil, "no provider is active: give a provider, --all, or `gitopscfg activate PROVIDER`", nil
		}
		names = []string{d.Active}
	}
	if len(names) == 0 {
		return nil, noProviderConfigured, nil
	}
	return names, "", nil
}

// testProviders tests the credentials names (the round trip too with opts.Deep, its stages shown as they end),
// grades the tokens' expiry, has the store remember the results, and reports them.
func testProviders(ctx context.Context, opts *checkOptions, s *config.Store, d *config.Data, names []string, out io.Writer) *checkReport {
	b := usecase.New(s, usecase.Options{Env: opts.Env, Now: opts.Now, Who: opts.Who()})
	to := usecase.TestOptions{Deep: opts.Deep, Timeout: opts.Timeout, Repo: opts.Repo}
	if opts.Deep {
		if progress := stageWriter(opts, out, opts.Format); progress != nil {
			to.Stage = func(st usecase.Stage) { progress(st.Provider, st.Check) }
		}
	}
	var graded time.Time
	to.Grade = func(results []providers.Result) {
		graded = opts.Now()
		applyExpiry(results, opts.Expiry, graded)
	}
	tested := b.Test(ctx, d, names, to)
	results, at := tested.Results, tested.At
	if tested.RecordErr != nil {
		fmt.Fprintln(opts.IO.Err, "warning: the check results could not be remembered:", tested.RecordErr)
	}
	rep := &checkReport{Results: results, At: at, Graded: graded, Expiry: opts.Expiry, Deep: opts.Deep, Orgs: map[string]string{}}
	for _, name := range names {
		rep.Orgs[name] = d.Credentials[name].Org
	}
	return rep
}

// noProviderConfigured is what check says about an empty store: what to run first.
const noProviderConfigured = "no provider is configured: run `gitopscfg set PROVIDER …` first"

// loadStore unlocks the store with open and reads it.
func loadStore(open func() (*config.Store, error)) (*config.Store, *config.Data, error) {
	s, err := open()
	if err != nil {
		return nil, nil, err
	}
	d, err := s.Load()
	if err != nil {
		return nil, nil, err
	}
	return s, d, nil
}

// stageWriter returns the --deep progress callback for format cf: the format's own stage records
// (jsonl), and a person's progress lines on stderr for formats that show them, when standard
// output is a terminal.
func stageWriter(opts *checkOptions, out io.Writer, cf checkFormat) func(providers.ID, providers.Check) {
	human := cf.ShowsProgress && opts.IO.IsTerm && opts.Output == ""
	if cf.Stage == nil && !human {
		return nil
	}
	// The providers are checked concurrently: one line at a time.
	var mu sync.Mutex
	return func(id providers.ID, c providers.Check) {
		mu.Lock()
		defer mu.Unlock()
		if human {
			showStage(opts.IO.Err, id, c)
		}
		if cf.Stage != nil && c.Status != providers.Running {
			if err := cf.Stage(out, id, c, opts.Now()); err != nil {
				fmt.Fprintln(opts.IO.Err, "warning: a round-trip stage could not be written:", err)
			}
		}
	}
}

// nothingToCheck reports that there is nothing to check, on errw and in format cf's own way
// (exit 1 unless the format says otherwise); complete marks the format's account as whole.
func nothingToCheck(out, errw io.Writer, cf checkFormat, msg string, complete func()) error {
	fmt.Fprintln(errw, msg)
	if cf.Unusable != nil {
		err := cf.Unusable(out, msg, errCheckFailed)
		complete()
		return err
	}
	return errCheckFailed
}

// showStage prints a round-trip stage as it starts and ends, on w, for a person watching.
func showStage(w io.Writer, id providers.ID, c providers.Check) {
	if c.Status == providers.Running {
		fmt.Fprintf(w, "%s: %s …\n", id, c.ID)
		return
	}
	fmt.Fprintf(w, "%s: %s %s\n", id, c.Status.Mark(), c.ID)
}

// platformsStored refuses --devtron without a Devtron instance, and --platforms without any
// instance.
func (opts *checkOptions) platformsStored(d *config.Data) error {
	switch {
	case opts.Devtron && !opts.Platforms && len(d.InstanceNames(string(platforms.KindDevtron))) == 0:
		return usageErr("--devtron: %v", usecase.NoInstanceError{Kind: platforms.KindDevtron})
	case opts.Platforms && len(usecase.StoredInstances(d)) == 0:
		return usageErr("--platforms: no platform instance is stored: run `gitopscfg KIND set` first (%s)", strings.Join(pushKinds(), ", "))
	}
	return nil
}

// checkLong is check's help text.
const checkLong = `Re-test stored credentials against the provider's API: who the token authenticates as, which
required scopes are present, whether the organisation/group/project/workspace is reachable, and when
the token expires. With --deep, a round trip follows once authentication and the organisation pass:
create a private throw-away repository (gitopscfg-check-xxxxxx), clone it, push a commit, read the
branch back, and delete the repository (also on Ctrl-C or timeout); --timeout then defaults to 60s.
A credential with an existing repository (set --repo OWNER/REPO, or --repo here for one run) creates
and deletes no repository: deep:read reads it, deep:push-branch pushes one commit to a throw-away
branch, deep:verify reads it back and deep:delete-branch deletes the branch; rights only creating
repositories needs are then reported as not needed.

A token expiring within --warn-expiry (default 14d) is a warning; within --fail-expiry (default off)
a failed check. Both take days (14d, 1d12h) or durations (36h).

--format prometheus writes the text format for node_exporter's textfile collector; --format nagios
follows the monitoring-plugin API (exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN); --format jsonl
writes one JSON object per line (each round-trip stage as it finishes).

--output FILE writes the output to FILE atomically (a temporary file in the same directory, then
renamed).

Exit status 0 when every check passed, 1 when one failed or nothing is configured.`

// checkExample is check's examples.
const checkExample = `  # Re-test the active provider
  $ gitopscfg check

  # One provider, as one JSON document
  $ gitopscfg check gitlab --json

  # Every configured provider, with the round trip
  $ gitopscfg check --all --deep

  # For node_exporter's textfile collector, from cron or a systemd timer
  $ gitopscfg check --all --format prometheus --output /var/lib/node_exporter/textfile/gitopscfg.prom

  # A Nagios or Icinga plugin: CRITICAL when a token expires within 7 days
  $ gitopscfg check --all --format nagios --fail-expiry 7d`
