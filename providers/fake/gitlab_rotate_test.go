package fake_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"gitopscfg/providers/fake"
)

func rotateReq(t *testing.T, api, method, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, api+"/personal_access_tokens/self/rotate", strings.NewReader(body))
	req.Header.Set("PRIVATE-TOKEN", token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func selfStatus(t *testing.T, api, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, api+"/personal_access_tokens/self", nil)
	req.Header.Set("PRIVATE-TOKEN", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestGitLabEmulatorRotatesLikeGitLab(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(fake.GitLabHandler())
	t.Cleanup(srv.Close)
	api := srv.URL + "/api/v4"
	in30 := time.Now().UTC().AddDate(0, 0, 30).Format("2006-01-02")

	code, body := rotateReq(t, api, http.MethodPost, fake.GitLabTokenFull, `{"expires_at":"`+in30+`"}`)
	tok, _ := body["token"].(string)
	if code != 200 || !regexp.MustCompile(`^glpat-[A-Za-z0-9_-]{20}$`).MatchString(tok) || body["expires_at"] != in30 || body["name"] != "gitops" {
		t.Fatalf("rotate: %d %v", code, body)
	}
	if got := selfStatus(t, api, fake.GitLabTokenFull); got != 401 {
		t.Fatalf("the old token still works after rotation: %d", got)
	}
	if got := selfStatus(t, api, tok); got != 200 {
		t.Fatalf("the new token does not work: %d", got)
	}
	// Reuse: rotating with the revoked token fails and revokes its successor too.
	if code, body := rotateReq(t, api, http.MethodPost, fake.GitLabTokenFull, ""); code != 401 || body["error"] != "invalid_token" {
		t.Fatalf("rotate with a revoked token: %d %v", code, body)
	}
	if got := selfStatus(t, api, tok); got != 401 {
		t.Fatalf("the successor survived the reuse of its revoked predecessor: %d", got)
	}

	cases := []struct {
		name, token, method, body string
		code                      int
		key, want                 string
	}{
		{"no api scope", fake.GitLabTokenNoAPI, http.MethodPost, "", 403, "error", "insufficient_scope"},
		{"expired", fake.GitLabTokenExpired, http.MethodPost, "", 401, "error", "invalid_token"},
		{"unknown", fake.GitLabTokenUnknown, http.MethodPost, "", 401, "message", "401 Unauthorized"},
		{"not a date", fake.GitLabTokenMaintainer, http.MethodPost, `{"expires_at":"soon"}`, 400, "error", "expires_at is invalid"},
		{"in the past", fake.GitLabTokenMaintainer, http.MethodPost, `{"expires_at":"2020-01-01"}`, 400, "message", "must be in the future"},
		{"beyond a year", fake.GitLabTokenMaintainer, http.MethodPost, `{"expires_at":"` + time.Now().AddDate(2, 0, 0).Format("2006-01-02") + `"}`, 400, "message", "must be before"},
		{"GET", fake.GitLabTokenMaintainer, http.MethodGet, "", 405, "message", "405"},
	}
	for _, c := range cases {
		code, body := rotateReq(t, api, c.method, c.token, c.body)
		if s, _ := body[c.key].(string); code != c.code || !strings.Contains(s, c.want) {
			t.Errorf("%s: %d %v, want %d with %s containing %q", c.name, code, body, c.code, c.key, c.want)
		}
	}
	if got := selfStatus(t, api, fake.GitLabTokenMaintainer); got != 200 {
		t.Fatalf("a refused rotation revoked the token: %d", got)
	}
	// The default lifetime is one week.
	_, body = rotateReq(t, api, http.MethodPost, fake.GitLabTokenMaintainer, "")
	if body["expires_at"] != time.Now().UTC().AddDate(0, 0, 7).Format("2006-01-02") {
		t.Fatalf("default expiry %v", body["expires_at"])
	}
}

// Group and project access tokens: their user is a bot, and they rotate themselves as personal
// ones do (the new token keeps the bot); an instance that rotates personal tokens only answers 405.
func TestGitLabEmulatorBotTokens(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(fake.GitLabHandler())
	t.Cleanup(srv.Close)
	api := srv.URL + "/api/v4"
	user := func(tok string) map[string]any {
		req, _ := http.NewRequest(http.MethodGet, api+"/user", nil)
		req.Header.Set("PRIVATE-TOKEN", tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return m
	}
	if u := user(fake.GitLabTokenFull); u["bot"] != false {
		t.Errorf("a personal token's user: bot = %v, want false", u["bot"])
	}
	if u := user(fake.GitLabTokenGroupBot); u["bot"] != true || u["username"] != fake.GitLabGroupBotUser {
		t.Errorf("a group token's user: %v, want the bot %s", u, fake.GitLabGroupBotUser)
	}
	code, body := rotateReq(t, api, http.MethodPost, fake.GitLabTokenGroupBot, "")
	tok, _ := body["token"].(string)
	if code != 200 || tok == "" {
		t.Fatalf("rotating a group token: %d %v", code, body)
	}
	if u := user(tok); u["bot"] != true || u["username"] != fake.GitLabGroupBotUser {
		t.Errorf("the rotated group token's user: %v, want the same bot", u)
	}
	// Reuse of the rotated-away group token revokes its successor, as for a personal one.
	if code, _ := rotateReq(t, api, http.MethodPost, fake.GitLabTokenGroupBot, ""); code != 401 {
		t.Errorf("rotating the rotated-away group token again: %d, want 401", code)
	}
	if got := selfStatus(t, api, tok); got != 401 {
		t.Errorf("the successor of a reused group token still works: %d", got)
	}
	if code, body := rotateReq(t, api, http.MethodPost, fake.GitLabTokenGroupBotOldGitLab, ""); code != http.StatusMethodNotAllowed {
		t.Errorf("self-rotating a group token on an older GitLab: %d %v, want 405", code, body)
	}
	if got := selfStatus(t, api, fake.GitLabTokenGroupBotOldGitLab); got != 200 {
		t.Errorf("a refused rotation revoked the token: %d", got)
	}
}
