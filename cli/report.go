package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"gitopscfg/providers"
	"gitopscfg/ui"
)

// StatusMark is the one-character mark of a check status, as the UI also shows it.
func StatusMark(s providers.Status) string {
	switch s {
	case providers.Pass:
		return "✓"
	case providers.Fail:
		return "✗"
	case providers.Warn:
		return "!"
	}
	return "–"
}

// writeResultsText prints results for a person.
func writeResultsText(w io.Writer, results []providers.Result, now time.Time) {
	for i, r := range results {
		if i > 0 {
			fmt.Fprintln(w)
		}
		p := providers.MustLookup(r.Provider)
		verdict := "FAILED"
		if r.OK {
			verdict = "OK"
		}
		active := ""
		if r.Active {
			active = " (active)"
		}
		fmt.Fprintf(w, "%s%s — %s — %s in %d ms\n", p.Name, active, r.Host, verdict, r.DurationMS)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, c := range r.Checks {
			dur := ""
			if c.DurationMS != nil {
				dur = fmt.Sprintf(" (%d ms)", *c.DurationMS)
			}
			fmt.Fprintf(tw, "  %s %s\t%s%s\n", StatusMark(c.Status), c.ID, c.Message, dur)
		}
		_ = tw.Flush()
		if note, _ := ui.ExpiryNote(r.ExpiresAt, now); note != "" {
			fmt.Fprintf(w, "  %s\n", note)
		}
	}
}

// writeResultsJSON prints {"results":[...]}.
func writeResultsJSON(w io.Writer, results []providers.Result) error {
	if results == nil {
		results = []providers.Result{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Results []providers.Result `json:"results"`
	}{results})
}
