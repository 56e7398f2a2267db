package cli

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"gitopscfg/config"
	"gitopscfg/config/safe"
	"gitopscfg/providers"
	"gitopscfg/ui"
	"gitopscfg/usecase"
)

// statusAuditEntries is how many audit entries status shows.
const statusAuditEntries = 10

type statusJSON struct {
	Active    *string              `json:"active"`
	Providers []statusProviderJSON `json:"providers"`
	Revision  int64                `json:"revision"`
	// Devtron is the default (or only) Devtron instance, kept for compatibility: Platforms lists
	// every instance.
	Devtron   *devtronStatusJSON   `json:"devtron"`
	Platforms []platformStatusJSON `json:"platforms"`
	Audit     []config.AuditEntry  `json:"audit"`
}

type statusProviderJSON struct {
	Provider providers.ID `json:"provider"`
	// Credential is the credential's name (null: the provider has none).
	Credential *string        `json:"credential"`
	Name       string         `json:"name"`
	Configured bool           `json:"configured"`
	Active     bool           `json:"active"`
	Host       *string        `json:"host"`
	Org        *string        `json:"org"`
	Username   *string        `json:"username"`
	ProjectKey *string        `json:"project_key"`
	Repo       *string        `json:"repo"`
	TokenHint  *string        `json:"token_hint"`
	LastCheck  *lastCheckJSON `json:"last_check"`
	LastDeep   *lastCheckJSON `json:"last_deep"`
	// Proxy is the proxy the credential's requests go through (never its credentials);
	// ClientCertExpiresAt when its client certificate expires (omitted without one).
	Proxy               *string    `json:"proxy,omitempty"`
	ClientCertExpiresAt *time.Time `json:"client_cert_expires_at,omitempty"`
	// ClientCertPath is the file of a client certificate kept in place (omitted otherwise).
	ClientCertPath string `json:"client_cert_path,omitempty"`
	// SSH is set when the credential's Git goes over SSH.
	SSH *sshStatusJSON `json:"ssh,omitempty"`
}

type lastCheckJSON struct {
	At        time.Time  `json:"at"`
	OK        bool       `json:"ok"`
	Deep      bool       `json:"deep"`
	ExpiresAt *time.Time `json:"expires_at"`
}

// statusOptions is what status needs: the injected dependencies (the providers' environment to
// compare with a stored Devtron instance), and --json.
type statusOptions struct {
	runDeps
	JSON bool
}

// newStatusCmd builds status; runF runs it (nil: statusRun), so tests can swap it.
func newStatusCmd(f *factory, runF func(context.Context, *statusOptions) error) *cobra.Command {
	if runF == nil {
		runF = statusRun
	}
	opts := &statusOptions{}
	cmd := &cobra.Command{
		Use:   "status [--json]",
		Short: "Show the providers, which is active, the last check and token expiry (never a token)",
		Example: `  $ gitopscfg status

  # The active provider's id, in a script
  $ gitopscfg status --json | jq -r .active`,
		SuggestFor: []string{"list", "ls"},
		Args:       cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.runDeps = f.deps()
			return runF(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print one JSON document")
	allowOverSSH(cmd) // a session over SSH without a terminal may run status (sshpolicy.go)
	allowFlagOverSSH(cmd.Flags().Lookup("json"))
	return cmd
}

// statusRun prints the stored providers, the recent changes and, when an instance is stored, how
// Devtron's configurations compare with them.
func statusRun(ctx context.Context, opts *statusOptions) error {
	s, d, err := loadStore(opts.OpenStore)
	if err != nil {
		return err
	}
	var all []*devtronStatusJSON
	var dts *devtronStatusJSON
	if len(usecase.StoredInstances(d)) > 0 {
		all, dts = comparePlatforms(ctx, opts.Env(providers.DefaultTimeout), d, opts.Now())
	}
	if opts.JSON {
		return writeStatusJSON(opts.IO.Out, d, dts, platformsJSON(all))
	}
	// One write at the end: the table writes each cell on its own, a system call each.
	w := bufio.NewWriter(opts.IO.Out)
	writeStatusText(w, s, d, opts.Now())
	writeNetText(w, d, opts.Now())
	writeSSHText(w, d)
	for _, st := range all {
		writeDevtronStatusText(w, st, len(d.InstanceNames(string(st.kind))) == 1)
	}
	return w.Flush()
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func lastCheck(r *config.CheckRecord) *lastCheckJSON {
	if r == nil {
		return nil
	}
	return &lastCheckJSON{At: r.At, OK: r.OK, Deep: r.Deep, ExpiresAt: r.ExpiresAt}
}

func writeStatusJSON(w io.Writer, d *config.Data, dts *devtronStatusJSON, list []platformStatusJSON) error {
	out := statusJSON{Active: strPtr(d.Active), Revision: d.Revision, Devtron: dts, Platforms: list, Audit: displayAudit(lastAudit(d, statusAuditEntries))}
	for _, row := range statusRows(d) {
		p, name, c := row.p, row.name, row.c
		sp := statusProviderJSON{Provider: p.ID, Credential: strPtr(name), Name: p.Name, Active: name != "" && d.Active == name}
		if c != nil {
			sp.Configured = true
			sp.Host, sp.Org, sp.Username, sp.ProjectKey = strPtr(c.Host), strPtr(c.Org), strPtr(c.Username), strPtr(c.ProjectKey)
			sp.TokenHint, sp.Repo = strPtr(providers.TokenHint(c.Token)), strPtr(c.Repo)
			// last_check is the latest check of either kind (its "deep" says which, as the README
			// has it); last_deep is the latest round trip.
			sp.LastCheck, sp.LastDeep = lastCheck(c.Latest()), lastCheck(c.LastDeep)
			sp.Proxy, sp.ClientCertExpiresAt = netJSON(providers.Credentials{Provider: p.ID, Settings: c.Settings})
			sp.ClientCertPath = c.ClientCertPath
			sp.SSH = sshStatus(name, c)
		}
		out.Providers = append(out.Providers, sp)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// statusRow is one row of status: a stored credential, or a provider with none (name "", c nil).
type statusRow struct {
	p    providers.Provider
	name string
	c    *config.Credential
}

// statusRows are usecase.Rows with each row's stored credential.
func statusRows(d *config.Data) []statusRow {
	var rows []statusRow
	for _, r := range usecase.Rows(d) {
		rows = append(rows, statusRow{p: r.Provider, name: r.Name, c: d.Credentials[r.Name]})
	}
	return rows
}

func lastAudit(d *config.Data, n int) []config.AuditEntry {
	if len(d.Audit) <= n {
		return d.Audit
	}
	return d.Audit[len(d.Audit)-n:]
}

func writeStatusText(w io.Writer, s *config.Store, d *config.Data, now time.Time) {
	mode := "a key file"
	if enc, _ := config.PassphraseProtected(s.Dir()); enc {
		mode = "a passphrase"
	}
	fmt.Fprintf(w, "Store %s (protected by %s)\n\n", s.Path(), mode)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  PROVIDER\tHOST\tORG\tUSERNAME\tTOKEN\tLAST CHECK")
	for _, row := range statusRows(d) {
		p, c := row.p, row.c
		mark := " "
		if row.name != "" && d.Active == row.name {
			mark = "✓"
		}
		if c == nil {
			fmt.Fprintf(tw, "%s %s\tnot configured\t\t\t\t\n", mark, p.Name)
			continue
		}
		org := c.Org
		if c.ProjectKey != "" {
			org += " / " + c.ProjectKey
		}
		host, secret := c.Host, providers.TokenHint(c.Token)
		if c.URL != "" {
			host = c.URL // the generic provider's one repository
		}
		if providers.UsesSSH(providers.FromConfig(row.name, c)) {
			secret = strings.TrimPrefix(secret+" + SSH key", " + ")
		}
		fmt.Fprintf(tw, "%s %s\t%s\t%s\t%s\t%s\t%s\n", mark, credentialLabel(row.name, c.Provider), safe.Text(host), safe.Text(org), safe.Text(c.Username),
			secret, describeLastCheck(c, now))
	}
	_ = tw.Flush()
	switch {
	case len(d.Credentials) == 0:
		fmt.Fprintln(w, "\nNo provider is configured: add one with `gitopscfg set PROVIDER …`.")
	case d.Active == "":
		fmt.Fprintln(w, "\nNo provider is active: `gitopscfg activate PROVIDER`.")
	default:
		fmt.Fprintf(w, "\n✓ marks the active %s (%s).\n", credentialNoun(d.Active, d.Credentials[d.Active].Provider), credentialLabel(d.Active, d.Credentials[d.Active].Provider))
	}
	if audit := lastAudit(d, statusAuditEntries); len(audit) > 0 {
		fmt.Fprintln(w, "\nRecent changes:")
		writeAudit(w, displayAudit(audit))
	}
}

// writeAudit writes audit entries as aligned lines: when, the action, what it changed (a
// credential, or a platform instance's name), who, the fields' names and a replaced host key.
func writeAudit(w io.Writer, entries []config.AuditEntry) {
	actionW, subjectW := 10, 10
	for _, e := range entries {
		actionW = max(actionW, len(e.Action))
		subjectW = max(subjectW, len(auditSubject(e)))
	}
	for _, e := range entries {
		fields := ""
		if len(e.Fields) > 0 {
			fields = " (" + strings.Join(e.Fields, ", ") + ")"
		}
		if e.HostKey != nil {
			fields += "; host key replaced: " + e.HostKey.String()
		}
		fmt.Fprintf(w, "  %s  %-*s %-*s %s%s\n", e.At.Local().Format("2006-01-02 15:04"), actionW, e.Action, subjectW, auditSubject(e), e.Who, fields)
	}
}

// auditSubject is what an audit entry changed: its credential, or its platform instance's name.
func auditSubject(e config.AuditEntry) string { return cmp.Or(e.Credential, e.Instance) }

// plural is "1 warning", "2 warnings".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// describeLastCheck summarises the remembered checks of one provider for a table cell.
func describeLastCheck(c *config.Credential, now time.Time) string {
	r := c.Latest()
	if r == nil {
		return "never checked"
	}
	out := "failed"
	switch n := providers.Warnings(r); {
	case r.OK && n > 0:
		out = "passed with " + plural(n, "warning")
	case r.OK:
		out = "ok"
	}
	if r.Deep {
		out += " (round trip)"
	}
	out += " " + ui.Ago(r.At, now)
	if exp, _ := ui.ExpiryNote(r.ExpiresAt, now); exp != "" {
		out += ", " + exp
	}
	return out
}
