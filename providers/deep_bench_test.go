package providers_test

import (
	"context"
	"testing"
	"time"

	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// The round-trip benchmarks run the whole check (live check + five stages) against emulators that
// add 50 ms to every HTTP request, REST and Git alike. Target: (dependent requests and Git round
// trips) × 50 ms + 100 ms.
//   - GitHub, 9: live check 1 (GET /user ∥ /orgs/{org} ∥ /user/memberships/orgs/{org}) + POST
//     /orgs/{org}/repos 1 + poll GET /repos 1 + clone of the empty repository (info/refs) 1 + push
//     (info/refs?service=git-receive-pack, POST git-receive-pack) 2 + ls-remote (info/refs) 1 +
//     DELETE 1 + confirming GET 1 → ≤ 550 ms.
//   - GitLab, 14: live check 2 + GET /groups/:id (namespace id) 1 + POST /projects 1 + poll 1 +
//     clone of the initialised repository (info/refs, POST git-upload-pack) 2 + push 2 + ls-remote 1
//     + DELETE (marks) 1 + GET (marked?) 1 + DELETE permanently_remove 1 + confirming GET 1 → ≤ 800 ms.

func deepBench(b *testing.B, id providers.ID, token string, requests int) {
	e := ghglEmulators(b, fake.Options{Latency: ghglBenchLatency})
	env := ghglEnv(30 * time.Second)
	c := e.Credentials(id, token)
	if r := providers.RunDeep(context.Background(), env, c, nil); !r.OK { // warm the connection pool
		b.Fatalf("the round trip failed: %+v", r.Checks)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if r := providers.RunDeep(context.Background(), env, c, nil); !r.OK {
			b.Fatalf("round trip failed: %+v", r.Checks)
		}
	}
	b.StopTimer()
	perOp := b.Elapsed() / time.Duration(b.N)
	target := time.Duration(requests)*ghglBenchLatency + 100*time.Millisecond
	b.ReportMetric(float64(target.Nanoseconds()), "target-ns/op")
	if perOp > target {
		// Logged, not failed: a loaded machine must not turn a benchmark red.
		b.Logf("one round trip took %v, above the target %v (%d dependent requests)", perOp, target, requests)
	}
	if left := e.Repos(id); len(left) != 0 {
		b.Fatalf("left behind: %v", left)
	}
}

func BenchmarkDeepGitHub(b *testing.B) { deepBench(b, providers.GitHub, fake.GitHubTokenFull, 9) }

func BenchmarkDeepGitLab(b *testing.B) { deepBench(b, providers.GitLab, fake.GitLabTokenFull, 14) }
