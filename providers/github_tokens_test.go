package providers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// X-Accepted-GitHub-Permissions in words: ";" separates alternatives, "," permissions needed together.
func TestGitHubAcceptedPermissions(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                                    "",
		"members=read":                        "Members: read",
		"contents=read,metadata=read":         "Contents: read and Metadata: read",
		"pull_requests=write; contents=write": "Pull requests: write, or Contents: write",
		" administration=write ; ,bogus, issues=read": "Administration: write, or Issues: read",
	} {
		h := http.Header{}
		if in != "" {
			h.Set("X-Accepted-GitHub-Permissions", in)
		}
		if got := providers.GitHubAccepted(h); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

// A fine-grained token refused the membership: the org check names the permission GitHub asks
// for and both reasons a token may not see the organisation's resources.
func TestGitHubFineGrainedNamesPermissionAndBothCauses(t *testing.T) {
	t.Parallel()
	e := sharedEmulators(t)
	r := runCheck(t, envWithTimeout(10*time.Second), e.Credentials(providers.GitHub, fake.GitHubTokenFineGrained))
	assertResult(t, r, wants{
		providers.CheckOrg: expect(providers.Warn, "fine-grained personal access token", "organisation permission Members: read",
			"has not approved the token yet", "/organizations/acme/settings/personal-access-token-requests",
			"its resource owner is another account", "do not tell these apart"),
		providers.CheckExpiry: expect(providers.Pass, "expires on"),
	})
	if r.ExpiresAt == nil {
		t.Error("the fine-grained token's expiry was not read from GitHub-Authentication-Token-Expiration")
	}
}

// Tokens a GitHub App issued are named for what they are, not as fine-grained tokens: a user
// access token's permissions are its App's; an installation token cannot read GET /user.
func TestGitHubAppIssuedTokensAreNamed(t *testing.T) {
	t.Parallel()
	e := sharedEmulators(t)
	r := runCheck(t, envWithTimeout(10*time.Second), e.Credentials(providers.GitHub, fake.GitHubTokenAppUser))
	assertResult(t, r, wants{
		"scope:repo":       expect(providers.Warn, "GitHub App user access token", "permissions are those of its App"),
		providers.CheckOrg: expect(providers.Warn, "GitHub App user access token", "Members: read", "Store the App itself"),
	})
	for _, c := range r.Checks {
		if c.ID == "scope:repo" && (strings.Contains(c.Message, "fine-grained") || strings.Contains(c.Message, "personal-access-tokens")) {
			t.Errorf("a ghu_ token is called fine-grained: %s", c.Message)
		}
	}
	if got := providers.MustLookup(providers.GitHub).RevokeURL("https://github.com/", fake.GitHubTokenAppUser); got != "https://github.com/settings/apps/authorizations" {
		t.Errorf("a ghu_ token is revoked at %s", got)
	}

	tok := mintInstallationToken(t, e)
	r = runCheck(t, envWithTimeout(10*time.Second), e.Credentials(providers.GitHub, tok))
	assertResult(t, r, wants{providers.CheckAuth: expect(providers.Fail, "GitHub App installation token (ghs_…)", "lives an hour", "--app-id ID --app-key FILE")})
}

// mintInstallationToken mints an installation token of the emulator's full App, as a platform would.
func mintInstallationToken(t *testing.T, e *fake.Emulators) string {
	t.Helper()
	c := e.Credentials(providers.GitHub, "")
	key, err := providers.ParseAppKeyPEM(fake.GitHubAppKey())
	if err != nil {
		t.Fatal(err)
	}
	jwt, err := providers.GitHubAppJWT(key, fake.GitHubAppFull, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost,
		c.APIURL+"/app/installations/"+fake.GitHubAppInstallation(fake.GitHubAppFull, fake.GitHubOrg)+"/access_tokens", nil)
	req.Header.Set("Authorization", "Bearer "+jwt)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var body struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("mint: %d %v", resp.StatusCode, err)
	}
	return body.Token
}
