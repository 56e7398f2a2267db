package providers_test

import (
	"strings"
	"testing"
	"time"

	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

func TestCheckGitHubScenarios(t *testing.T) {
	t.Parallel()
	e := ghglEmulators(t, fake.Options{})
	env := ghglEnv(5 * time.Second)
	tokenURL := e.URL(providers.GitHub) + "/settings/tokens"
	pass, fail, warn, skip := providers.Pass, providers.Fail, providers.Warn, providers.Skip
	allScopes := func(st providers.Status) []ghglExpect {
		return []ghglExpect{{id: "scope:repo", status: st}, {id: "scope:delete_repo", status: st}, {id: "scope:admin:org", status: st}}
	}
	rejected := append([]ghglExpect{{id: "auth", status: fail, words: []string{"bad credentials or expired/revoked token", tokenURL, "repo, delete_repo, admin:org"}},
		{id: "org", status: skip}, {id: "expiry", status: skip}}, allScopes(skip)...)

	tests := []struct {
		name  string
		token string
		edit  func(*providers.Credentials)
		ok    bool
		want  []ghglExpect
	}{
		{name: "full access", token: fake.GitHubTokenFull, ok: true, want: append([]ghglExpect{
			{id: "auth", status: pass, words: []string{"authenticated as " + fake.GitHubUser}},
			{id: "org", status: pass, words: []string{fake.GitHubOrg, "owner"}},
			{id: "expiry", status: pass, words: []string{"expires on"}},
		}, allScopes(pass)...)},
		{name: "missing repo", token: fake.GitHubTokenNoRepo, want: []ghglExpect{
			{id: "scope:repo", status: fail, words: []string{"missing", "public_repo", "private repositories", tokenURL}},
			{id: "scope:delete_repo", status: pass}, {id: "scope:admin:org", status: pass},
		}},
		{name: "missing delete_repo", token: fake.GitHubTokenNoDeleteRepo, want: []ghglExpect{
			{id: "scope:delete_repo", status: fail, words: []string{"missing", "delete repositories", tokenURL, "granted now: admin:org, repo"}},
			{id: "scope:repo", status: pass},
		}},
		{name: "missing advisory admin:org", token: fake.GitHubTokenNoAdminOrg, ok: true, want: []ghglExpect{
			{id: "scope:admin:org", status: warn, words: []string{"no GitOps call needs it", tokenURL}},
			{id: "scope:repo", status: pass}, {id: "scope:delete_repo", status: pass},
		}},
		{name: "empty scopes header", token: fake.GitHubTokenNoScopes, want: []ghglExpect{
			{id: "scope:repo", status: fail, words: []string{"granted now: none", tokenURL}},
			{id: "scope:delete_repo", status: fail, words: []string{tokenURL}},
			{id: "scope:admin:org", status: warn},
		}},
		{name: "fine-grained", token: fake.GitHubTokenFineGrained, ok: true, want: []ghglExpect{
			{id: "auth", status: pass},
			{id: "scope:repo", status: warn, words: []string{"fine-grained", "cannot be confirmed", "Contents: read and write", "Metadata: read", "Administration: read and write", "/settings/personal-access-tokens"}},
			{id: "scope:delete_repo", status: warn, words: []string{"Administration: read and write"}},
			{id: "scope:admin:org", status: skip, words: []string{"no GitOps call needs it"}},
			{id: "org", status: warn, words: []string{"Members: read"}},
			{id: "expiry", status: pass},
		}},
		{name: "expired", token: fake.GitHubTokenExpired, want: rejected},
		{name: "revoked", token: fake.GitHubTokenRevoked, want: rejected},
		{name: "unknown", token: fake.GitHubTokenUnknown, want: rejected},
		{name: "expiring soon", token: fake.GitHubTokenExpiringSoon, ok: true, want: []ghglExpect{
			{id: "expiry", status: warn, words: []string{"expires in 5 days", tokenURL}},
		}},
		{name: "expiry with zone offset", token: fake.GitHubTokenExpiryOffset, ok: true, want: []ghglExpect{
			{id: "expiry", status: pass, words: []string{"in 59 days"}},
		}},
		{name: "SAML SSO required", token: fake.GitHubTokenSSO, want: []ghglExpect{
			{id: "auth", status: pass},
			{id: "org", status: fail, words: []string{"SAML single sign-on", "authorise", "/orgs/acme/sso?authorization_request=", tokenURL}},
		}},
		{name: "rate limited", token: fake.GitHubTokenRateLimited, want: []ghglExpect{
			{id: "auth", status: fail, words: []string{"rate limited until " + time.Now().UTC().Add(fake.GitHubRateLimitReset).Format("2006-01-02 15:"), "UTC"}},
			{id: "org", status: skip},
		}},
		{name: "not a member", token: fake.GitHubTokenNotMember, want: []ghglExpect{
			{id: "org", status: fail, words: []string{"not a member of organisation acme", "/orgs/acme/people"}},
		}},
		{name: "member, not owner", token: fake.GitHubTokenNotAdmin, ok: true, want: []ghglExpect{
			{id: "org", status: warn, words: []string{"member, not an owner", "delete"}},
		}},
		{name: "invitation pending", token: fake.GitHubTokenPending, want: []ghglExpect{
			{id: "org", status: fail, words: []string{"invitation", "pending", "/orgs/acme/invitation"}},
		}},
		{name: "unknown organisation", token: fake.GitHubTokenFull, edit: func(c *providers.Credentials) { c.Org = "no-such-org" }, want: []ghglExpect{
			{id: "org", status: fail, words: []string{"organisation no-such-org not found", "/settings/organizations"}},
			{id: "auth", status: pass},
		}},
		{name: "no organisation", token: fake.GitHubTokenFull, edit: func(c *providers.Credentials) { c.Org = "" }, want: []ghglExpect{
			{id: "org", status: fail, words: []string{"no organisation given"}},
		}},
		{name: "username mismatch", token: fake.GitHubTokenFull, ok: true, edit: func(c *providers.Credentials) { c.Username = "someone-else" }, want: []ghglExpect{
			{id: "auth", status: warn, words: []string{"authenticated as octocat", "someone-else"}},
		}},
		{name: "server error", token: fake.GitHubTokenFull + fake.MarkServerError, want: []ghglExpect{
			{id: "auth", status: fail, words: []string{"HTTP 500", "try again later"}},
		}},
		{name: "malformed JSON", token: fake.GitHubTokenFull + fake.MarkMalformed, want: []ghglExpect{
			{id: "auth", status: fail, words: []string{"not GitHub's user JSON"}},
		}},
		{name: "connection reset", token: fake.GitHubTokenFull + fake.MarkReset, want: []ghglExpect{
			{id: "network", status: fail, words: []string{e.URL(providers.GitHub)[len("http://"):]}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := e.Credentials(providers.GitHub, tc.token)
			if tc.edit != nil {
				tc.edit(&c)
			}
			r := ghglRun(t, env, c)
			ghglAssert(t, r, tc.ok, tc.want...)
			if tc.ok && r.User != fake.GitHubUser {
				t.Errorf("user = %q, want %q", r.User, fake.GitHubUser)
			}
		})
	}
}

func TestCheckGitHubRecordsExpiry(t *testing.T) {
	t.Parallel()
	e := ghglEmulators(t, fake.Options{})
	env := ghglEnv(5 * time.Second)
	for tok, days := range map[string]float64{fake.GitHubTokenFull: 90, fake.GitHubTokenExpiringSoon: 5, fake.GitHubTokenExpiryOffset: 60} {
		r := ghglRun(t, env, e.Credentials(providers.GitHub, tok))
		if r.ExpiresAt == nil {
			t.Fatalf("%s: no expires_at", providers.TokenHint(tok))
		}
		if got := time.Until(*r.ExpiresAt).Hours() / 24; got < days-1.1 || got > days+1.1 {
			t.Errorf("%s: expires in %.1f days, want about %.0f", providers.TokenHint(tok), got, days)
		}
	}
	r := ghglRun(t, env, e.Credentials(providers.GitHub, fake.GitHubTokenNoRepo))
	if r.ExpiresAt != nil {
		t.Errorf("a token without expiry got expires_at %v", r.ExpiresAt)
	}
}

// A check of a whole GitHub result depends on check ids staying in the stable order.
func TestCheckGitHubOrder(t *testing.T) {
	t.Parallel()
	e := ghglEmulators(t, fake.Options{})
	r := ghglRun(t, ghglEnv(5*time.Second), e.Credentials(providers.GitHub, fake.GitHubTokenFull))
	var ids []string
	for _, c := range r.Checks {
		ids = append(ids, c.ID)
	}
	want := "auth scope:repo scope:delete_repo scope:admin:org org expiry"
	if got := strings.Join(ids, " "); got != want {
		t.Errorf("checks %q, want %q", got, want)
	}
}

func TestCheckGitHubNetwork(t *testing.T) {
	t.Parallel()
	ghglNetwork(t, providers.GitHub, fake.GitHubHandler(), "/api/v3", fake.GitHubTokenFull)
}

func TestCheckGitHubCanaries(t *testing.T) {
	t.Parallel()
	ghglCanaries(t, providers.GitHub, []string{
		fake.GitHubTokenFull, fake.GitHubTokenNoRepo, fake.GitHubTokenNoDeleteRepo, fake.GitHubTokenNoAdminOrg,
		fake.GitHubTokenNoScopes, fake.GitHubTokenFineGrained, fake.GitHubTokenExpired, fake.GitHubTokenRevoked,
		fake.GitHubTokenUnknown, fake.GitHubTokenExpiringSoon, fake.GitHubTokenExpiryOffset, fake.GitHubTokenSSO,
		fake.GitHubTokenRateLimited, fake.GitHubTokenNotMember, fake.GitHubTokenNotAdmin, fake.GitHubTokenPending,
	}, "ghp_")
}
