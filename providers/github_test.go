package providers_test

import (
	"strings"
	"testing"
	"time"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

func TestCheckGitHubScenarios(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	env := envWithTimeout(5 * time.Second)
	tokenURL := e.URL(providers.GitHub) + "/settings/tokens"
	pass, fail, warn, skip := providers.Pass, providers.Fail, providers.Warn, providers.Skip
	allScopes := func(st providers.Status) wants {
		return wants{"scope:repo": expect(st), "scope:delete_repo": expect(st), "scope:admin:org": expect(st)}
	}
	rejected := allScopes(skip).plus(wants{"auth": expect(fail, "bad credentials or expired/revoked token", tokenURL, "repo, delete_repo, admin:org"),
		"org": expect(skip), "expiry": expect(skip)})

	tests := []struct {
		name  string
		token string
		edit  func(*providers.Credentials)
		ok    bool
		want  wants
	}{
		{name: "full access", token: fake.GitHubTokenFull, ok: true, want: allScopes(pass).plus(wants{
			"auth":   expect(pass, "authenticated as "+fake.GitHubUser),
			"org":    expect(pass, fake.GitHubOrg, "owner"),
			"expiry": expect(pass, "expires on"),
		})},
		{name: "missing repo", token: fake.GitHubTokenNoRepo, want: wants{
			"scope:repo":        expect(fail, "missing", "public_repo", "private repositories", tokenURL),
			"scope:delete_repo": expect(pass), "scope:admin:org": expect(pass),
		}},
		{name: "missing delete_repo", token: fake.GitHubTokenNoDeleteRepo, want: wants{
			"scope:delete_repo": expect(fail, "missing", "delete repositories", tokenURL, "granted now: admin:org, repo"),
			"scope:repo":        expect(pass),
		}},
		{name: "missing advisory admin:org", token: fake.GitHubTokenNoAdminOrg, ok: true, want: wants{
			"scope:admin:org": expect(warn, "no GitOps call needs it", tokenURL),
			"scope:repo":      expect(pass), "scope:delete_repo": expect(pass),
		}},
		{name: "empty scopes header", token: fake.GitHubTokenNoScopes, want: wants{
			"scope:repo":        expect(fail, "granted now: none", tokenURL),
			"scope:delete_repo": expect(fail, tokenURL),
			"scope:admin:org":   expect(warn),
		}},
		{name: "fine-grained", token: fake.GitHubTokenFineGrained, ok: true, want: wants{
			"auth":              expect(pass),
			"scope:repo":        expect(warn, "fine-grained", "cannot be confirmed", "Contents: read and write", "Metadata: read", "Administration: read and write", "/settings/personal-access-tokens"),
			"scope:delete_repo": expect(warn, "Administration: read and write"),
			"scope:admin:org":   expect(skip, "no GitOps call needs it"),
			"org":               expect(warn, "Members: read"),
			"expiry":            expect(pass),
		}},
		{name: "expired", token: fake.GitHubTokenExpired, want: rejected},
		{name: "revoked", token: fake.GitHubTokenRevoked, want: rejected},
		{name: "unknown", token: fake.GitHubTokenUnknown, want: rejected},
		{name: "expiring soon", token: fake.GitHubTokenExpiringSoon, ok: true, want: wants{
			"expiry": expect(warn, "expires in 5 days", tokenURL),
		}},
		{name: "expiry with zone offset", token: fake.GitHubTokenExpiryOffset, ok: true, want: wants{
			"expiry": expect(pass, "in 59 days"),
		}},
		{name: "SAML SSO required", token: fake.GitHubTokenSSO, want: wants{
			"auth": expect(pass),
			"org":  expect(fail, "SAML single sign-on", "authorise", "/orgs/acme/sso?authorization_request=", tokenURL),
		}},
		{name: "rate limited", token: fake.GitHubTokenRateLimited, want: wants{
			"auth": expect(fail, "rate limited until "+time.Now().UTC().Add(fake.GitHubRateLimitReset).Format("2006-01-02 15:"), "UTC"),
			"org":  expect(skip),
		}},
		{name: "not a member", token: fake.GitHubTokenNotMember, want: wants{
			"org": expect(fail, "not a member of organisation acme", "/orgs/acme/people"),
		}},
		{name: "member, not owner", token: fake.GitHubTokenNotAdmin, ok: true, want: wants{
			"org": expect(warn, "member, not an owner", "unknown", "Member privileges, Repository creation",
				"/organizations/acme/settings/member_privileges", "round-trip check (--deep) confirms it"),
		}},
		{name: "billing manager", token: fake.GitHubTokenBillingManager, want: wants{
			"org": expect(fail, "billing manager", "cannot create repositories", "/orgs/acme/people"),
		}},
		{name: "invitation pending", token: fake.GitHubTokenPending, want: wants{
			"org": expect(fail, "invitation", "pending", "/orgs/acme/invitation"),
		}},
		{name: "unknown organisation", token: fake.GitHubTokenFull, edit: func(c *providers.Credentials) { c.Org = "no-such-org" }, want: wants{
			"org":  expect(fail, "organisation no-such-org not found", "/settings/organizations"),
			"auth": expect(pass),
		}},
		{name: "no organisation", token: fake.GitHubTokenFull, edit: func(c *providers.Credentials) { c.Org = "" }, want: wants{
			"org": expect(fail, "no organisation given"),
		}},
		{name: "username mismatch", token: fake.GitHubTokenFull, ok: true, edit: func(c *providers.Credentials) { c.Username = "someone-else" }, want: wants{
			"auth": expect(warn, "authenticated as octocat", "someone-else"),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := e.Credentials(providers.GitHub, tc.token)
			if tc.edit != nil {
				tc.edit(&c)
			}
			r := runCheck(t, env, c)
			assertResult(t, r, tc.want)
			assertOK(t, r, tc.ok)
			if tc.ok && r.User != fake.GitHubUser {
				t.Errorf("user = %q, want %q", r.User, fake.GitHubUser)
			}
		})
	}
}

func TestCheckGitHubRecordsExpiry(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	env := envWithTimeout(5 * time.Second)
	for tok, days := range map[string]float64{fake.GitHubTokenFull: 90, fake.GitHubTokenExpiringSoon: 5, fake.GitHubTokenExpiryOffset: 60} {
		r := runCheck(t, env, e.Credentials(providers.GitHub, tok))
		if r.ExpiresAt == nil {
			t.Fatalf("%s: no expires_at", providers.TokenHint(tok))
		}
		if got := time.Until(*r.ExpiresAt).Hours() / 24; got < days-1.1 || got > days+1.1 {
			t.Errorf("%s: expires in %.1f days, want about %.0f", providers.TokenHint(tok), got, days)
		}
	}
	r := runCheck(t, env, e.Credentials(providers.GitHub, fake.GitHubTokenNoRepo))
	if r.ExpiresAt != nil {
		t.Errorf("a token without expiry got expires_at %v", r.ExpiresAt)
	}
}

// A check of a whole GitHub result depends on check ids staying in the stable order.
func TestCheckGitHubOrder(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	r := runCheck(t, envWithTimeout(5*time.Second), e.Credentials(providers.GitHub, fake.GitHubTokenFull))
	var ids []string
	for _, c := range r.Checks {
		ids = append(ids, c.ID)
	}
	want := "auth scope:repo scope:delete_repo scope:admin:org org expiry"
	if got := strings.Join(ids, " "); got != want {
		t.Errorf("checks %q, want %q", got, want)
	}
}

// gitHubCanaryTokens are the GitHub tokens TestCheckCanaries runs through a check.
var gitHubCanaryTokens = []string{
	fake.GitHubTokenFull, fake.GitHubTokenNoRepo, fake.GitHubTokenNoDeleteRepo, fake.GitHubTokenNoAdminOrg,
	fake.GitHubTokenNoScopes, fake.GitHubTokenFineGrained, fake.GitHubTokenExpired, fake.GitHubTokenRevoked,
	fake.GitHubTokenUnknown, fake.GitHubTokenExpiringSoon, fake.GitHubTokenExpiryOffset, fake.GitHubTokenSSO,
	fake.GitHubTokenRateLimited, fake.GitHubTokenNotMember, fake.GitHubTokenNotAdmin, fake.GitHubTokenPending, fake.GitHubTokenBillingManager,
}
