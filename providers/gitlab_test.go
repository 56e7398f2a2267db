package providers_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

func TestCheckGitLabScenarios(t *testing.T) {
	t.Parallel()
	e := ghglEmulators(t, fake.Options{})
	env := ghglEnv(5 * time.Second)
	tokenURL := e.URL(providers.GitLab) + "/-/user_settings/personal_access_tokens"
	pass, fail, warn, skip := providers.Pass, providers.Fail, providers.Warn, providers.Skip
	rejected := func(words ...string) []ghglExpect {
		return []ghglExpect{{id: "auth", status: fail, words: append(words, tokenURL, "api, write_repository")},
			{id: "scope:api", status: skip}, {id: "scope:write_repository", status: skip}, {id: "org", status: skip}, {id: "expiry", status: skip}}
	}
	tests := []struct {
		name  string
		token string
		edit  func(*providers.Credentials)
		ok    bool
		want  []ghglExpect
	}{
		{name: "full access", token: fake.GitLabTokenFull, ok: true, want: []ghglExpect{
			{id: "auth", status: pass, words: []string{"authenticated as " + fake.GitLabUser}},
			{id: "scope:api", status: pass}, {id: "scope:write_repository", status: pass},
			{id: "org", status: pass, words: []string{fake.GitLabGroupPath, "Owner (50)", "create and delete"}},
			{id: "expiry", status: pass, words: []string{"expires on"}},
		}},
		{name: "api covers write_repository", token: fake.GitLabTokenAPIOnly, ok: true, want: []ghglExpect{
			{id: "scope:api", status: pass},
			{id: "scope:write_repository", status: pass, words: []string{"covered by api", "Git push"}},
			{id: "expiry", status: pass, words: []string{"no expiry date"}},
		}},
		{name: "missing api", token: fake.GitLabTokenNoAPI, want: []ghglExpect{
			{id: "scope:api", status: fail, words: []string{"missing", "create, read and delete projects", tokenURL, "granted now: read_api, write_repository"}},
			{id: "scope:write_repository", status: pass},
			{id: "org", status: pass},
		}},
		{name: "missing write_repository", token: fake.GitLabTokenNoWriteRepository, want: []ghglExpect{
			{id: "scope:write_repository", status: fail, words: []string{"missing", "push", tokenURL}},
			{id: "scope:api", status: fail},
		}},
		{name: "write_repository only", token: fake.GitLabTokenWriteRepositoryOnly, want: []ghglExpect{
			{id: "auth", status: pass, words: []string{"is valid"}},
			{id: "scope:api", status: fail, words: []string{tokenURL}},
			{id: "scope:write_repository", status: pass},
			{id: "org", status: fail, words: []string{"403", "insufficient_scope", tokenURL}},
		}},
		{name: "expired", token: fake.GitLabTokenExpired, want: rejected("has expired", "Token is expired")},
		{name: "revoked", token: fake.GitLabTokenRevoked, want: rejected("was revoked", "Token was revoked")},
		{name: "unknown", token: fake.GitLabTokenUnknown, want: rejected("bad credentials", "does not know this token")},
		{name: "expiring soon", token: fake.GitLabTokenExpiringSoon, ok: true, want: []ghglExpect{
			{id: "expiry", status: warn, words: []string{"expires in", tokenURL}},
		}},
		{name: "developer only", token: fake.GitLabTokenDeveloper, want: []ghglExpect{
			{id: "org", status: fail, words: []string{"Developer (30)", "Maintainers and above", "/groups/acme/gitops/-/group_members", "Roles allowed to create projects"}},
			{id: "auth", status: pass},
		}},
		{name: "maintainer", token: fake.GitLabTokenMaintainer, ok: true, want: []ghglExpect{
			{id: "org", status: pass, words: []string{"Maintainer (40)", "may create projects", "Owner"}},
		}},
		{name: "not a member", token: fake.GitLabTokenNotMember, want: []ghglExpect{
			{id: "org", status: fail, words: []string{"not a member of group acme/gitops", "group_members"}},
		}},
		{name: "group by numeric id", token: fake.GitLabTokenFull, ok: true, edit: func(c *providers.Credentials) { c.Org = strconv.Itoa(fake.GitLabGroupID) }, want: []ghglExpect{
			{id: "org", status: pass, words: []string{fake.GitLabGroupPath}},
		}},
		{name: "unknown group", token: fake.GitLabTokenFull, edit: func(c *providers.Credentials) { c.Org = "acme/no-such-group" }, want: []ghglExpect{
			{id: "org", status: fail, words: []string{"group acme/no-such-group not found", "/dashboard/groups"}},
			{id: "auth", status: pass},
		}},
		{name: "no group", token: fake.GitLabTokenFull, edit: func(c *providers.Credentials) { c.Org = "" }, want: []ghglExpect{
			{id: "org", status: fail, words: []string{"no group given"}},
		}},
		{name: "server error", token: fake.GitLabTokenFull + fake.MarkServerError, want: []ghglExpect{
			{id: "auth", status: fail, words: []string{"HTTP 500", "try again later"}},
		}},
		{name: "malformed JSON", token: fake.GitLabTokenFull + fake.MarkMalformed, want: []ghglExpect{
			{id: "auth", status: fail, words: []string{"not GitLab's JSON"}},
		}},
		{name: "connection reset", token: fake.GitLabTokenFull + fake.MarkReset, want: []ghglExpect{
			{id: "network", status: fail, words: []string{strings.TrimPrefix(e.URL(providers.GitLab), "http://")}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := e.Credentials(providers.GitLab, tc.token)
			if tc.edit != nil {
				tc.edit(&c)
			}
			start := time.Now()
			r := ghglRun(t, env, c)
			ghglAssert(t, r, tc.ok, tc.want...)
			if tc.ok && r.User != fake.GitLabUser {
				t.Errorf("user = %q, want %q", r.User, fake.GitLabUser)
			}
			// Retries are off: even a failing answer comes back at once.
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("the check took %v", d)
			}
		})
	}
}

func TestCheckGitLabRecordsExpiry(t *testing.T) {
	t.Parallel()
	e := ghglEmulators(t, fake.Options{})
	env := ghglEnv(5 * time.Second)
	r := ghglRun(t, env, e.Credentials(providers.GitLab, fake.GitLabTokenFull))
	if r.ExpiresAt == nil {
		t.Fatal("no expires_at")
	}
	// GitLab tokens expire at 00:00 UTC on their expiry date.
	if h, m := r.ExpiresAt.Hour(), r.ExpiresAt.Minute(); h != 0 || m != 0 {
		t.Errorf("expires_at %v is not midnight UTC", r.ExpiresAt)
	}
	if days := time.Until(*r.ExpiresAt).Hours() / 24; days < 298 || days > 300 {
		t.Errorf("expires in %.1f days, want about 300", days)
	}
	r = ghglRun(t, env, e.Credentials(providers.GitLab, fake.GitLabTokenAPIOnly))
	if r.ExpiresAt != nil {
		t.Errorf("a token without expiry got expires_at %v", r.ExpiresAt)
	}
}

func TestCheckGitLabNetwork(t *testing.T) {
	t.Parallel()
	ghglNetwork(t, providers.GitLab, fake.GitLabHandler(), "/api/v4", fake.GitLabTokenFull)
}

func TestCheckGitLabCanaries(t *testing.T) {
	t.Parallel()
	ghglCanaries(t, providers.GitLab, []string{
		fake.GitLabTokenFull, fake.GitLabTokenAPIOnly, fake.GitLabTokenNoAPI, fake.GitLabTokenNoWriteRepository,
		fake.GitLabTokenWriteRepositoryOnly, fake.GitLabTokenExpired, fake.GitLabTokenRevoked, fake.GitLabTokenUnknown,
		fake.GitLabTokenExpiringSoon, fake.GitLabTokenDeveloper, fake.GitLabTokenMaintainer, fake.GitLabTokenNotMember,
	}, "glpat-")
}
