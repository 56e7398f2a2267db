package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"gitopscfg/config"
	"gitopscfg/config/safe"
	"gitopscfg/providers"
	"gitopscfg/ui"
)

// Every string printed here may have come from a server (a login, an error message) or a file
// (an SSH key comment in the audit trail): the writers below pass each one through safe.Text at
// this one boundary, so no control, bidi or invisible character reaches a terminal or a JSON
// reader raw. Results arrive sealed by providers already (token masked); this is the display's
// own guarantee.

// displayResult returns r with every string made safe to show.
func displayResult(r providers.Result) providers.Result {
	r.User, r.Host = safe.Text(r.User), safe.Text(r.Host)
	checks := make([]providers.Check, len(r.Checks))
	for i, c := range r.Checks {
		checks[i] = displayCheck(c)
	}
	if r.Checks != nil {
		r.Checks = checks
	}
	return r
}

// displayCheck returns c with its id and message made safe to show.
func displayCheck(c providers.Check) providers.Check {
	c.ID, c.Message = safe.Text(c.ID), safe.Text(c.Message)
	return c
}

// displayAudit returns the entries with every string made safe to show.
func displayAudit(entries []config.AuditEntry) []config.AuditEntry {
	out := make([]config.AuditEntry, len(entries))
	for i, e := range entries {
		e.Who, e.Credential, e.Provider = safe.Text(e.Who), safe.Text(e.Credential), safe.Text(e.Provider)
		e.Platform, e.Instance, e.Action = safe.Text(e.Platform), safe.Text(e.Instance), config.Action(safe.Text(string(e.Action)))
		fields := make([]string, len(e.Fields))
		for j, f := range e.Fields {
			fields[j] = safe.Text(f)
		}
		if e.Fields != nil {
			e.Fields = fields
		}
		if e.HostKey != nil {
			hk := *e.HostKey
			hk.Host, hk.From, hk.To = safe.Text(hk.Host), safe.Text(hk.From), safe.Text(hk.To)
			e.HostKey = &hk
		}
		out[i] = e
	}
	return out
}

// writeCheckLines prints checks for a person, a line each: mark, id, message and, when timed, the
// duration, the messages aligned.
func writeCheckLines(w io.Writer, checks []providers.Check) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range checks {
		dur := ""
		if c.DurationMS != nil {
			dur = fmt.Sprintf(" (%d ms)", *c.DurationMS)
		}
		fmt.Fprintf(tw, "  %s %s\t%s%s\n", c.Status.Mark(), c.ID, c.Message, dur)
	}
	_ = tw.Flush()
}

// writeResultsText prints results for a person.
func writeResultsText(out io.Writer, results []providers.Result, now time.Time) {
	// One write at the end, not one per table cell.
	w := bufio.NewWriter(out)
	defer w.Flush()
	for i, r := range results {
		r = displayResult(r)
		if i > 0 {
			fmt.Fprintln(w)
		}
		verdict := resultVerdict(r)
		active := ""
		if r.Active {
			active = " (active)"
		}
		host := r.Host
		if r.Proxy != nil {
			host += " via " + hostOf(*r.Proxy)
		}
		fmt.Fprintf(w, "%s%s — %s — %s in %d ms\n", credentialLabel(r.CredentialName(), string(r.Provider)), active, host, verdict, r.DurationMS)
		writeCheckLines(w, r.Checks)
		if note, _ := ui.ExpiryNote(r.ExpiresAt, now); note != "" {
			fmt.Fprintf(w, "  %s\n", note)
		}
	}
}

// resultVerdict is a result's verdict in its headline: OK, FAILED, or "passed with 2 warnings" when
// it passed with warnings (the "!" lines below it).
func resultVerdict(r providers.Result) string {
	if !r.OK {
		return "FAILED"
	}
	n := 0
	for _, c := range r.Checks {
		if c.Status == providers.Warn {
			n++
		}
	}
	if n > 0 {
		return "passed with " + plural(n, "warning")
	}
	return "OK"
}

// writeResultsJSON prints {"results":[...]}.
func writeResultsJSON(w io.Writer, results []providers.Result) error {
	return writeResultsWithDevtronJSON(w, &checkReport{Results: results})
}

// writeResultsWithDevtronJSON prints {"results":[...]}, with a "devtron" key beside it when the
// Devtron instances were checked, and a "platforms" key listing every instance checked when other
// kinds were.
func writeResultsWithDevtronJSON(w io.Writer, rep *checkReport) error {
	results, checks := rep.Results, rep.Devtron
	safeResults := make([]providers.Result, len(results))
	for i, r := range results {
		safeResults[i] = displayResult(r)
	}
	results = safeResults
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// "devtron" is the only instance, or among several the one named default (else the first);
	// "devtron_instances" lists them all when there are several.
	var dflt *devtronCheck
	var all []*devtronCheckJSON
	for i, c := range checks {
		if i == 0 {
			dflt = c
		}
		if c.Name == config.DefaultInstance {
			dflt = c
		}
		if len(checks) > 1 {
			all = append(all, c.json())
		}
	}
	var list []*platformCheckJSON
	if len(rep.Platforms) > 0 {
		for _, c := range rep.instances() {
			list = append(list, c.platformJSON())
		}
	}
	return enc.Encode(struct {
		Results   []providers.Result   `json:"results"`
		Devtron   *devtronCheckJSON    `json:"devtron,omitempty"`
		Instances []*devtronCheckJSON  `json:"devtron_instances,omitempty"`
		Platforms []*platformCheckJSON `json:"platforms,omitempty"`
	}{results, dflt.json(), all, list})
}
