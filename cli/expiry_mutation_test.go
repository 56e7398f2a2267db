package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// --warn-expiry / --fail-expiry: days mean 24 hours ("1d12h" is 36 hours), and a token with less
// than --fail-expiry left fails the check, to the hour.

// TestExpiryDaysAreWholeDays: the flag values are parsed to the hour, and reach the options so.
func TestExpiryDaysAreWholeDays(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{
		"1d12h": 36 * time.Hour, "7d": 7 * 24 * time.Hour, "14d": 14 * 24 * time.Hour, "0d36h": 36 * time.Hour,
		"2d30m": 48*time.Hour + 30*time.Minute, "36h": 36 * time.Hour, "0": 0,
	} {
		if got, err := parseDays(in); err != nil || got != want {
			t.Errorf("parseDays(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	var out bytes.Buffer
	f := newFactory(Streams{In: strings.NewReader(""), Out: &out, Err: &out}, "test", func(string) string { return "" }, nil)
	var got *checkOptions
	cmd := newCheckCmd(f, func(_ context.Context, o *checkOptions) error { got = o; return nil })
	if err := execute(cmd, "--fail-expiry", "1d12h", "--warn-expiry", "7d"); err != nil || got == nil {
		t.Fatalf("parse: %v", err)
	}
	if got.Expiry != (expiryThresholds{Warn: 7 * 24 * time.Hour, Fail: 36 * time.Hour}) {
		t.Fatalf("--fail-expiry 1d12h --warn-expiry 7d: %+v, want fail 36h, warn 168h", got.Expiry)
	}
}

// TestFailExpiryIsToTheHour runs real checks of a GitLab token at chosen times before it expires:
// with --fail-expiry 7d, 6 days 12 hours left (and exactly 7 days) fail (exit 1), 7 days 12 hours
// only warn; with --fail-expiry 1d12h, 35 hours left fail and 37 hours only warn.
func TestFailExpiryIsToTheHour(t *testing.T) {
	t.Parallel()
	x := newRunFixture(t)
	x.set(providers.GitLab, fake.GitLabTokenFull, true, nil)
	expires := x.gitLabExpiry()
	const day = 24 * time.Hour
	for _, c := range []struct {
		flag   string // --fail-expiry
		left   time.Duration
		status providers.Status
		want   string
	}{
		{"7d", 6*day + 12*time.Hour, providers.Fail, "expires in 6 days"},
		{"7d", 7 * day, providers.Fail, "expires in 7 days"},
		{"7d", 7*day + 12*time.Hour, providers.Warn, "within the warning window of 14d"},
		{"1d12h", 35 * time.Hour, providers.Fail, "expires in 35 h"},
		{"1d12h", 37 * time.Hour, providers.Warn, "within the warning window of 14d"},
	} {
		x.now = expires.Add(-c.left)
		opts := x.checkOpts("json")
		opts.Expiry = expiryThresholds{Warn: defaultWarnExpiry}
		if err := (durationFlag{&opts.Expiry.Fail}).Set(c.flag); err != nil {
			t.Fatalf("--fail-expiry %s: %v", c.flag, err)
		}
		err := checkRun(context.Background(), opts)
		var doc struct{ Results []providers.Result }
		if jerr := json.Unmarshal(x.out.Bytes(), &doc); jerr != nil || len(doc.Results) != 1 {
			t.Fatalf("--fail-expiry %s, %v left: not one JSON result: %v\n%s", c.flag, c.left, jerr, x.out.String())
		}
		r := doc.Results[0]
		ex, _ := r.Find(providers.CheckExpiry)
		wantExit := exitOK
		if c.status == providers.Fail {
			wantExit = exitCheckFail
		}
		if ex.Status != c.status || exitCode(err) != wantExit || r.OK != (c.status != providers.Fail) || !strings.Contains(ex.Message, c.want) {
			t.Errorf("--fail-expiry %s with %v left: expiry %s (%q), ok %v, exit %d; want %s containing %q, exit %d",
				c.flag, c.left, ex.Status, ex.Message, r.OK, exitCode(err), c.status, c.want, wantExit)
		}
		if c.status == providers.Fail && !strings.Contains(ex.Message, "sooner than --fail-expiry "+formatDays(opts.Expiry.Fail)) {
			t.Errorf("--fail-expiry %s with %v left: %q does not name the threshold", c.flag, c.left, ex.Message)
		}
	}
	x.noneLeaked(fake.GitLabTokenFull)
}
