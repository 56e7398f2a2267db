package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"gitopscfg/config/safe"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// whichOptions is what which needs: injected dependencies first, then the URL and the flags.
type whichOptions struct {
	runDeps

	URL     string
	JSON    bool
	Timeout time.Duration
}

// newWhichCmd builds which; runF runs it (nil: whichRun), so tests can swap it.
func newWhichCmd(f *factory, runF func(context.Context, *whichOptions) error) *cobra.Command {
	if runF == nil {
		runF = whichRun
	}
	opts := &whichOptions{}
	cmd := &cobra.Command{
		Use:   "which URL [--json] [--timeout 15s]",
		Short: "Say which stored credential serves a repository URL, and check that it can read it",
		Long: `Say which stored credential serves a repository's HTTPS URL, as Argo CD would choose it: the
credential whose template (export argocd) claims the longest URL prefix of the URL, its
organisation's or its --url-prefix; when none claims one, the credential of the URL's host whose
organisation (group, project, workspace) starts the URL's path. Then ask the Git server, as a clone
does (Git's smart-HTTP info/refs), whether that credential can read the repository. The token goes
to the credential's own Git host only, through its CA bundle.

Exit status 0 when a credential serves the URL and can read the repository, 1 when none serves it,
two serve it alike, or it cannot read it, 2 for a URL that is no HTTPS URL or a store that cannot be
read. --json prints {"url", "credential" (null when none), "provider", "prefix", "readable",
"checks": [{"id", "status", "message"}]}.`,
		Example: `  # Which credential Argo CD would use for a repository, and whether it can read it
  $ gitopscfg which https://github.com/acme-infra/gitops

  # The same, machine-readable
  $ gitopscfg which https://gitlab.example.com/acme/gitops/apps.git --json`,
		Args: cobra.ExactArgs(1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Timeout <= 0 {
				return usageErr("--timeout must be positive")
			}
			opts.URL = args[0]
			opts.runDeps = f.deps()
			return runF(cmd.Context(), opts)
		},
	}
	// Over SSH without a terminal a session may run which: it reads, and writes nothing
	// (sshpolicy.go).
	allowOverSSH(cmd)
	fl := cmd.Flags()
	fl.BoolVar(&opts.JSON, "json", false, "print one JSON document")
	allowFlagOverSSH(fl.Lookup("json"))
	fl.DurationVar(&opts.Timeout, "timeout", providers.DefaultTimeout, "deadline for the whole look-up and read")
	allowFlagOverSSH(fl.Lookup("timeout"))
	return cmd
}

// whichJSON is which's --json document.
type whichJSON struct {
	URL        string            `json:"url"`
	Credential *string           `json:"credential"`
	Provider   *providers.ID     `json:"provider"`
	Prefix     *string           `json:"prefix"`
	Readable   bool              `json:"readable"`
	Checks     []providers.Check `json:"checks"`
}

// whichRun finds the credential that serves opts.URL and checks that it can read it (see
// usecase.Which), and writes what it found: exit 0 when one serves and reads it, 1 otherwise.
func whichRun(ctx context.Context, opts *whichOptions) error {
	_, d, err := loadStore(opts.OpenStore)
	if err != nil {
		return err
	}
	b := usecase.New(nil, usecase.Options{Env: func(time.Duration) *providers.Env { return opts.Env(opts.Timeout) }})
	served, err := b.Which(ctx, d, opts.URL)
	if err != nil {
		return deliveryErr(opts.IO.Err, err)
	}
	for i, c := range served.Checks {
		served.Checks[i] = displayCheck(c)
	}
	served.URL = safe.Text(served.URL)
	if opts.JSON {
		err = writeWhichJSON(opts.IO.Out, served)
	} else {
		writeWhichText(opts.IO.Out, served)
	}
	if err != nil {
		return err
	}
	if !served.OK() {
		return errCheckFailed
	}
	return nil
}

func writeWhichJSON(w io.Writer, s usecase.Served) error {
	doc := whichJSON{URL: s.URL, Readable: s.Readable, Checks: s.Checks}
	if s.Credential != "" {
		doc.Credential, doc.Provider = &s.Credential, &s.Provider
	}
	if s.Prefix != "" {
		doc.Prefix = &s.Prefix
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func writeWhichText(w io.Writer, s usecase.Served) {
	who := "no credential"
	if s.Credential != "" {
		who = credentialLabel(s.Credential, string(s.Provider))
	}
	verdict := "FAILED"
	if s.OK() {
		verdict = "readable"
	}
	fmt.Fprintf(w, "%s — %s — %s\n", s.URL, who, verdict)
	writeCheckLines(w, s.Checks)
}
