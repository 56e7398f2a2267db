package fake_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

var ghglGitLabTokens = []string{
	fake.GitLabTokenFull, fake.GitLabTokenAPIOnly, fake.GitLabTokenNoAPI, fake.GitLabTokenNoWriteRepository,
	fake.GitLabTokenWriteRepositoryOnly, fake.GitLabTokenExpired, fake.GitLabTokenRevoked, fake.GitLabTokenUnknown,
	fake.GitLabTokenExpiringSoon, fake.GitLabTokenDeveloper, fake.GitLabTokenMaintainer, fake.GitLabTokenNotMember,
	fake.GitLabTokenPlanner, fake.GitLabTokenAdminLevel,
}

func TestGitLabTokensLookReal(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`^glpat-[A-Za-z0-9_-]{20}$`)
	seen := map[string]bool{}
	for _, tok := range ghglGitLabTokens {
		if !re.MatchString(tok) || seen[tok] {
			t.Errorf("%q is not a unique glpat- + 20 characters token", tok)
		}
		seen[tok] = true
	}
}

func TestGitLabEmulatorAnswersLikeGitLab(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	api := e.URL(providers.GitLab) + "/api/v4"
	const pt = "PRIVATE-TOKEN"

	t.Run("token self", func(t *testing.T) {
		resp, body := ghglGet(t, api, "/personal_access_tokens/self", pt, fake.GitLabTokenFull)
		if resp.StatusCode != 200 || body["active"] != true || body["revoked"] != false || body["user_id"] != float64(fake.GitLabUserID) {
			t.Fatalf("%d %v", resp.StatusCode, body)
		}
		if sc, _ := body["scopes"].([]any); len(sc) != 2 || sc[0] != "api" || sc[1] != "write_repository" {
			t.Errorf("scopes %v", body["scopes"])
		}
		if _, err := time.Parse("2006-01-02", body["expires_at"].(string)); err != nil {
			t.Errorf("expires_at %v: %v", body["expires_at"], err)
		}
		_, body = ghglGet(t, api, "/personal_access_tokens/self", "Authorization", "Bearer "+fake.GitLabTokenAPIOnly)
		if body["expires_at"] != nil {
			t.Errorf("a token without expiry: expires_at %v", body["expires_at"])
		}
		// Any scope may read its own token.
		resp, _ = ghglGet(t, api, "/personal_access_tokens/self", pt, fake.GitLabTokenWriteRepositoryOnly)
		if resp.StatusCode != 200 {
			t.Errorf("write_repository-only token on self: %d", resp.StatusCode)
		}
	})
	t.Run("401 bodies", func(t *testing.T) {
		for tok, want := range map[string]map[string]any{
			fake.GitLabTokenUnknown: {"message": "401 Unauthorized"},
			fake.GitLabTokenExpired: {"error": "invalid_token", "error_description": "Token is expired. You can either do re-authorization or token refresh."},
			fake.GitLabTokenRevoked: {"error": "invalid_token", "error_description": "Token was revoked. You have to re-authorize from the user."},
		} {
			resp, body := ghglGet(t, api, "/user", pt, tok)
			if resp.StatusCode != 401 || len(body) != len(want) {
				t.Errorf("%s: %d %v", tok, resp.StatusCode, body)
			}
			for k, v := range want {
				if body[k] != v {
					t.Errorf("%s: %s = %v, want %v", tok, k, body[k], v)
				}
			}
			if want["error"] != nil && !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
				t.Errorf("%s: WWW-Authenticate %q", tok, resp.Header.Get("WWW-Authenticate"))
			}
		}
	})
	t.Run("insufficient scope", func(t *testing.T) {
		resp, body := ghglGet(t, api, "/user", pt, fake.GitLabTokenWriteRepositoryOnly)
		if resp.StatusCode != 403 || body["error"] != "insufficient_scope" ||
			body["error_description"] != "The request requires higher privileges than provided by the access token." {
			t.Errorf("%d %v", resp.StatusCode, body)
		}
	})
	t.Run("user", func(t *testing.T) {
		resp, body := ghglGet(t, api, "/user", pt, fake.GitLabTokenNoAPI) // read_api reads the user
		if resp.StatusCode != 200 || body["username"] != fake.GitLabUser || body["id"] != float64(fake.GitLabUserID) {
			t.Errorf("%d %v", resp.StatusCode, body)
		}
	})
	t.Run("group by path and by id", func(t *testing.T) {
		for _, id := range []string{"acme%2Fgitops", strconv.Itoa(fake.GitLabGroupID)} {
			resp, body := ghglGet(t, api, "/groups/"+id, pt, fake.GitLabTokenFull)
			if resp.StatusCode != 200 || body["full_path"] != fake.GitLabGroupPath || body["project_creation_level"] != fake.GitLabProjectCreationLevel {
				t.Errorf("%s: %d %v", id, resp.StatusCode, body)
			}
		}
		resp, body := ghglGet(t, api, "/groups/acme%2Fnope", pt, fake.GitLabTokenFull)
		if resp.StatusCode != 404 || body["message"] != "404 Group Not Found" {
			t.Errorf("unknown group: %d %v", resp.StatusCode, body)
		}
	})
	t.Run("membership", func(t *testing.T) {
		path := "/groups/acme%2Fgitops/members/all/" + strconv.Itoa(fake.GitLabUserID)
		for tok, level := range map[string]float64{fake.GitLabTokenFull: 50, fake.GitLabTokenMaintainer: 40, fake.GitLabTokenDeveloper: 30} {
			resp, body := ghglGet(t, api, path, pt, tok)
			if resp.StatusCode != 200 || body["access_level"] != level || body["username"] != fake.GitLabUser {
				t.Errorf("%s: %d %v", tok, resp.StatusCode, body)
			}
		}
		resp, body := ghglGet(t, api, path, pt, fake.GitLabTokenNotMember)
		if resp.StatusCode != 404 || body["message"] != "404 Not found" {
			t.Errorf("non-member: %d %v", resp.StatusCode, body)
		}
	})
	t.Run("only under /api/v4", func(t *testing.T) {
		resp, _ := ghglGet(t, e.URL(providers.GitLab), "/user", pt, fake.GitLabTokenFull)
		if resp.StatusCode != 404 {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
}
