package providers_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// appCreds are the credentials of the emulator's App appID, signing with key.
func appCreds(e *fake.Emulators, appID, key string) providers.Credentials {
	c := e.Credentials(providers.GitHub, key)
	c.Username, c.Kind, c.AppID = "", config.CredentialGitHubApp, appID
	return c
}

// assertNoAppSecret fails when the App's private key, or any installation token the emulator
// minted, shows in the result.
func assertNoAppSecret(t *testing.T, e *fake.Emulators, r providers.Result, key string) {
	t.Helper()
	raw, _ := json.Marshal(r)
	body := strings.Split(strings.TrimSpace(key), "\n")[3]
	if strings.Contains(string(raw), body) {
		t.Fatalf("the result shows the private key: %s", raw)
	}
	for _, tok := range e.GitHubInstallTokens() {
		if strings.Contains(string(raw), tok) || strings.Contains(string(raw), tok[4:]) {
			t.Fatalf("the result shows an installation token: %s", raw)
		}
	}
}

// The App's live check: a full App passes without GET /user, reading the App, its installation
// on the organisation (found from it, or given), a token and the installation's repositories.
func TestGitHubAppCheckPasses(t *testing.T) {
	t.Parallel()
	e, err := fake.Start(fake.Options{}) // its own: the test reads the request log
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	key := fake.GitHubAppKey()
	for _, tc := range []struct {
		name, installation string
		chain              []string
	}{
		{"found from the organisation", "", []string{"GET /api/v3/orgs/acme/installation", "POST /api/v3/app/installations/1000011/access_tokens"}},
		{"given", fake.GitHubAppInstallation(fake.GitHubAppFull, fake.GitHubOrg), []string{"GET /api/v3/app/installations/1000011", "POST /api/v3/app/installations/1000011/access_tokens"}},
	} {
		c := appCreds(e, fake.GitHubAppFull, key)
		c.InstallationID = tc.installation
		before := len(e.Requests(providers.GitHub))
		r := providers.Run(context.Background(), envWithTimeout(10*time.Second), c)
		assertNoAppSecret(t, e, r, key)
		assertResult(t, r, wants{
			providers.CheckAuth:               expect(providers.Pass, "Acme GitOps", "acme-gitops", "ID 100001"),
			providers.CheckOrg:                expect(providers.Pass, "installed on organisation acme for all repositories", "installation 1000011"),
			providers.CheckPermAdministration: expect(providers.Pass, "write"),
			providers.CheckPermContents:       expect(providers.Pass, "write"),
			providers.CheckPermMetadata:       expect(providers.Pass, "read"),
			providers.CheckExpiry:             expect(providers.Pass, "an hour", "mint their own"),
		})
		if r.Kind != config.CredentialGitHubApp || r.User != "acme-gitops" || r.ExpiresAt != nil {
			t.Errorf("%s: kind %q user %q expiry %v", tc.name, r.Kind, r.User, r.ExpiresAt)
		}
		var sent []string
		for _, rq := range e.Requests(providers.GitHub)[before:] {
			sent = append(sent, rq.Method+" "+rq.Path)
		}
		for _, w := range append(tc.chain, "GET /api/v3/app", "GET /api/v3/installation/repositories") {
			if !strings.Contains(strings.Join(sent, "\n"), w) {
				t.Errorf("%s: %q not sent: %q", tc.name, w, sent)
			}
		}
		if strings.Contains(strings.Join(sent, "\n"), "/user") {
			t.Errorf("%s: the App's check asked for a user: %q", tc.name, sent)
		}
	}
}

// What can go wrong with an App, each named with what to do.
func TestGitHubAppCheckFailures(t *testing.T) {
	t.Parallel()
	e := sharedEmulators(t)
	key := fake.GitHubAppKey()
	for _, tc := range []struct {
		name, app, key, installation string
		now                          time.Duration
		ws                           wants
	}{
		{"another key", fake.GitHubAppFull, fake.GitHubAppOtherKey(), "", 0, wants{
			providers.CheckAuth: expect(providers.Fail, "A JSON web token could not be decoded", "not the key of App 100001", "--app-key"),
			providers.CheckOrg:  expect(providers.Skip)}},
		{"clock ahead", fake.GitHubAppFull, key, "", 5 * time.Minute, wants{
			providers.CheckAuth: expect(providers.Fail, "'Issued at' claim", "ahead of GitHub's", "NTP")}},
		{"clock behind", fake.GitHubAppFull, key, "", -20 * time.Minute, wants{
			providers.CheckAuth: expect(providers.Fail, "'Expiration time' claim", "behind GitHub's")}},
		{"not installed", fake.GitHubAppNotInstalled, key, "", 0, wants{
			providers.CheckAuth: expect(providers.Pass),
			providers.CheckOrg:  expect(providers.Fail, "not installed on organisation acme", "/apps/acme-nowhere/installations/new")}},
		{"another organisation's installation", fake.GitHubAppFull, key, fake.GitHubAppInstallation(fake.GitHubAppFull, fake.GitHubOrgInfra), 0, wants{
			providers.CheckOrg: expect(providers.Fail, "is on account acme-infra, not on organisation acme")}},
		{"no such installation", fake.GitHubAppFull, key, "999", 0, wants{
			providers.CheckOrg: expect(providers.Fail, "installation 999 is not one of App acme-gitops's")}},
		{"suspended", fake.GitHubAppSuspended, key, "", 0, wants{
			providers.CheckOrg:                expect(providers.Fail, "is suspended", "unsuspend"),
			providers.CheckPermAdministration: expect(providers.Skip)}},
		{"suspended, its ID given", fake.GitHubAppSuspended, key, fake.GitHubAppInstallation(fake.GitHubAppSuspended, fake.GitHubOrg), 0, wants{
			providers.CheckOrg: expect(providers.Fail, "is suspended")}},
		{"suspended, seen only by the token's POST", fake.GitHubAppSuspendedUnseen, key, "", 0, wants{
			providers.CheckOrg:                expect(providers.Fail, "refused to mint an installation token", "This installation has been suspended", "unsuspend"),
			providers.CheckPermAdministration: expect(providers.Skip)}},
		{"selected repositories", fake.GitHubAppSelected, key, "", 0, wants{
			providers.CheckOrg:                expect(providers.Warn, "selected repositories only", "useless to a platform", "All repositories"),
			providers.CheckPermAdministration: expect(providers.Pass)}},
		{"no Administration", fake.GitHubAppNoAdministration, key, "", 0, wants{
			providers.CheckPermAdministration: expect(providers.Fail, "Administration: write is needed to create and delete", "has none"),
			providers.CheckPermContents:       expect(providers.Pass)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := appCreds(e, tc.app, tc.key)
			c.InstallationID = tc.installation
			env := envWithTimeout(10 * time.Second)
			env.Now = func() time.Time { return time.Now().Add(tc.now) }
			r := providers.Run(context.Background(), env, c)
			assertNoAppSecret(t, e, r, tc.key)
			assertResult(t, r, tc.ws)
		})
	}
}

// The App's round trip runs as its installation: an installation token, Git user x-access-token.
func TestGitHubAppRoundTrip(t *testing.T) {
	t.Parallel()
	e := sharedEmulators(t)
	key := fake.GitHubAppKey()
	c := appCreds(e, fake.GitHubAppFull, key)
	c.Org = fake.GitHubOrgInfra
	r := providers.RunDeep(context.Background(), envWithTimeout(30*time.Second), c, nil)
	assertNoAppSecret(t, e, r, key)
	for _, id := range providers.DeepStages {
		if ch, _ := r.Find(id); ch.Status != providers.Pass {
			t.Errorf("%s: %s %s", id, ch.Status, ch.Message)
		}
	}
	if !r.OK {
		t.Fatalf("the App's round trip failed: %+v", r.Checks)
	}
}

// A GitHub App reads a repository over Git as its installation (x-access-token and a minted
// token), never with its private key; a key that is not the App's reads nothing.
func TestGitHubAppCanRead(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	if err := e.AddRepo(providers.GitHub, "gitops"); err != nil {
		t.Fatal(err)
	}
	c := appCreds(e, fake.GitHubAppFull, fake.GitHubAppKey())
	u := repoURL(t, c, "gitops")
	ch := providers.CanRead(context.Background(), envWithTimeout(10*time.Second), c, u)
	if ch.Status != providers.Pass || !strings.Contains(ch.Message, "may read") {
		t.Errorf("the App's read: %+v", ch)
	}
	c = appCreds(e, fake.GitHubAppFull, fake.GitHubAppOtherKey())
	ch = providers.CanRead(context.Background(), envWithTimeout(10*time.Second), c, u)
	if ch.Status != providers.Fail || !strings.Contains(ch.Message, "refused the App's JSON web token") {
		t.Errorf("another key's read: %+v", ch)
	}
	for _, rq := range e.Requests(providers.GitHub) {
		if strings.Contains(rq.Path, "info/refs") && !rq.Credentials {
			t.Errorf("a Git request without credentials: %+v", rq)
		}
	}
}

// A GitHub App's private key shows as what it is, never by its last characters.
func TestTokenHintOfAPrivateKey(t *testing.T) {
	t.Parallel()
	if got := providers.TokenHint(fake.GitHubAppKey()); got != "private key" {
		t.Errorf("TokenHint of a PEM key: %q", got)
	}
}
