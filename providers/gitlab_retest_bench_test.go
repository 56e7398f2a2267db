package providers_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// BenchmarkCheckGitLabRetest measures a GitLab re-test that knows the user id from the last check
// (one wave: the membership look-up goes out with /personal_access_tokens/self, /user and
// /groups/:id) beside a first check (two waves), interleaved in the same run, at 50 ms added per
// reply. Target for the re-test: 1 × 50 ms + 15 ms; reported: both medians and the target.
func BenchmarkCheckGitLabRetest(b *testing.B) {
	e := kit.Emulators(b, fake.Options{Latency: benchLatency})
	env := envWithTimeout(10 * time.Second)
	c := e.DemoCredentials(providers.GitLab)
	warm := providers.Run(context.Background(), env, c)
	if !warm.OK || warm.UserID == 0 {
		b.Fatalf("the first check failed or learned no user id: %s", dumpResult(warm))
	}
	retestCtx := providers.WithKnownUserID(context.Background(), warm.UserID)
	median := func(ts []time.Duration) time.Duration {
		slices.Sort(ts)
		return ts[len(ts)/2]
	}
	var first, retest []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		if r := providers.Run(retestCtx, env, c); !r.OK {
			b.Fatalf("re-test failed: %s", dumpResult(r))
		}
		retest = append(retest, time.Since(t0))
		t0 = time.Now()
		if r := providers.Run(context.Background(), env, c); !r.OK {
			b.Fatalf("first check failed: %s", dumpResult(r))
		}
		first = append(first, time.Since(t0))
	}
	target := benchLatency + 15*time.Millisecond
	m := median(retest)
	b.ReportMetric(float64(m.Microseconds())/1000, "retest-ms")
	b.ReportMetric(float64(median(first).Microseconds())/1000, "first-ms")
	b.ReportMetric(float64(target.Milliseconds()), "target-ms")
	if m > target {
		// Logged, not failed: a loaded machine must not turn a benchmark red.
		b.Logf("a re-test took %v (median), above the target %v", m, target)
	}
}
