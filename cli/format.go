package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"gitopscfg/providers"
)

// checkReport is what an output format of `check` renders: the results, when they were taken and
// the expiry thresholds they were graded against.
type checkReport struct {
	Results []providers.Result
	// At is when the check ran (the prometheus format's check time).
	At time.Time
	// Graded is when the expiry was graded against the thresholds (the text format's clock).
	Graded time.Time
	Expiry expiryThresholds
	Deep   bool
	// Orgs is each checked credential's organisation / group / project / workspace, by name.
	Orgs map[string]string
	// Devtron is the Devtron instances' checks and drifts, in their names' order (check --devtron
	// or --platforms; none otherwise).
	Devtron []*devtronCheck
	// Platforms is the other kinds' instances' checks and drifts (check --platforms), kind by
	// kind, then by name.
	Platforms []*devtronCheck
}

// instances are every platform instance checked: Devtron's, then the others.
func (rep *checkReport) instances() []*devtronCheck {
	return append(slices.Clip(rep.Devtron), rep.Platforms...)
}

// failed reports whether a result failed (an expiry sooner than --fail-expiry included).
func (rep *checkReport) failed() bool {
	for _, r := range rep.Results {
		if !r.OK {
			return true
		}
	}
	for _, dc := range rep.instances() {
		if !dc.Result.OK {
			return true
		}
	}
	return false
}

// checkFormat is one output format of `check --format`. Each format is one value registered by
// its own file (format_*.go); nothing else switches on a format's name.
type checkFormat struct {
	Name string
	// Summary is the format's line in the --format help.
	Summary string
	// Write renders the finished report.
	Write func(w io.Writer, rep *checkReport) error
	// Stage, if set, renders one round-trip stage as it finishes (--deep), before Write.
	Stage func(w io.Writer, id providers.ID, c providers.Check, at time.Time) error
	// Exit, if set, maps the report to the command's outcome (nil error: exit 0); the default is
	// exit 1 when a check failed.
	Exit func(rep *checkReport) error
	// Unusable, if set, renders a run with nothing to check (msg says why, also on stderr) and
	// returns the command's outcome; err is the default one (exit 1).
	Unusable func(w io.Writer, msg string, err error) error
	// Broken, if set, renders a run that could not start (the store could not be opened or read)
	// and returns the command's outcome; err is that error (exit 2 by default).
	Broken func(w io.Writer, err error) error
	// ShowsProgress: with --deep on a terminal, stages are also shown on stderr as they run.
	ShowsProgress bool
}

var checkFormats = map[string]checkFormat{}

// registerCheckFormat adds an output format; each format's file calls it from init.
func registerCheckFormat(f checkFormat) {
	if _, dup := checkFormats[f.Name]; dup || f.Write == nil {
		panic("check format registered twice or without Write: " + f.Name)
	}
	checkFormats[f.Name] = f
}

// checkFormatNames lists the formats, sorted, for help and errors.
func checkFormatNames() []string {
	names := make([]string, 0, len(checkFormats))
	for n := range checkFormats {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// checkFormatHelp is the --format flag's help: one line per format.
func checkFormatHelp() string {
	var b strings.Builder
	b.WriteString("output format:")
	for _, n := range checkFormatNames() {
		fmt.Fprintf(&b, "\n  %-10s %s", n, checkFormats[n].Summary)
	}
	return b.String()
}

// lookupCheckFormat returns the named format or a usage error listing the formats.
func lookupCheckFormat(name string) (checkFormat, error) {
	f, ok := checkFormats[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		return f, usageErr("unknown --format %q: use one of %s", name, strings.Join(checkFormatNames(), ", "))
	}
	return f, nil
}

// outcome is the command's result for a finished report in format f.
func (f checkFormat) outcome(rep *checkReport) error {
	if f.Exit != nil {
		return f.Exit(rep)
	}
	if rep.failed() {
		return errCheckFailed
	}
	return nil
}
