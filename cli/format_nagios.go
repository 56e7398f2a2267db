package cli

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gitopscfg/platforms"
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
	for _, dc := range rep.instances() {
		s, _ := nagiosDevtronState(dc)
		st = max(st, s)
	}
	return st
}

// nagiosDevtronState is the Devtron instance's state (check --devtron) and what the status line
// says of it after "Devtron STATE": a failed instance check is CRITICAL; a provider whose
// configuration there differs, or that could not be compared, is a WARNING, since the text output
// reports drift without failing.
func nagiosDevtronState(dc *devtronCheck) (nagiosState, string) {
	st, c := nagiosResultState(dc.Result)
	if st != nagiosOK {
		if c.ID == "" {
			return st, ""
		}
		return st, ": " + c.ID + " " + nagiosText(shorten(c.Message, nagiosMessageRunes))
	}
	if dc.Drift == nil {
		return nagiosOK, ""
	}
	if dc.Drift.Error != nil {
		return nagiosWarning, ": could not compare: " + nagiosText(shorten(*dc.Drift.Error, nagiosMessageRunes))
	}
	var drift []string
	if why := activeDiffersText(dc.Drift); why != "" {
		drift = append(drift, why)
	}
	for _, id := range slices.Sorted(maps.Keys(dc.Drift.Providers)) {
		switch state := platforms.DriftState(dc.Drift.Providers[id]); state {
		case platforms.Differs:
			what := id + " differs"
			if f := dc.Drift.Fields[id]; len(f) > 0 {
				what += " (" + strings.Join(f, ", ") + ")"
			}
			if m := dc.Drift.managers[id]; m != "" {
				what += " changed by " + m
			}
			drift = append(drift, what)
		case platforms.DriftUnknown:
			drift = append(drift, id+" "+string(state))
		}
	}
	for _, o := range dc.Drift.orphaned {
		drift = append(drift, o+" orphaned")
	}
	if len(drift) > 0 {
		return nagiosWarning, ": " + nagiosText(strings.Join(drift, ", "))
	}
	return nagiosOK, ""
}

func writeNagios(w io.Writer, rep *checkReport) error {
	type part struct {
		st   nagiosState
		text string
	}
	var items []part
	for _, r := range rep.Results {
		st, c := nagiosResultState(r)
		text := credentialLabel(r.CredentialName(), string(r.Provider)) + " " + st.String()
		if c.ID != "" {
			text += ": " + c.ID + " " + nagiosText(shorten(c.Message, nagiosMessageRunes))
		} else if r.ExpiresAt != nil {
			text += " (token expires in " + leftText(r.ExpiresAt.Sub(rep.At)) + ")"
		}
		items = append(items, part{st, text})
	}
	for _, dc := range rep.instances() {
		st, text := nagiosDevtronState(dc)
		items = append(items, part{st, dc.label() + " " + st.String() + text})
	}
	// Worst first, so the summary's start says what is wrong.
	var parts, perf []string
	for _, want := range []nagiosState{nagiosCritical, nagiosWarning, nagiosOK} {
		for _, it := range items {
			if it.st == want {
				parts = append(parts, it.text)
			}
		}
	}
	for _, r := range rep.Results {
		id := r.CredentialName()
		if r.ExpiresAt != nil {
			days := r.ExpiresAt.Sub(rep.At).Hours() / 24
			perf = append(perf, fmt.Sprintf("'%s_token_expiry_days'=%s;%s;%s;;", id, nagiosNumber(days),
				nagiosBelow(rep.Expiry.Warn), nagiosBelow(rep.Expiry.Fail)))
		}
		if at := clientCertExpiry(r); at != nil {
			perf = append(perf, fmt.Sprintf("'%s_client_cert_expiry_days'=%s;%s;0;;", id, nagiosNumber(at.Sub(rep.At).Hours()/24),
				nagiosBelow(providers.CertExpiryWarn)))
		}
		perf = append(perf, fmt.Sprintf("'%s_check_duration'=%ss;;;0;", id, nagiosNumber(float64(r.DurationMS)/1000)))
	}
	// A platform instance's client certificate: KIND_INSTANCE, which no credential's name can be
	// (they hold no '_').
	for _, dc := range rep.instances() {
		if at := clientCertExpiry(dc.Result); at != nil {
			perf = append(perf, fmt.Sprintf("'%s_%s_client_cert_expiry_days'=%s;%s;0;;", cmp.Or(dc.Kind, platforms.KindDevtron), cmp.Or(dc.Name, "default"),
				nagiosNumber(at.Sub(rep.At).Hours()/24), nagiosBelow(providers.CertExpiryWarn)))
		}
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
