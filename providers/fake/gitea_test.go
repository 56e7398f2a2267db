package fake_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// The Gitea emulator answers as a real Gitea 1.27.3 did on loopback (status, Content-Type and
// message captured with curl against the server .ci/gitea.sh starts).
func TestGiteaEmulatorAnswersAsTheRealServer(t *testing.T) {
	e := kit.Emulators(t, fake.Options{})
	base := e.URL(providers.Gitea)
	const scopeMsg = "token does not have at least one of required scope(s), required="
	cases := []struct {
		method, path, token string
		status              int
		message             string // the JSON message ("" for a 2xx)
	}{
		{"GET", "/api/v1/user", "0123456789abcdef0123456789abcdef01234567", 401, "invalid username, password or token"},
		{"GET", "/api/v1/user", fake.GiteaTokenDeleted, 401, "invalid username, password or token"},
		{"GET", "/api/v1/user", fake.GiteaTokenNoUser, 403, scopeMsg + "[read:user], token scope=write:organization,write:repository"},
		{"GET", "/api/v1/notifications/new", fake.GiteaTokenFull, 403,
			scopeMsg + "[read:notification], token scope=write:organization,write:repository,read:user"},
		{"GET", "/api/v1/notifications/new", fake.GiteaTokenAll, 200, ""},
		{"GET", "/api/v1/admin/cron", fake.GiteaTokenAll, 403, "user should be the site admin"},
		{"GET", "/api/v1/orgs/" + fake.GiteaOrg, fake.GiteaTokenOutsider, 404, "not found"},
		{"GET", "/api/v1/orgs/nope", fake.GiteaTokenFull, 404, "not found"},
		{"GET", "/api/v1/users/" + fake.GiteaUser + "/orgs/" + fake.GiteaOrg + "/permissions", fake.GiteaTokenNoUser, 403,
			scopeMsg + "[read:user read:organization], token scope=write:organization,write:repository"},
		{"GET", "/api/v1/users/nobody/orgs/" + fake.GiteaOrg + "/permissions", fake.GiteaTokenFull, 404,
			"user redirect does not exist [name: nobody]"},
		{"POST", "/api/v1/orgs/" + fake.GiteaOrg + "/repos", fake.GiteaTokenReadOnly, 403,
			scopeMsg + "[write:organization], token scope=read:organization,read:repository,read:user"},
		{"POST", "/api/v1/orgs/" + fake.GiteaOrg + "/repos", fake.GiteaTokenViewer, 403,
			"User is not allowed to create repositories in this organization."},
		{"POST", "/api/v1/orgs/nope/repos", fake.GiteaTokenFull, 404, "not found"},
		{"GET", "/api/v1/repos/" + fake.GiteaOrg + "/nothere", fake.GiteaTokenFull, 404, "not found"},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, base+c.path, strings.NewReader(`{"name":"gitopscfg-check-zzzzzz","private":true}`))
		req.Header.Set("Authorization", "token "+c.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s %s: HTTP %d, want %d: %s", c.method, c.path, resp.StatusCode, c.status, raw)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s %s: Content-Type %q", c.method, c.path, ct)
		}
		if c.message == "" {
			continue
		}
		var body struct {
			Message string `json:"message"`
			URL     string `json:"url"`
		}
		if err := json.Unmarshal(raw, &body); err != nil || body.Message != c.message || !strings.HasSuffix(body.URL, "/api/swagger") {
			t.Errorf("%s %s: body %s, want message %q and the swagger url", c.method, c.path, raw, c.message)
		}
	}
}

// Git over HTTP: no credential → 401 with Basic realm="Gitea"; a bad token → 401 "Failed to
// authenticate user"; a repository the user cannot see → 404; a push with a read-only token → 403.
func TestGiteaEmulatorGitAuth(t *testing.T) {
	e := kit.Emulators(t, fake.Options{})
	if err := e.AddRepo(providers.Gitea, "gitopscfg-check-gitauth"); err != nil {
		t.Fatal(err)
	}
	refs := e.URL(providers.Gitea) + "/" + fake.GiteaOrg + "/gitopscfg-check-gitauth.git/info/refs?service="
	cases := []struct {
		user, token, service string
		status               int
		body                 string
	}{
		{"", "", "git-upload-pack", 401, "Unauthorized"},
		{fake.GiteaUser, "0123456789abcdef0123456789abcdef01234567", "git-upload-pack", 401, "Failed to authenticate user"},
		{fake.GiteaOutsider, fake.GiteaTokenOutsider, "git-upload-pack", 404, "Repository not found"},
		{fake.GiteaUser, fake.GiteaTokenReadOnly, "git-receive-pack", 403, "Forbidden"},
		{fake.GiteaUser, fake.GiteaTokenReadOnly, "git-upload-pack", 200, "# service=git-upload-pack"},
		{"anyone", fake.GiteaTokenFull, "git-receive-pack", 200, "# service=git-receive-pack"},
	}
	// Only owners delete: a member whose team may create repositories gets 403.
	del, _ := http.NewRequest(http.MethodDelete, e.URL(providers.Gitea)+"/api/v1/repos/"+fake.GiteaOrg+"/gitopscfg-check-gitauth", nil)
	del.Header.Set("Authorization", "token "+fake.GiteaTokenDeployer)
	resp, err := http.DefaultClient.Do(del)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(raw), "user should be the owner of the repo") {
		t.Errorf("DELETE by a non-owner: HTTP %d %s", resp.StatusCode, raw)
	}
	for _, c := range cases {
		req, _ := http.NewRequest(http.MethodGet, refs+c.service, nil)
		if c.token != "" {
			req.SetBasicAuth(c.user, c.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != c.status || !strings.Contains(string(raw), c.body) {
			t.Errorf("%s as %q: HTTP %d %q, want %d %q", c.service, c.user, resp.StatusCode, raw, c.status, c.body)
		}
		if c.token == "" && resp.Header.Get("Www-Authenticate") != `Basic realm="Gitea"` {
			t.Errorf("anonymous: WWW-Authenticate %q", resp.Header.Get("Www-Authenticate"))
		}
	}
}
