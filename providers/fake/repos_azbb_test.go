package fake_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// Tests of the Azure DevOps and Bitbucket repository lifecycles and of their Git rules.

// apiSend sends a request to an emulator's API with Basic auth (or Bearer when user is empty)
// and a JSON body.
func apiSend(t *testing.T, method, rawURL, user, token string, body any) answer {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, rawURL, rd)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, token)
	} else {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: raw}
}

// azbbGitStatus is the status of a Git smart-HTTP advertisement request: service is
// git-upload-pack (clone, fetch) or git-receive-pack (push).
func azbbGitStatus(t *testing.T, repoURL, user, token, service string) int {
	t.Helper()
	return apiSend(t, http.MethodGet, repoURL+"/info/refs?service="+service, user, token, nil).status
}

func TestAzureRepositoryLifecycleAnswers(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	base := emu.URL(providers.Azure) + "/" + fake.AzureOrganisation
	repos := base + "/" + fake.AzureProject + "/_apis/git/repositories"
	const name = "gitopscfg-check-fakeaz"
	create := map[string]any{"name": name, "project": map[string]string{"id": fake.AzureProjectID}}

	if a := apiSend(t, http.MethodPost, repos+"?api-version=7.1", "x", fake.AzureTokenNoManage, create); a.status != 401 ||
		!strings.Contains(a.json(t)["message"].(string), "TF400813") {
		t.Errorf("create without Code manage: %d %s", a.status, a.body)
	}
	a := apiSend(t, http.MethodPost, repos+"?api-version=7.1", "x", fake.AzureTokenFull, create)
	if a.status != http.StatusCreated {
		t.Fatalf("create: %d %s", a.status, a.body)
	}
	m := a.json(t)
	id, _ := m["id"].(string)
	wantRemote := "http://" + fake.AzureOrganisation + "@" + strings.TrimPrefix(emu.URL(providers.Azure), "http://") +
		"/" + fake.AzureOrganisation + "/" + fake.AzureProject + "/_git/" + name
	if len(id) != 36 || m["name"] != name || m["remoteUrl"] != wantRemote || m["webUrl"] == nil {
		t.Errorf("created repository %v; want a GUID and remoteUrl %s", m, wantRemote)
	}
	if a := apiSend(t, http.MethodPost, repos+"?api-version=7.1", "x", fake.AzureTokenFull, create); a.status != http.StatusConflict ||
		!strings.Contains(a.json(t)["message"].(string), "TF400948") {
		t.Errorf("create again: %d %s", a.status, a.body)
	}
	if a := apiSend(t, http.MethodGet, repos+"/"+id+"?api-version=7.1", "x", fake.AzureTokenFull, nil); a.status != 200 || a.json(t)["id"] != id {
		t.Errorf("get: %d %s", a.status, a.body)
	}

	git := base + "/" + fake.AzureProject + "/_git/" + name
	for _, tc := range []struct {
		what, user, token, service string
		want                       int
	}{
		{"clone, any user name", "whoever", fake.AzureTokenFull, "git-upload-pack", 200},
		{"push", fake.AzureUser, fake.AzureTokenFull, "git-receive-pack", 200},
		{"push with Code read & write", "x", fake.AzureTokenNoManage, "git-receive-pack", 200},
		{"push without Contribute", "x", fake.AzureTokenPushDenied, "git-receive-pack", 403},
		{"clone without Code", "x", fake.AzureTokenNoCode, "git-upload-pack", 401},
		{"unknown token", "x", fake.AzureTokenInvalid, "git-upload-pack", 401},
	} {
		if got := azbbGitStatus(t, git, tc.user, tc.token, tc.service); got != tc.want {
			t.Errorf("Git %s: HTTP %d, want %d", tc.what, got, tc.want)
		}
	}

	if a := apiSend(t, http.MethodDelete, repos+"/"+id+"?api-version=7.1", "x", fake.AzureTokenNoDelete, nil); a.status != 403 ||
		!strings.Contains(a.json(t)["message"].(string), "TF401027") {
		t.Errorf("delete without the permission: %d %s", a.status, a.body)
	}
	if a := apiSend(t, http.MethodDelete, repos+"/"+id+"?api-version=7.1", "x", fake.AzureTokenFull, nil); a.status != http.StatusNoContent {
		t.Errorf("delete: %d %s", a.status, a.body)
	}
	if a := apiSend(t, http.MethodGet, repos+"/"+id+"?api-version=7.1", "x", fake.AzureTokenFull, nil); a.status != 404 ||
		!strings.Contains(a.json(t)["message"].(string), "TF401019") {
		t.Errorf("get after delete: %d %s", a.status, a.body)
	}
	if got := azbbGitStatus(t, git, "x", fake.AzureTokenFull, "git-upload-pack"); got != 404 {
		t.Errorf("Git after delete: HTTP %d, want 404", got)
	}
	if slices.Contains(emu.Repos(providers.Azure), name) {
		t.Errorf("left behind: %v", emu.Repos(providers.Azure))
	}
}

func TestAzureRoundTripTokensArePATs(t *testing.T) {
	t.Parallel()
	for _, tok := range []string{fake.AzureTokenNoManage, fake.AzureTokenPushDenied, fake.AzureTokenNoDelete, fake.AzureTokenLaggy} {
		if len(tok) != 84 || tok[76:80] != "AZDO" {
			t.Errorf("%s…: not an 84-character PAT with AZDO at 76-79", tok[:8])
		}
	}
}

func TestBitbucketRepositoryLifecycleAnswers(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	host := emu.URL(providers.Bitbucket)
	const slug = "gitopscfg-check-fakebb"
	repo := host + "/2.0/repositories/" + fake.BitbucketWorkspace + "/" + slug
	create := map[string]any{"scm": "git", "is_private": true, "project": map[string]string{"key": fake.BitbucketProjectKey}}
	email := fake.BitbucketEmail

	a := apiSend(t, http.MethodPost, repo, email, fake.BitbucketTokenNoAdminRepo, create)
	if a.status != 403 || !strings.Contains(string(a.body), "admin:repository:bitbucket") {
		t.Errorf("create without admin:repository: %d %s", a.status, a.body)
	}
	// The API description: 400 also "if the caller lacks the privilege to create repositories".
	a = apiSend(t, http.MethodPost, repo, email, fake.BitbucketTokenNoCreatePrivilege, create)
	if a.status != 400 || a.json(t)["type"] != "error" || !strings.Contains(string(a.body), "permission to create repositories") {
		t.Errorf("create without the privilege: %d %s", a.status, a.body)
	}
	a = apiSend(t, http.MethodPost, repo, email, fake.BitbucketTokenFull, create)
	if a.status != http.StatusOK {
		t.Fatalf("create: %d %s", a.status, a.body)
	}
	var got struct {
		FullName string `json:"full_name"`
		Private  bool   `json:"is_private"`
		Project  struct{ Key string }
		Links    struct {
			Clone []struct{ Name, Href string }
			HTML  struct{ Href string }
		}
	}
	if err := json.Unmarshal(a.body, &got); err != nil {
		t.Fatal(err)
	}
	wantClone := "http://" + fake.BitbucketUsername + "@" + strings.TrimPrefix(host, "http://") + "/" + fake.BitbucketWorkspace + "/" + slug + ".git"
	if got.FullName != fake.BitbucketWorkspace+"/"+slug || !got.Private || got.Project.Key != fake.BitbucketProjectKey ||
		len(got.Links.Clone) == 0 || got.Links.Clone[0].Name != "https" || got.Links.Clone[0].Href != wantClone {
		t.Errorf("created repository %+v; want clone link %s", got, wantClone)
	}
	a = apiSend(t, http.MethodPost, repo, email, fake.BitbucketTokenFull, create)
	if a.status != 400 || !strings.Contains(string(a.body), "Repository with this Slug and Owner already exists.") {
		t.Errorf("create again: %d %s", a.status, a.body)
	}
	if a := apiSend(t, http.MethodGet, repo, email, fake.BitbucketTokenFull, nil); a.status != 200 {
		t.Errorf("get: %d %s", a.status, a.body)
	}

	git := host + "/" + fake.BitbucketWorkspace + "/" + slug + ".git"
	for _, tc := range []struct {
		what, user, token, service string
		want                       int
	}{
		{"API token, static user name", "x-bitbucket-api-token-auth", fake.BitbucketTokenFull, "git-receive-pack", 200},
		{"API token, Bitbucket username", fake.BitbucketUsername, fake.BitbucketTokenFull, "git-upload-pack", 200},
		{"API token, account e-mail (refused by Git)", email, fake.BitbucketTokenFull, "git-upload-pack", 401},
		{"access token, x-token-auth", "x-token-auth", fake.BitbucketAccessToken, "git-receive-pack", 200},
		{"access token, other user name", "gitops-bot", fake.BitbucketAccessToken, "git-upload-pack", 401},
		{"push without write:repository", "x-bitbucket-api-token-auth", fake.BitbucketTokenNoWriteRepo, "git-receive-pack", 403},
		{"clone without write:repository", "x-bitbucket-api-token-auth", fake.BitbucketTokenNoWriteRepo, "git-upload-pack", 200},
		{"app password", fake.BitbucketUsername, fake.BitbucketAppPassword, "git-upload-pack", 401},
	} {
		if got := azbbGitStatus(t, git, tc.user, tc.token, tc.service); got != tc.want {
			t.Errorf("Git %s: HTTP %d, want %d", tc.what, got, tc.want)
		}
	}

	a = apiSend(t, http.MethodDelete, repo, email, fake.BitbucketTokenNoDeleteRepo, nil)
	if a.status != 403 || !strings.Contains(string(a.body), "delete:repository:bitbucket") {
		t.Errorf("delete without delete:repository: %d %s", a.status, a.body)
	}
	if a := apiSend(t, http.MethodDelete, repo, email, fake.BitbucketTokenFull, nil); a.status != http.StatusNoContent {
		t.Errorf("delete: %d %s", a.status, a.body)
	}
	if a := apiSend(t, http.MethodGet, repo, email, fake.BitbucketTokenFull, nil); a.status != 404 {
		t.Errorf("get after delete: %d %s", a.status, a.body)
	}
	if got := azbbGitStatus(t, git, "x-bitbucket-api-token-auth", fake.BitbucketTokenFull, "git-upload-pack"); got != 404 {
		t.Errorf("Git after delete: HTTP %d, want 404", got)
	}
	if slices.Contains(emu.Repos(providers.Bitbucket), slug) {
		t.Errorf("left behind: %v", emu.Repos(providers.Bitbucket))
	}
}
