package providers_test

import (
	"context"
	"testing"
	"time"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// A GitHub App's live check, 50 ms added to every request (benchLatency):
//   - installation found from the organisation: GET /app ∥ GET /orgs/{org}/installation, then
//     POST /app/installations/{id}/access_tokens, then GET /installation/repositories: chain 3 →
//     ≤ 165 ms;
//   - installation given: GET /app ∥ GET /app/installations/{id} ∥ POST …/access_tokens, then
//     GET /installation/repositories: chain 2 → ≤ 115 ms.
//
// go test ./providers -run '^$' -bench 'CheckGitHubApp' -benchtime 20x

func benchAppCheck(b *testing.B, installation string, chain int) {
	e := kit.Emulators(b, fake.Options{Latency: benchLatency})
	env := envWithTimeout(10 * time.Second)
	c := appCreds(e, fake.GitHubAppFull, fake.GitHubAppKey())
	c.InstallationID = installation
	if r := providers.Run(context.Background(), env, c); !r.OK { // warm the connection pool
		b.Fatalf("the App's check failed: %s", dumpResult(r))
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
		b.Logf("one check took %v, above the target %v (chain %d)", perOp, target, chain)
	}
}

func BenchmarkCheckGitHubAppFound(b *testing.B) { benchAppCheck(b, "", 3) }

func BenchmarkCheckGitHubAppGiven(b *testing.B) {
	benchAppCheck(b, fake.GitHubAppInstallation(fake.GitHubAppFull, fake.GitHubOrg), 2)
}
