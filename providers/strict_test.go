package providers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// Tests that what leaves the program goes only where it should: a token the server echoes back is
// redacted from every message, a redirect to another host or a clone URL on another host never
// receives the token, and each provider's emulator gets only the requests its checker means.

// fullTokens is a token of each provider that passes every check and the round trip.
var fullTokens = map[providers.ID]string{
	providers.GitHub: fake.GitHubTokenFull, providers.GitLab: fake.GitLabTokenFull,
	providers.Azure: fake.AzureTokenFull, providers.Bitbucket: fake.BitbucketTokenFull,
	providers.Gitea: fake.GiteaTokenFull,
}

// assertRedactedEcho asserts that the check (or stage) id quotes the server's echo, with the
// token masked: the echo reached the message, so the redaction was exercised, and held.
func assertRedactedEcho(t *testing.T, r providers.Result, id string) {
	t.Helper()
	c, ok := r.Find(id)
	if !ok || !strings.Contains(c.Message, "the credential [token] was not accepted") {
		t.Errorf("%s does not quote the server's echo with the token masked: %s", id, dumpResult(r))
	}
}

// assertNothingElsewhere fails when any request reached the listener on another host.
func assertNothingElsewhere(t *testing.T, e *fake.Emulators) {
	t.Helper()
	if got := e.ElsewhereRequests(); len(got) > 0 {
		t.Fatalf("%d request(s) went to another host than the emulator, e.g. %+v", len(got), got[0])
	}
}

// TestEchoedTokenIsRedactedFromChecks: a server that echoes the presented token back in its error
// body and headers gets it masked in every check message (runCheck asserts no canary is left).
func TestEchoedTokenIsRedactedFromChecks(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	for _, id := range providers.APIIDs() {
		t.Run(string(id), func(t *testing.T) {
			r := runCheck(t, envWithTimeout(10*time.Second), e.Credentials(id, fullTokens[id]+fake.MarkEcho))
			assertRedactedEcho(t, r, providers.CheckAuth)
		})
	}
}

// TestEchoedTokenIsRedactedFromRoundTrip: the same for the round trip's stages, when only the
// creation echoes the token (the live check passes).
func TestEchoedTokenIsRedactedFromRoundTrip(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	for _, id := range providers.APIIDs() {
		t.Run(string(id), func(t *testing.T) {
			r, _ := deepRun(t, context.Background(), deepEnv(), e.Credentials(id, fullTokens[id]+fake.MarkEchoWrite), nil)
			assertRedactedEcho(t, r, providers.CheckDeepCreate)
		})
	}
}

// TestRedirectToAnotherHostNeverCarriesTheToken: a 307 to another host is not followed, so the
// token (in the Authorization header, which Go keeps on a redirect to the same host name on
// another port) never reaches it; the check fails instead of passing on someone else's answer.
func TestRedirectToAnotherHostNeverCarriesTheToken(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	for _, id := range providers.APIIDs() {
		t.Run(string(id), func(t *testing.T) {
			r := runCheck(t, envWithTimeout(10*time.Second), e.Credentials(id, fullTokens[id]+fake.MarkRedirect))
			if c, _ := r.Find(providers.CheckAuth); c.Status != providers.Fail {
				t.Errorf("auth after a redirect to another host: %s", dumpResult(r))
			}
			assertNothingElsewhere(t, e)
		})
	}
}

// TestCloneURLOnAnotherHostIsRefused: when the API names a clone URL on another host than the
// configured Git or API host, the round trip refuses to clone from it (the token would go there),
// still deletes the repository, and nothing reaches that host.
func TestCloneURLOnAnotherHostIsRefused(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	for _, id := range providers.APIIDs() {
		t.Run(string(id), func(t *testing.T) {
			r, _ := deepRun(t, context.Background(), deepEnv(), e.Credentials(id, fullTokens[id]+fake.MarkStrayClone), nil)
			deepWant(t, r, "pass fail skip skip pass", map[string][]string{
				providers.CheckDeepClone: {strings.TrimPrefix(e.Elsewhere(), "http://"), "refusing to send the token there"},
			})
			assertNothingElsewhere(t, e)
			if left := prefixedRepos(e, id); len(left) > 0 {
				t.Errorf("left behind: %v", left)
			}
		})
	}
}

// TestCloneURLHostPinning: a clone URL must be on the configured Git or API host; for Azure DevOps
// also on the organisation's own legacy host, {organisation}.visualstudio.com, and no other.
func TestCloneURLHostPinning(t *testing.T) {
	t.Parallel()
	az := providers.Credentials{Provider: providers.Azure, Settings: config.Settings{Host: "https://dev.azure.com/Acme", Org: "gitops", Token: "x"}}
	gh := providers.Credentials{Provider: providers.GitHub, Settings: config.Settings{Host: "https://github.com", Org: "acme", Token: "x"}}
	for _, tc := range []struct {
		c   providers.Credentials
		raw string
		ok  bool
	}{
		{az, "https://acme@dev.azure.com/Acme/gitops/_git/r", true},
		{az, "https://acme.visualstudio.com/gitops/_git/r", true},
		{az, "https://ACME.visualstudio.com/gitops/_git/r", true},
		{az, "https://other.visualstudio.com/gitops/_git/r", false},
		{az, "https://visualstudio.com/gitops/_git/r", false},
		{az, "https://acme.visualstudio.com.evil.example/gitops/_git/r", false},
		{az, "http://acme.visualstudio.com/gitops/_git/r", false},
		{az, "https://evil.example/Acme/gitops/_git/r", false},
		{gh, "https://github.com/acme/r.git", true},
		{gh, "https://acme.visualstudio.com/r.git", false},
		{gh, "https://api.github.com/acme/r.git", true},
		{gh, "https://gist.github.com/acme/r.git", false},
	} {
		got, err := providers.CloneURLFor(tc.c, tc.raw)
		if (err == nil) != tc.ok {
			t.Errorf("%s clone URL %s: accepted %v (%q, %v), want %v", tc.c.Provider, tc.raw, err == nil, got, err, tc.ok)
		}
		if err == nil && strings.Contains(got, "@") {
			t.Errorf("%s: the cleaned URL %s keeps its userinfo", tc.raw, got)
		}
	}
}

// TestRequestsGoWhereTheyShould reads the emulators' request logs after a full round trip of each
// provider: every request reached that provider's emulator only, carried a credential, and, on
// Azure DevOps, every REST request named an api-version (connectionData a preview one).
func TestRequestsGoWhereTheyShould(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	for _, id := range providers.APIIDs() {
		t.Run(string(id), func(t *testing.T) {
			before := map[providers.ID]int{}
			for _, other := range providers.APIIDs() {
				before[other] = len(e.Requests(other))
			}
			r, _ := deepRun(t, context.Background(), deepEnv(), e.Credentials(id, fullTokens[id]), nil)
			deepWant(t, r, "pass pass pass pass pass", nil)
			for _, other := range providers.APIIDs() {
				if n := len(e.Requests(other)) - before[other]; other != id && n > 0 {
					t.Errorf("the %s round trip sent %d request(s) to the %s emulator", id, n, other)
				}
			}
			assertNothingElsewhere(t, e)
			reqs := e.Requests(id)[before[id]:]
			if len(reqs) < 8 {
				t.Fatalf("only %d requests logged for a check and a round trip: %+v", len(reqs), reqs)
			}
			for _, rq := range reqs {
				if !rq.Credentials && !strings.Contains(rq.Path, "/info/refs") {
					t.Errorf("%s %s went without a credential", rq.Method, rq.Path)
				}
				if id != providers.Azure || strings.Contains(rq.Path, "/_git/") {
					continue
				}
				v := ""
				for kv := range strings.SplitSeq(rq.Query, "&") {
					if val, ok := strings.CutPrefix(kv, "api-version="); ok {
						v = val
					}
				}
				switch {
				case v == "":
					t.Errorf("%s %s?%s names no api-version", rq.Method, rq.Path, rq.Query)
				case strings.HasSuffix(rq.Path, "/_apis/connectionData") && !strings.Contains(v, "-preview"):
					t.Errorf("connectionData asked for api-version %s, not a preview one", v)
				}
			}
		})
	}
}
