package providers_test

import (
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers/fake"
)

// A GitHub App's live check, 50 ms added to every request (benchLatency):
//   - installation found from the organisation: GET /app ∥ GET /orgs/{org}/installation, then
//     POST /app/installations/{id}/access_tokens, then GET /installation/repositories, then
//     DELETE /installation/token (the minted token revoked): chain 4 → ≤ 215 ms;
//   - installation given: GET /app ∥ GET /app/installations/{id} ∥ POST …/access_tokens, then
//     GET /installation/repositories, then DELETE /installation/token: chain 3 → ≤ 165 ms.
//
// go test ./providers -run '^$' -bench 'CheckGitHubApp' -benchtime 20x

func benchAppCheck(b *testing.B, installation string, chain int) {
	e := kit.Emulators(b, fake.Options{Latency: benchLatency})
	c := appCreds(e, fake.GitHubAppFull, fake.GitHubAppKey())
	c.InstallationID = installation
	benchCredsCheck(b, c, chain)
}

func BenchmarkCheckGitHubAppFound(b *testing.B) { benchAppCheck(b, "", 4) }

func BenchmarkCheckGitHubAppGiven(b *testing.B) {
	benchAppCheck(b, fake.GitHubAppInstallation(fake.GitHubAppFull, fake.GitHubOrg), 3)
}
