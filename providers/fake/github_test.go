package fake_test

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// ghglGet sends one GET with the given auth header value to an emulator and decodes the JSON answer.
func ghglGet(t *testing.T, base, path, header, value string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if header != "" {
		req.Header.Set(header, value)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	body := map[string]any{}
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("GET %s: not JSON (%v): %s", path, err, raw)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	return resp, body
}

var ghglGitHubTokens = []string{
	fake.GitHubTokenFull, fake.GitHubTokenNoRepo, fake.GitHubTokenNoDeleteRepo, fake.GitHubTokenNoAdminOrg,
	fake.GitHubTokenNoScopes, fake.GitHubTokenExpired, fake.GitHubTokenRevoked, fake.GitHubTokenUnknown,
	fake.GitHubTokenExpiringSoon, fake.GitHubTokenExpiryOffset, fake.GitHubTokenSSO, fake.GitHubTokenRateLimited,
	fake.GitHubTokenNotMember, fake.GitHubTokenNotAdmin, fake.GitHubTokenPending, fake.GitHubTokenBillingManager,
	fake.GitHubTokenCreateForbidden, fake.GitHubTokenPushRejected, fake.GitHubTokenSlowVisibility, fake.GitHubTokenNeverVisible,
}

func TestGitHubTokensLookReal(t *testing.T) {
	t.Parallel()
	classic := regexp.MustCompile(`^ghp_[A-Za-z0-9]{36}$`)
	seen := map[string]bool{}
	for _, tok := range ghglGitHubTokens {
		if !classic.MatchString(tok) {
			t.Errorf("%q is not ghp_ + 36 alphanumerics", tok)
		}
		if seen[tok] {
			t.Errorf("%q is used twice", tok)
		}
		seen[tok] = true
	}
	if !regexp.MustCompile(`^github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}$`).MatchString(fake.GitHubTokenFineGrained) {
		t.Errorf("%q is not a fine-grained token's shape", fake.GitHubTokenFineGrained)
	}
}

func TestGitHubEmulatorAnswersLikeGitHub(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	api := e.URL(providers.GitHub) + "/api/v3"
	bearer := func(tok string) string { return "Bearer " + tok }

	t.Run("user with a classic token", func(t *testing.T) {
		resp, body := ghglGet(t, api, "/user", "Authorization", bearer(fake.GitHubTokenFull))
		if resp.StatusCode != 200 || body["login"] != fake.GitHubUser {
			t.Fatalf("status %d, body %v", resp.StatusCode, body)
		}
		if got := resp.Header.Get("X-OAuth-Scopes"); !strings.Contains(got, "repo") || !strings.Contains(got, "delete_repo") {
			t.Errorf("X-OAuth-Scopes %q", got)
		}
		if _, ok := resp.Header["X-Accepted-Oauth-Scopes"]; !ok {
			t.Error("no X-Accepted-OAuth-Scopes header")
		}
		for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Used", "X-RateLimit-Resource", "X-GitHub-Request-Id"} {
			if resp.Header.Get(h) == "" {
				t.Errorf("no %s header", h)
			}
		}
		exp := resp.Header.Get("GitHub-Authentication-Token-Expiration")
		if _, err := time.Parse("2006-01-02 15:04:05 MST", exp); err != nil || !strings.HasSuffix(exp, " UTC") {
			t.Errorf("GitHub-Authentication-Token-Expiration %q: %v", exp, err)
		}
	})
	t.Run("token scheme too", func(t *testing.T) {
		resp, _ := ghglGet(t, api, "/user", "Authorization", "token "+fake.GitHubTokenFull)
		if resp.StatusCode != 200 {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
	t.Run("expiry with a zone offset", func(t *testing.T) {
		resp, _ := ghglGet(t, api, "/user", "Authorization", bearer(fake.GitHubTokenExpiryOffset))
		exp := resp.Header.Get("GitHub-Authentication-Token-Expiration")
		if !regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0200$`).MatchString(exp) {
			t.Errorf("expiry %q is not in the offset layout", exp)
		}
	})
	t.Run("fine-grained token has no scopes header", func(t *testing.T) {
		resp, _ := ghglGet(t, api, "/user", "Authorization", bearer(fake.GitHubTokenFineGrained))
		if _, ok := resp.Header["X-Oauth-Scopes"]; ok || resp.StatusCode != 200 {
			t.Errorf("status %d, X-OAuth-Scopes present: %v", resp.StatusCode, ok)
		}
		resp, body := ghglGet(t, api, "/user/memberships/orgs/acme", "Authorization", bearer(fake.GitHubTokenFineGrained))
		if resp.StatusCode != 403 || body["message"] != "Resource not accessible by personal access token" {
			t.Errorf("membership: %d %v", resp.StatusCode, body)
		}
		if resp.Header.Get("X-Accepted-GitHub-Permissions") == "" {
			t.Error("no X-Accepted-GitHub-Permissions")
		}
	})
	t.Run("empty scopes header", func(t *testing.T) {
		resp, _ := ghglGet(t, api, "/user", "Authorization", bearer(fake.GitHubTokenNoScopes))
		if v, ok := resp.Header["X-Oauth-Scopes"]; !ok || len(v) != 1 || v[0] != "" {
			t.Errorf("X-OAuth-Scopes %v (present %v), want present and empty", v, ok)
		}
	})
	for _, tc := range []struct{ name, header, msg string }{
		{"no token", "", "Requires authentication"},
		{"unknown token", bearer(fake.GitHubTokenUnknown), "Bad credentials"},
		{"expired token", bearer(fake.GitHubTokenExpired), "Bad credentials"},
		{"revoked token", bearer(fake.GitHubTokenRevoked), "Bad credentials"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := "Authorization"
			if tc.header == "" {
				h = ""
			}
			resp, body := ghglGet(t, api, "/user", h, tc.header)
			if resp.StatusCode != 401 || body["message"] != tc.msg || body["documentation_url"] == nil {
				t.Errorf("status %d, body %v", resp.StatusCode, body)
			}
		})
	}
	t.Run("organisation and membership", func(t *testing.T) {
		resp, body := ghglGet(t, api, "/orgs/acme", "Authorization", bearer(fake.GitHubTokenFull))
		if resp.StatusCode != 200 || body["login"] != fake.GitHubOrg || body["members_can_create_private_repositories"] != true {
			t.Errorf("org: %d %v", resp.StatusCode, body)
		}
		// The repository-creation settings are shown to owners with admin:org only (orgs/get).
		for _, tok := range []string{fake.GitHubTokenNotAdmin, fake.GitHubTokenBillingManager, fake.GitHubTokenNoAdminOrg} {
			_, body := ghglGet(t, api, "/orgs/acme", "Authorization", bearer(tok))
			for _, f := range []string{"members_can_create_repositories", "members_can_create_private_repositories", "total_private_repos"} {
				if _, shown := body[f]; shown || body["login"] != fake.GitHubOrg {
					t.Errorf("org as %s…: %s shown to a caller who is not an owner with admin:org: %v", tok[:12], f, body)
				}
			}
		}
		_, body = ghglGet(t, api, "/user/memberships/orgs/acme", "Authorization", bearer(fake.GitHubTokenBillingManager))
		if body["role"] != "billing_manager" || body["state"] != "active" {
			t.Errorf("billing manager's membership: %v", body)
		}
		resp, body = ghglGet(t, api, "/user/memberships/orgs/acme", "Authorization", bearer(fake.GitHubTokenFull))
		if resp.StatusCode != 200 || body["role"] != "admin" || body["state"] != "active" || body["organization"] == nil {
			t.Errorf("membership: %d %v", resp.StatusCode, body)
		}
		_, body = ghglGet(t, api, "/user/memberships/orgs/acme", "Authorization", bearer(fake.GitHubTokenPending))
		if body["state"] != "pending" || body["role"] != "member" {
			t.Errorf("pending membership: %v", body)
		}
		resp, _ = ghglGet(t, api, "/user/memberships/orgs/acme", "Authorization", bearer(fake.GitHubTokenNotMember))
		if resp.StatusCode != 404 {
			t.Errorf("non-member: %d", resp.StatusCode)
		}
		resp, body = ghglGet(t, api, "/orgs/elsewhere", "Authorization", bearer(fake.GitHubTokenFull))
		if resp.StatusCode != 404 || body["message"] != "Not Found" {
			t.Errorf("unknown org: %d %v", resp.StatusCode, body)
		}
	})
	t.Run("SAML SSO", func(t *testing.T) {
		resp, body := ghglGet(t, api, "/orgs/acme", "Authorization", bearer(fake.GitHubTokenSSO))
		sso := resp.Header.Get("X-GitHub-SSO")
		if resp.StatusCode != 403 || !strings.HasPrefix(sso, "required; url=") || !strings.Contains(body["message"].(string), "SAML enforcement") {
			t.Errorf("status %d, X-GitHub-SSO %q, body %v", resp.StatusCode, sso, body)
		}
	})
	t.Run("rate limit", func(t *testing.T) {
		resp, body := ghglGet(t, api, "/user", "Authorization", bearer(fake.GitHubTokenRateLimited))
		reset, _ := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64)
		if resp.StatusCode != 403 || resp.Header.Get("X-RateLimit-Remaining") != "0" || reset < time.Now().Unix() {
			t.Errorf("status %d, remaining %q, reset %d", resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining"), reset)
		}
		if !strings.HasPrefix(body["message"].(string), "API rate limit exceeded") {
			t.Errorf("body %v", body)
		}
	})
	t.Run("only under /api/v3", func(t *testing.T) {
		resp, _ := ghglGet(t, e.URL(providers.GitHub), "/user", "Authorization", bearer(fake.GitHubTokenFull))
		if resp.StatusCode != 404 {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
	t.Run("fault markers", func(t *testing.T) {
		resp, _ := ghglGet(t, api, "/user", "Authorization", bearer(fake.GitHubTokenFull+fake.MarkServerError))
		if resp.StatusCode != 500 {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
}
