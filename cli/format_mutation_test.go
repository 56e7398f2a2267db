package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// Units and slots the monitoring formats promise: durations in seconds (Prometheus and Nagios
// alike), and Nagios perfdata as value;warn;crit;min;max.

// slowRunFixture is a run fixture whose emulators answer every request after latency, so that a
// check takes a measurable time.
func slowRunFixture(t *testing.T, latency time.Duration) *runFixture {
	t.Helper()
	s, err := config.Init(filepath.Join(t.TempDir(), "cfg"), "")
	if err != nil {
		t.Fatal(err)
	}
	emu := kit.Emulators(t, fake.Options{Latency: latency})
	return &runFixture{t: t, s: s, emu: emu, now: time.Now().UTC().Truncate(time.Second)}
}

// gitLabExpiry runs a JSON check of GitLab (stored on x's emulators) and returns the expiry date
// the emulator answered.
func (x *runFixture) gitLabExpiry() time.Time {
	x.t.Helper()
	opts := x.checkOpts("json")
	opts.Credential = "gitlab"
	if err := checkRun(context.Background(), opts); err != nil {
		x.t.Fatalf("check gitlab --json: %v\n%s", err, x.out.String())
	}
	var doc struct{ Results []providers.Result }
	if err := json.Unmarshal(x.out.Bytes(), &doc); err != nil || len(doc.Results) != 1 || doc.Results[0].ExpiresAt == nil {
		x.t.Fatalf("no expiry date: %v\n%s", err, x.out.String())
	}
	return *doc.Results[0].ExpiresAt
}

// TestPrometheusDurationIsInSeconds: gitopscfg_check_duration_seconds (and the round-trip
// stages' and Devtron's durations) are seconds: a check of 1500 ms is a sample of 1.5.
func TestPrometheusDurationIsInSeconds(t *testing.T) {
	t.Parallel()
	stage := int64(250)
	rep := &checkReport{
		Results: []providers.Result{{Provider: providers.GitLab, Host: "gitlab.example.com", OK: true, DurationMS: 1500,
			Checks: []providers.Check{{ID: providers.DeepStages[0], Status: providers.Pass, DurationMS: &stage}}}},
		At:      time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC),
		Deep:    true,
		Orgs:    map[string]string{"gitlab": "acme/gitops"},
		Devtron: []*devtronCheck{{Result: providers.Result{Host: "devtron.example.com", OK: true, DurationMS: 2250}}},
	}
	var out bytes.Buffer
	if err := writePrometheus(&out, rep); err != nil {
		t.Fatal(err)
	}
	fams := parsePromText(t, out.String())
	requireGauges(t, fams, out.String(), "gitopscfg_check_duration_seconds", "gitopscfg_deep_stage_duration_seconds", "gitopscfg_devtron_check_duration_seconds")
	for _, w := range []struct {
		family string
		want   float64
	}{
		{"gitopscfg_check_duration_seconds", 1.5},
		{"gitopscfg_deep_stage_duration_seconds", 0.25},
		{"gitopscfg_devtron_check_duration_seconds", 2.25},
	} {
		got := promSamples(fams, w.family)
		if len(got) != 1 || got[""] != w.want {
			t.Errorf("%s = %v, want one sample of %v:\n%s", w.family, got, w.want, out.String())
		}
	}

	// A real check (each emulator answer takes 40 ms): the sample is the check's duration in
	// seconds, as remembered in milliseconds.
	x := slowRunFixture(t, 40*time.Millisecond)
	x.set(providers.GitLab, fake.GitLabTokenFull, true, nil)
	opts := x.checkOpts("prometheus")
	if err := checkRun(context.Background(), opts); err != nil {
		t.Fatalf("check --format prometheus: %v\n%s%s", err, x.out.String(), x.err.String())
	}
	text := x.out.String()
	ms := x.data().Credentials["gitlab"].LastCheck.DurationMS
	got := promSamples(parsePromText(t, text), "gitopscfg_check_duration_seconds", "provider")["gitlab"]
	if ms < 40 || got != float64(ms)/1000 {
		t.Fatalf("gitopscfg_check_duration_seconds = %v for a check of %d ms, want %v\n%s", got, ms, float64(ms)/1000, text)
	}
	x.noneLeaked(fake.GitLabTokenFull)
}

// TestNagiosPerfdataSlots: the expiry perfdata is days left, then the warning range, then the
// critical range ('gitlab_token_expiry_days'=10;14:;7:;; for --warn-expiry 14d --fail-expiry
// 7d), and the duration is seconds ('gitlab_check_duration'=1.5s;;;0; for 1500 ms).
func TestNagiosPerfdataSlots(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	expires := at.Add(10 * 24 * time.Hour)
	rep := &checkReport{
		Results: []providers.Result{{Provider: providers.GitLab, Host: "gitlab.example.com", OK: true, DurationMS: 1500, ExpiresAt: &expires}},
		At:      at, Graded: at, Expiry: expiryThresholds{Warn: 14 * 24 * time.Hour, Fail: 7 * 24 * time.Hour},
	}
	var out bytes.Buffer
	if err := writeNagios(&out, rep); err != nil {
		t.Fatal(err)
	}
	_, perf, ok := strings.Cut(strings.TrimSuffix(out.String(), "\n"), " | ")
	if !ok || perf != "'gitlab_token_expiry_days'=10;14:;7:;; 'gitlab_check_duration'=1.5s;;;0;" {
		t.Errorf("perfdata %q, want 'gitlab_token_expiry_days'=10;14:;7:;; 'gitlab_check_duration'=1.5s;;;0;\n%s", perf, out.String())
	}
	// Only a warning threshold: the critical slot stays empty.
	rep.Expiry = expiryThresholds{Warn: 14 * 24 * time.Hour}
	out.Reset()
	if err := writeNagios(&out, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "'gitlab_token_expiry_days'=10;14:;;;") {
		t.Errorf("warn only: %q", out.String())
	}

	// A real check, 10 days before the token expires, with --warn-expiry 14d --fail-expiry 7d:
	// WARNING (exit 1), and the thresholds in their slots.
	x := newRunFixture(t)
	x.set(providers.GitLab, fake.GitLabTokenFull, true, nil)
	x.now = x.gitLabExpiry().Add(-10 * 24 * time.Hour)
	opts := x.checkOpts("nagios")
	opts.Expiry = expiryThresholds{Warn: 14 * 24 * time.Hour, Fail: 7 * 24 * time.Hour}
	err := checkRun(context.Background(), opts)
	line := x.out.String()
	if exitCode(err) != int(nagiosWarning) || !strings.HasPrefix(line, "GITOPSCFG WARNING - ") ||
		!strings.Contains(line, " | 'gitlab_token_expiry_days'=10;14:;7:;; 'gitlab_check_duration'=") {
		t.Fatalf("exit %d, %q; want WARNING with 'gitlab_token_expiry_days'=10;14:;7:;;", exitCode(err), line)
	}
	x.noneLeaked(fake.GitLabTokenFull)
}
