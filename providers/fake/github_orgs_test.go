package fake_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// ghDo sends one request with a bearer token (or Basic auth when user is not empty) and returns
// the status and body.
func ghDo(t *testing.T, method, url, user, tok string, body any) (int, string) {
	t.Helper()
	a := apiSend(t, method, url, user, tok, body)
	return a.status, string(a.body)
}

// The second organisation answers as the first does: the organisation, the caller's membership
// (same role and state), its own repositories through the API and Git, and 404 for a private
// repository to whoever may not see it.
func TestGitHubEmulatorSecondOrganisation(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	api := e.URL(providers.GitHub) + "/api/v3"
	bearer := "Bearer " + fake.GitHubTokenFull

	resp, body := ghglGet(t, api, "/orgs/"+fake.GitHubOrgInfra, "Authorization", bearer)
	if resp.StatusCode != 200 || body["login"] != fake.GitHubOrgInfra || body["members_can_create_private_repositories"] != true {
		t.Fatalf("org: %d %v", resp.StatusCode, body)
	}
	_, first := ghglGet(t, api, "/orgs/"+fake.GitHubOrg, "Authorization", bearer)
	if body["id"] == first["id"] || body["node_id"] == first["node_id"] || body["name"] == first["name"] {
		t.Errorf("the two organisations share an identity: %v / %v", body, first)
	}
	resp, body = ghglGet(t, api, "/orgs/ACME-INFRA", "Authorization", bearer)
	if resp.StatusCode != 200 || body["login"] != fake.GitHubOrgInfra {
		t.Errorf("org in upper case: %d %v", resp.StatusCode, body)
	}
	for _, tc := range []struct {
		tok, role, state string
		status           int
	}{
		{fake.GitHubTokenFull, "admin", "active", 200},
		{fake.GitHubTokenNotAdmin, "member", "active", 200},
		{fake.GitHubTokenPending, "member", "pending", 200},
		{fake.GitHubTokenNotMember, "", "", 404},
	} {
		resp, body := ghglGet(t, api, "/user/memberships/orgs/"+fake.GitHubOrgInfra, "Authorization", "Bearer "+tc.tok)
		org, _ := body["organization"].(map[string]any)
		if resp.StatusCode != tc.status || (tc.status == 200 && (body["role"] != tc.role || body["state"] != tc.state || org["login"] != fake.GitHubOrgInfra)) {
			t.Errorf("membership as %s…: %d %v", tc.tok[:12], resp.StatusCode, body)
		}
	}
	resp, _ = ghglGet(t, api, "/orgs/"+fake.GitHubOrgInfra, "Authorization", "Bearer "+fake.GitHubTokenSSO)
	if sso := resp.Header.Get("X-GitHub-SSO"); resp.StatusCode != 403 || !strings.Contains(sso, "/orgs/"+fake.GitHubOrgInfra+"/sso") {
		t.Errorf("SSO: %d %q", resp.StatusCode, sso)
	}

	// One name in both organisations: two repositories.
	for _, org := range []string{fake.GitHubOrg, fake.GitHubOrgInfra} {
		st, raw := ghDo(t, http.MethodPost, api+"/orgs/"+org+"/repos", "", fake.GitHubTokenFull, map[string]any{"name": "gitops", "private": true})
		var rp map[string]any
		_ = json.Unmarshal([]byte(raw), &rp)
		if st != 201 || rp["full_name"] != org+"/gitops" || !strings.HasSuffix(rp["clone_url"].(string), "/"+org+"/gitops.git") {
			t.Fatalf("create in %s: %d %s", org, st, raw)
		}
	}
	if st, raw := ghDo(t, http.MethodPost, api+"/orgs/"+fake.GitHubOrgInfra+"/repos", "", fake.GitHubTokenFull, map[string]any{"name": "gitops", "private": true}); st != 422 || !strings.Contains(raw, "name already exists") {
		t.Errorf("second create: %d %s", st, raw)
	}
	if got := e.Repos(providers.GitHub); !slices.Equal(got, []string{"acme-infra/gitops", "gitops"}) {
		t.Errorf("Repos = %v", got)
	}
	_, body = ghglGet(t, api, "/orgs/"+fake.GitHubOrgInfra, "Authorization", bearer)
	if body["total_private_repos"] != float64(1) {
		t.Errorf("total_private_repos = %v, want the organisation's own 1", body["total_private_repos"])
	}

	refs := e.URL(providers.GitHub) + "/" + fake.GitHubOrgInfra + "/gitops.git/info/refs?service=git-upload-pack"
	for _, tc := range []struct {
		name, tok string
		status    int
	}{
		{"an owner", fake.GitHubTokenFull, 200},
		{"a member", fake.GitHubTokenNotAdmin, 200},
		{"a fine-grained token", fake.GitHubTokenFineGrained, 200},
		{"a user who is not a member", fake.GitHubTokenNotMember, 404},
		{"a pending member", fake.GitHubTokenPending, 404},
		{"a classic token without repo", fake.GitHubTokenNoRepo, 404},
		{"a revoked token", fake.GitHubTokenRevoked, 401},
	} {
		st, raw := ghDo(t, http.MethodGet, refs, fake.GitHubUser, tc.tok, nil)
		if st != tc.status || (st == 404 && strings.TrimSpace(raw) != "Repository not found.") {
			t.Errorf("Git info/refs as %s: %d %q, want %d", tc.name, st, raw, tc.status)
		}
		st, _ = ghDo(t, http.MethodGet, api+"/repos/"+fake.GitHubOrgInfra+"/gitops", "", tc.tok, nil)
		if want := map[int]int{200: 200, 404: 404, 401: 401}[tc.status]; st != want {
			t.Errorf("GET the repository as %s: %d, want %d", tc.name, st, want)
		}
	}

	if st, _ := ghDo(t, http.MethodDelete, api+"/repos/"+fake.GitHubOrgInfra+"/gitops", "", fake.GitHubTokenFull, nil); st != 204 {
		t.Fatalf("delete: %d", st)
	}
	if got := e.Repos(providers.GitHub); !slices.Equal(got, []string{"gitops"}) {
		t.Errorf("after the delete, Repos = %v: the other organisation's repository must stay", got)
	}
	if st, _ := ghDo(t, http.MethodGet, refs, fake.GitHubUser, fake.GitHubTokenFull, nil); st != 404 {
		t.Errorf("Git of the deleted repository: %d", st)
	}
	if err := e.AddOrgRepo(providers.GitHub, fake.GitHubOrgInfra, "seeded"); err != nil {
		t.Fatal(err)
	}
	if err := e.AddOrgRepo(providers.GitHub, "elsewhere", "x"); err == nil {
		t.Error("AddOrgRepo into an unknown organisation succeeded")
	}
	if err := e.AddOrgRepo(providers.GitLab, "elsewhere", "x"); err == nil {
		t.Error("AddOrgRepo into GitLab's unknown group succeeded")
	}
}
