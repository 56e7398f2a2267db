package providers_test

import (
	"context"
	"testing"
	"time"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// The benchmarks run against emulators that add benchLatency to every HTTP request, REST and Git
// alike, so that one run costs its chain of dependent requests × benchLatency plus overhead.

const benchLatency = 50 * time.Millisecond

// Live check: target chain × 50 ms + 15 ms, and at most 1 MB allocated.
//   - GitHub: GET /user ∥ GET /orgs/{org} ∥ GET /user/memberships/orgs/{org}: chain 1 → ≤ 65 ms.
//   - GitLab: GET /personal_access_tokens/self ∥ GET /user ∥ GET /groups/:id, then
//     GET /groups/:id/members/all/:user_id: chain 2 → ≤ 115 ms.
//   - Azure DevOps and Bitbucket send all their requests concurrently: chain 1 → ≤ 65 ms.

func benchCheck(b *testing.B, id providers.ID, chain int) {
	e := kit.Emulators(b, fake.Options{Latency: benchLatency})
	benchCredsCheck(b, e.DemoCredentials(id), chain)
}

// benchCredsCheck times the live check of c (its emulators answering after benchLatency) and
// reports it against its target: chain dependent requests of benchLatency, plus 15 ms.
func benchCredsCheck(b *testing.B, c providers.Credentials, chain int) {
	env := envWithTimeout(10 * time.Second)
	if r := providers.Run(context.Background(), env, c); !r.OK { // warm the connection pool
		b.Fatalf("the check failed: %s", dumpResult(r))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if r := providers.Run(context.Background(), env, c); !r.OK {
			b.Fatalf("check failed: %s", dumpResult(r))
		}
	}
	b.StopTimer()
	perOp := b.Elapsed() / time.Duration(b.N)
	target := time.Duration(chain)*benchLatency + 15*time.Millisecond
	b.ReportMetric(float64(target.Nanoseconds()), "target-ns/op")
	if perOp > target {
		// Logged, not failed: a loaded machine must not turn a benchmark red.
		b.Logf("one check took %v, above the target %v (chain %d)", perOp, target, chain)
	}
}

func BenchmarkCheckGitHub(b *testing.B)    { benchCheck(b, providers.GitHub, 1) }
func BenchmarkCheckGitLab(b *testing.B)    { benchCheck(b, providers.GitLab, 2) }
func BenchmarkCheckAzure(b *testing.B)     { benchCheck(b, providers.Azure, 1) }
func BenchmarkCheckBitbucket(b *testing.B) { benchCheck(b, providers.Bitbucket, 1) }

// Round trip (live check + five stages): target (dependent requests and Git round trips) × 50 ms
// + 100 ms.
//   - GitHub, 9: live check 1 (GET /user ∥ /orgs/{org} ∥ /user/memberships/orgs/{org}) + POST
//     /orgs/{org}/repos 1 + poll GET /repos 1 + clone of the empty repository (info/refs) 1 + push
//     (info/refs?service=git-receive-pack, POST git-receive-pack) 2 + ls-remote (info/refs) 1 +
//     DELETE 1 + confirming GET 1 → ≤ 550 ms.
//   - GitLab, 14: live check 2 + GET /groups/:id (namespace id) 1 + POST /projects 1 + poll 1 +
//     clone of the initialised repository (info/refs, POST git-upload-pack) 2 + push 2 + ls-remote 1
//     + DELETE (marks) 1 + GET (marked?) 1 + DELETE permanently_remove 1 + confirming GET 1 → ≤ 800 ms.
//   - Azure DevOps, 10: live check 1 (three concurrent GETs); project id 1; create 1; poll 1; clone 1
//     (info/refs: the new repository is empty); push 2 (receive-pack info/refs, pack); verify 1
//     (ls-remote); delete 1; confirm gone 1 → ≤ 600 ms.
//   - Bitbucket with a project key, 9: live check 1 (five concurrent GETs); create 1; poll 1; clone 1;
//     push 2; verify 1; delete 1; confirm gone 1 → ≤ 550 ms (without a project key the
//     oldest-project lookup adds one: 600 ms).
//
// A slower round trip is logged with the budget, not failed: a loaded machine must not turn a
// benchmark red; the reported target-ns/op sits beside ns/op for the reader.

func benchDeep(b *testing.B, id providers.ID, chain int) {
	e := kit.Emulators(b, fake.Options{Latency: benchLatency})
	env := envWithTimeout(30 * time.Second)
	c := e.DemoCredentials(id)
	if r := providers.RunDeep(context.Background(), env, c, nil); !r.OK { // warm the connection pool
		b.Fatalf("the round trip failed: %s", dumpResult(r))
	}
	var worst time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		r := providers.RunDeep(context.Background(), env, c, nil)
		took := time.Since(t0)
		if !r.OK {
			b.Fatalf("round trip failed: %s", dumpResult(r))
		}
		worst = max(worst, took)
	}
	b.StopTimer()
	mean := b.Elapsed() / time.Duration(b.N)
	target := time.Duration(chain)*benchLatency + 100*time.Millisecond
	b.ReportMetric(float64(target.Nanoseconds()), "target-ns/op")
	b.ReportMetric(float64(chain), "requests/op")
	b.ReportMetric(float64(worst.Milliseconds()), "worst-ms")
	if mean > target {
		b.Logf("a round trip took %v on average (slowest %v); budget %d dependent requests × %v + 100 ms = %v",
			mean, worst, chain, benchLatency, target)
	}
	if left := prefixedRepos(e, id); len(left) != 0 {
		b.Fatalf("left behind: %v", left)
	}
}

func BenchmarkDeepGitHub(b *testing.B)    { benchDeep(b, providers.GitHub, 9) }
func BenchmarkDeepGitLab(b *testing.B)    { benchDeep(b, providers.GitLab, 14) }
func BenchmarkDeepAzure(b *testing.B)     { benchDeep(b, providers.Azure, 10) }
func BenchmarkDeepBitbucket(b *testing.B) { benchDeep(b, providers.Bitbucket, 9) }
