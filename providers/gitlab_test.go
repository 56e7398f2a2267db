package providers_test

import (
	"strconv"
	"testing"
	"time"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

func TestCheckGitLabScenarios(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	env := envWithTimeout(5 * time.Second)
	tokenURL := e.URL(providers.GitLab) + "/-/user_settings/personal_access_tokens"
	pass, fail, warn, skip := providers.Pass, providers.Fail, providers.Warn, providers.Skip
	rejected := func(words ...string) wants {
		return wants{"auth": expect(fail, append(words, tokenURL, "api, write_repository")...),
			"scope:api": expect(skip), "scope:write_repository": expect(skip), "org": expect(skip), "expiry": expect(skip)}
	}
	tests := []struct {
		name  string
		token string
		edit  func(*providers.Credentials)
		ok    bool
		want  wants
	}{
		{name: "full access", token: fake.GitLabTokenFull, ok: true, want: wants{
			"auth":      expect(pass, "authenticated as "+fake.GitLabUser),
			"scope:api": expect(pass), "scope:write_repository": expect(pass),
			"org":    expect(pass, fake.GitLabGroupPath, "Owner (50)", "create and delete"),
			"expiry": expect(pass, "expires on"),
		}},
		{name: "api covers write_repository", token: fake.GitLabTokenAPIOnly, ok: true, want: wants{
			"scope:api":              expect(pass),
			"scope:write_repository": expect(pass, "covered by api", "Git push"),
			"expiry":                 expect(pass, "no expiry date"),
		}},
		{name: "missing api", token: fake.GitLabTokenNoAPI, want: wants{
			"scope:api":              expect(fail, "missing", "create, read and delete projects", tokenURL, "granted now: read_api, write_repository"),
			"scope:write_repository": expect(pass),
			"org":                    expect(pass),
		}},
		{name: "missing write_repository", token: fake.GitLabTokenNoWriteRepository, want: wants{
			"scope:write_repository": expect(fail, "missing", "push", tokenURL),
			"scope:api":              expect(fail),
		}},
		{name: "write_repository only", token: fake.GitLabTokenWriteRepositoryOnly, want: wants{
			"auth":                   expect(pass, "is valid"),
			"scope:api":              expect(fail, tokenURL),
			"scope:write_repository": expect(pass),
			"org":                    expect(fail, "403", "insufficient_scope", tokenURL),
		}},
		{name: "expired", token: fake.GitLabTokenExpired, want: rejected("has expired", "Token is expired")},
		{name: "revoked", token: fake.GitLabTokenRevoked, want: rejected("was revoked", "Token was revoked")},
		{name: "unknown", token: fake.GitLabTokenUnknown, want: rejected("bad credentials", "does not know this token")},
		{name: "expiring soon", token: fake.GitLabTokenExpiringSoon, ok: true, want: wants{
			"expiry": expect(warn, "expires in", tokenURL),
		}},
		{name: "developer only", token: fake.GitLabTokenDeveloper, want: wants{
			"org":  expect(fail, "Developer (30)", "Maintainers and above", "/groups/acme/gitops/-/group_members", "Roles allowed to create projects"),
			"auth": expect(pass),
		}},
		{name: "planner", token: fake.GitLabTokenPlanner, want: wants{
			"org": expect(fail, "you are Planner (15)", "Maintainers and above"),
		}},
		{name: "admin access level", token: fake.GitLabTokenAdminLevel, ok: true, want: wants{
			"org": expect(pass, "you are Admin (60), so you may create and delete"),
		}},
		{name: "maintainer", token: fake.GitLabTokenMaintainer, ok: true, want: wants{
			"org": expect(pass, "Maintainer (40)", "may create projects", "Owner"),
		}},
		{name: "not a member", token: fake.GitLabTokenNotMember, want: wants{
			"org": expect(fail, "not a member of group acme/gitops", "group_members"),
		}},
		{name: "group by numeric id", token: fake.GitLabTokenFull, ok: true, edit: func(c *providers.Credentials) { c.Org = strconv.Itoa(fake.GitLabGroupID) }, want: wants{
			"org": expect(pass, fake.GitLabGroupPath),
		}},
		{name: "unknown group", token: fake.GitLabTokenFull, edit: func(c *providers.Credentials) { c.Org = "acme/no-such-group" }, want: wants{
			"org":  expect(fail, "group acme/no-such-group not found", "/dashboard/groups"),
			"auth": expect(pass),
		}},
		{name: "no group", token: fake.GitLabTokenFull, edit: func(c *providers.Credentials) { c.Org = "" }, want: wants{
			"org": expect(fail, "no group given"),
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
			r := runCheck(t, env, c)
			assertResult(t, r, tc.want)
			assertOK(t, r, tc.ok)
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
	e := kit.Emulators(t, fake.Options{})
	env := envWithTimeout(5 * time.Second)
	r := runCheck(t, env, e.Credentials(providers.GitLab, fake.GitLabTokenFull))
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
	r = runCheck(t, env, e.Credentials(providers.GitLab, fake.GitLabTokenAPIOnly))
	if r.ExpiresAt != nil {
		t.Errorf("a token without expiry got expires_at %v", r.ExpiresAt)
	}
}

// gitLabCanaryTokens are the GitLab tokens TestCheckCanaries runs through a check.
var gitLabCanaryTokens = []string{
	fake.GitLabTokenFull, fake.GitLabTokenAPIOnly, fake.GitLabTokenNoAPI, fake.GitLabTokenNoWriteRepository,
	fake.GitLabTokenWriteRepositoryOnly, fake.GitLabTokenExpired, fake.GitLabTokenRevoked, fake.GitLabTokenUnknown,
	fake.GitLabTokenExpiringSoon, fake.GitLabTokenDeveloper, fake.GitLabTokenMaintainer, fake.GitLabTokenNotMember,
	fake.GitLabTokenPlanner, fake.GitLabTokenAdminLevel, fake.GitLabTokenGroupBot, fake.GitLabTokenProjectBot, fake.GitLabTokenOtherGroupBot,
}
