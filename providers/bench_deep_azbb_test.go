package providers_test

import (
	"context"
	"testing"
	"time"

	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// With 50 ms added to every HTTP request (REST and Git), a round trip (live check included) costs
// its chain of dependent requests × 50 ms, plus overhead; the budget is chain × 50 ms + 100 ms.
//
// Azure DevOps (10): live check 1 (three concurrent GETs); project id 1; create 1; poll 1; clone 1
// (info/refs: the new repository is empty); push 2 (receive-pack info/refs, pack); verify 1
// (ls-remote); delete 1; confirm gone 1. Budget 600 ms.
//
// Bitbucket with a project key (9): live check 1 (five concurrent GETs); create 1; poll 1; clone 1;
// push 2; verify 1; delete 1; confirm gone 1. Budget 550 ms (without a project key the
// oldest-project lookup adds one: 600 ms).

func azbbBenchDeep(b *testing.B, id providers.ID, chain int) {
	const latency = 50 * time.Millisecond
	emu, err := fake.Start(fake.Options{Latency: latency})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(emu.Close)
	env := providers.NewEnv("bench")
	env.Timeout = 10 * time.Second
	c := emu.DemoCredentials(id)
	if r := providers.RunDeep(context.Background(), env, c, nil); !r.OK { // warm the connection pool
		b.Fatalf("demo credentials do not pass the round trip: %s", azbbDump(r))
	}
	budget := time.Duration(chain)*latency + 100*time.Millisecond
	var worst time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		r := providers.RunDeep(context.Background(), env, c, nil)
		took := time.Since(t0)
		if !r.OK {
			b.Fatalf("round trip failed: %s", azbbDump(r))
		}
		worst = max(worst, took)
	}
	b.StopTimer()
	mean := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(chain), "requests/op")
	b.ReportMetric(float64(worst.Milliseconds()), "worst-ms")
	if mean > budget {
		b.Errorf("a round trip took %v on average (slowest %v); budget %d dependent requests × %v + 100 ms = %v",
			mean, worst, chain, latency, budget)
	}
	if left := emu.Repos(id); len(left) != 1 { // only the emulator's own gitops-bootstrap
		b.Errorf("repositories left: %v", left)
	}
}

func BenchmarkDeepAzure(b *testing.B)     { azbbBenchDeep(b, providers.Azure, 10) }
func BenchmarkDeepBitbucket(b *testing.B) { azbbBenchDeep(b, providers.Bitbucket, 9) }
