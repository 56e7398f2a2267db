package cli

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"gitopscfg/providers"
)

// The nagios format: the monitoring-plugin API that Nagios, Icinga and Zabbix agents run. One
// status line, "GITOPSCFG <STATE> - <summary> | <perfdata>", and the exit code says the state.

// nagiosState is a plugin state; its value is the plugin's exit code.
type nagiosState int

const (
	nagiosOK nagiosState = iota
	nagiosWarning
	nagiosCritical
	nagiosUnknown
)

func (s nagiosState) String() string {
	return [...]string{"OK", "WARNING", "CRITICAL", "UNKNOWN"}[s]
}

// outcome is the command's result for state s: the exit code, with nothing more printed.
func (s nagiosState) outcome() error {
	if s == nagiosOK {
		return nil
	}
	return &exitError{code: int(s), err: errCheckFailed}
}

func init() {
	unknown := func(w io.Writer, msg string) error {
		fmt.Fprintf(w, "GITOPSCFG UNKNOWN - %s\n", nagiosText(msg))
		return nagiosUnknown.outcome()
	}
	registerCheckFormat(checkFormat{
		Name:     "nagios",
		Summary:  "monitoring-plugin status line and perfdata; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN",
		Write:    writeNagios,
		Exit:     func(rep *checkReport) error { return nagiosWorst(rep).outcome() },
		Unusable: func(w io.Writer, msg string, _ error) error { return unknown(w, msg) },
		Broken:   func(w io.Writer, err error) error { return unknown(w, err.Error()) },
	})
}

// nagiosResultState is one provider's state and the check that decided it: a failed check is
// CRITICAL, a warning WARNING, except a scope warning: that one says a scope could not be
// confirmed without writing (or an advisory scope is missing), which no re-test will change, so
// it would hold the service in WARNING for good and hide an expiry warning behind it.
func nagiosResultState(r providers.Result) (nagiosState, providers.Check) {
	st, worst := nagiosOK, providers.Check{}
	for _, c := range r.Checks {
		switch {
		case c.Status == providers.Fail:
			return nagiosCritical, c
		case c.Status == providers.Warn && st == nagiosOK && !strings.HasPrefix(c.ID, providers.ScopeCheckID("")):
			st, worst = nagiosWarning, c
		}
	}
	if !r.OK {
		return nagiosCritical, worst
	}
	return st, worst
}

func nagiosWorst(rep *checkReport) nagiosState {
	st := nagiosOK
	for _, r := range rep.Results {
		s, _ := nagiosResultState(r)
		st = max(st, s)
	}
	return st
}

func writeNagios(w io.Writer, rep *checkReport) error {
	var parts, perf []string
	// Worst first, so the summary's start says what is wrong.
	for _, want := range []nagiosState{nagiosCritical, nagiosWarning, nagiosOK} {
		for _, r := range rep.Results {
			st, c := nagiosResultState(r)
			if st != want {
				continue
			}
			name := providers.MustLookup(r.Provider).Name
			part := name + " " + st.String()
			if c.ID != "" {
				part += ": " + c.ID + " " + nagiosText(shorten(c.Message, nagiosMessageRunes))
			} else if r.ExpiresAt != nil {
				part += " (token expires in " + leftText(r.ExpiresAt.Sub(rep.At)) + ")"
			}
			parts = append(parts, part)
		}
	}
	for _, r := range rep.Results {
		id := string(r.Provider)
		if r.ExpiresAt != nil {
			days := r.ExpiresAt.Sub(rep.At).Hours() / 24
			perf = append(perf, fmt.Sprintf("'%s_token_expiry_days'=%s;%s;%s;;", id, nagiosNumber(days),
				nagiosBelow(rep.Expiry.Warn), nagiosBelow(rep.Expiry.Fail)))
		}
		perf = append(perf, fmt.Sprintf("'%s_check_duration'=%ss;;;0;", id, nagiosNumber(float64(r.DurationMS)/1000)))
	}
	_, err := fmt.Fprintf(w, "GITOPSCFG %s - %s | %s\n", nagiosWorst(rep), strings.Join(parts, "; "), strings.Join(perf, " "))
	return err
}

// nagiosMessageRunes bounds each provider's message on the status line; the full text is in the
// other formats and in `gitopscfg status`.
const nagiosMessageRunes = 160

// shorten cuts s to n runes, ending in "…" when cut.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// nagiosBelow is a threshold range that alerts when the days left fall below d ("14:"); empty
// when the threshold is off.
func nagiosBelow(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return nagiosNumber(d.Hours()/24) + ":"
}

// nagiosNumber writes v with at most three decimals.
func nagiosNumber(v float64) string { return strconv.FormatFloat(math.Round(v*1000)/1000, 'f', -1, 64) }

// nagiosText keeps a message on the one status line: no newlines, and no "|", which would start
// the perfdata.
func nagiosText(s string) string {
	return strings.NewReplacer("\n", " ", "\r", " ", "|", "/").Replace(s)
}
