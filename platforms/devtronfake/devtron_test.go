package devtronfake

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

type reply struct {
	status int
	header http.Header
	body   string
}

func call(t *testing.T, s *Server, method, path, token, body string) reply {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("token", token)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, string(b)}
}

func start(t *testing.T, o Options) *Server {
	t.Helper()
	s, err := Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

const gh = `{"provider":"GITHUB","username":"octocat","token":"ghp_x000","gitHubOrgId":"acme","host":"https://github.com/","active":true,"tlsConfig":{}}`

func TestAuthenticatorAnswers(t *testing.T) {
	s := start(t, Options{})
	if r := call(t, s, "GET", "/orchestrator/gitops/config", "", ""); r.status != 401 || strings.TrimSpace(r.body) != `{"code":401,"result":"UN-AUTHENTICATED"}` {
		t.Errorf("no token: %d %s", r.status, r.body)
	}
	r := call(t, s, "GET", "/orchestrator/gitops/config", "bad-token-123", "")
	if r.status != 401 || strings.TrimSpace(r.body) != `{"code":401,"result":"Unauthorized"}` || !strings.Contains(r.header.Get("Set-Cookie"), "argocd.token=bad-token-123") {
		t.Errorf("bad token: %d %s %v", r.status, r.body, r.header)
	}
	// Authentication comes before routing: an unknown path without a token is 401 too.
	if r := call(t, s, "GET", "/nowhere", "", ""); r.status != 401 {
		t.Errorf("unknown path, no token: %d", r.status)
	}
	r = call(t, s, "GET", "/orchestrator/gitops/config", ViewerToken, "")
	if r.status != 403 || !strings.Contains(r.body, `"userMessage":"unauthorized"`) || !strings.Contains(r.body, `"code":"000"`) {
		t.Errorf("viewer: %d %s", r.status, r.body)
	}
	if r := call(t, s, "GET", "/orchestrator/gitops/configured", ViewerToken, ""); r.status != 200 || !strings.Contains(r.body, `"exists":false`) {
		t.Errorf("configured needs no permission: %d %s", r.status, r.body)
	}
}

func TestRouterQuirks(t *testing.T) {
	s := start(t, Options{})
	if r := call(t, s, "DELETE", "/orchestrator/gitops/config", SuperAdminToken, ""); r.status != 405 || r.body != "" {
		t.Errorf("wrong method: %d %q", r.status, r.body)
	}
	if r := call(t, s, "POST", "/orchestrator/gitops/config/", SuperAdminToken, gh); r.status != 301 || r.header.Get("Location") != "/orchestrator/gitops/config" {
		t.Errorf("trailing slash: %d %v", r.status, r.header)
	}
	if r := call(t, s, "GET", "/orchestrator/gitops/nothing", SuperAdminToken, ""); r.status != 404 || r.body != "404 page not found\n" {
		t.Errorf("unknown path: %d %q", r.status, r.body)
	}
	if r := call(t, s, "GET", "/orchestrator/gitops/config-by-provider", SuperAdminToken, ""); r.status != 404 {
		t.Errorf("by-provider without the query: %d", r.status)
	}
	if r := call(t, s, "GET", "/orchestrator/gitops/config/abc", SuperAdminToken, ""); r.status != 400 {
		t.Errorf("non-numeric id: %d", r.status)
	}
}

func TestCreateReadAndTheirQuirks(t *testing.T) {
	s := start(t, Options{})
	r := call(t, s, "GET", "/orchestrator/gitops/config-by-provider?provider=GITHUB", SuperAdminToken, "")
	if r.status != 404 || !strings.Contains(r.body, `"code":"11006"`) {
		t.Errorf("absent: %d %s", r.status, r.body)
	}
	r = call(t, s, "POST", "/orchestrator/gitops/config", SuperAdminToken, gh)
	var env struct {
		Code   int
		Status string
		Result struct {
			SuccessfulStages []string
			StageErrorMap    map[string]string
		}
	}
	if r.status != 200 || json.Unmarshal([]byte(r.body), &env) != nil || env.Code != 200 || env.Status != "OK" || len(env.Result.StageErrorMap) != 0 || len(env.Result.SuccessfulStages) != len(Stages) {
		t.Errorf("create: %d %s", r.status, r.body)
	}
	if r = call(t, s, "POST", "/orchestrator/gitops/config", SuperAdminToken, gh); r.status != 409 || !strings.Contains(r.body, "gitops provider already exists") {
		t.Errorf("duplicate: %d %s", r.status, r.body)
	}
	// Plaintext token by provider and by id; masked in the list; the provider name is exact.
	if r = call(t, s, "GET", "/orchestrator/gitops/config-by-provider?provider=GITHUB", SuperAdminToken, ""); !strings.Contains(r.body, `"token":"ghp_x000"`) || !strings.Contains(r.body, `"id":1`) {
		t.Errorf("by provider: %s", r.body)
	}
	if r = call(t, s, "GET", "/orchestrator/gitops/config/1", SuperAdminToken, ""); !strings.Contains(r.body, `"token":"ghp_x000"`) {
		t.Errorf("by id: %s", r.body)
	}
	if r = call(t, s, "GET", "/orchestrator/gitops/config", SuperAdminToken, ""); strings.Contains(r.body, "ghp_x000") || !strings.Contains(r.body, `"token":""`) {
		t.Errorf("list: %s", r.body)
	}
	if r = call(t, s, "GET", "/orchestrator/gitops/config-by-provider?provider=github", SuperAdminToken, ""); r.status != 404 {
		t.Errorf("lower-case provider: %d", r.status)
	}
	if r = call(t, s, "POST", "/orchestrator/gitops/config", SuperAdminToken, `{"provider":"GITEA","token":"x"}`); r.status != 400 {
		t.Errorf("unknown provider: %d %s", r.status, r.body)
	}
}

func TestWritePitfalls(t *testing.T) {
	s := start(t, Options{})
	// POST with an empty token skips validation and saves.
	r := call(t, s, "POST", "/orchestrator/gitops/config", SuperAdminToken, `{"provider":"GITLAB","host":"https://gitlab.com/","gitLabGroupId":"acme/gitops","token":"","tlsConfig":{}}`)
	if r.status != 200 || !strings.Contains(r.body, `"stageErrorMap":null`) || len(s.Rows()) != 1 || s.Rows()[0].Token != "" {
		t.Errorf("empty token POST: %d %s %+v", r.status, r.body, s.Rows())
	}
	// A group path fails Create Repo with strconv.Atoi.
	r = call(t, s, "POST", "/orchestrator/gitops/config", SuperAdminToken, gh)
	if r.status != 200 {
		t.Fatal(r.body)
	}
	r = call(t, s, "PUT", "/orchestrator/gitops/config", SuperAdminToken, `{"id":1,"provider":"GITLAB","host":"https://gitlab.com/","gitLabGroupId":"acme/gitops","token":"glpat-x","active":true,"tlsConfig":{}}`)
	if !strings.Contains(r.body, `strconv.Atoi: parsing \"acme/gitops\"`) {
		t.Errorf("group path: %s", r.body)
	}
	// PUT with an empty token takes the token of the body's provider, not of the id.
	r = call(t, s, "PUT", "/orchestrator/gitops/config", SuperAdminToken, `{"id":1,"provider":"GITHUB","host":"https://gitlab.com/","gitLabGroupId":"5","token":"","active":true,"tlsConfig":{}}`)
	if r.status != 200 || s.Rows()[0].Token != "ghp_x000" {
		t.Errorf("empty token PUT: %d %s %+v", r.status, r.body, s.Rows()[0])
	}
	// PUT with an unknown id validates, then fails 500.
	before := len(s.Requests())
	r = call(t, s, "PUT", "/orchestrator/gitops/config", SuperAdminToken, `{"id":99,"provider":"GITHUB","gitHubOrgId":"acme","host":"https://github.com/","token":"ghp_y","active":true,"tlsConfig":{}}`)
	if r.status != 500 || !strings.Contains(r.body, "gitops config update failed, does not exist") || len(s.Requests()) != before+1 {
		t.Errorf("unknown id: %d %s", r.status, r.body)
	}
	// enableTLSVerification with a null tlsConfig crashes the handler (Recovery answers).
	r = call(t, s, "POST", "/orchestrator/gitops/config", SuperAdminToken, `{"provider":"AZURE_DEVOPS","token":"x","enableTLSVerification":true,"tlsConfig":null}`)
	if r.status != 500 || r.body != `{"error":"internal server error"}` {
		t.Errorf("null tlsConfig: %d %s", r.status, r.body)
	}
	// TLS on with nothing at all: 412.
	r = call(t, s, "POST", "/orchestrator/gitops/config", SuperAdminToken, `{"provider":"AZURE_DEVOPS","token":"x","enableTLSVerification":true,"tlsConfig":{"caData":"PEM"},"isCADataPresent":false}`)
	if r.status != 412 {
		t.Errorf("incoherent TLS: %d %s", r.status, r.body)
	}
	// active:false on the active row leaves nothing active.
	s = start(t, Options{})
	call(t, s, "POST", "/orchestrator/gitops/config", SuperAdminToken, gh)
	id := s.Rows()[0].ID
	call(t, s, "PUT", "/orchestrator/gitops/config", SuperAdminToken, strings.Replace(strings.Replace(gh, `"active":true`, `"active":false`, 1), `{`, `{"id":`+itoa(id)+`,`, 1))
	for _, row := range s.Rows() {
		if row.Active {
			t.Errorf("%s still active", row.Provider)
		}
	}
	// With nothing active, active:false is a 500.
	r = call(t, s, "PUT", "/orchestrator/gitops/config", SuperAdminToken, strings.Replace(strings.Replace(gh, `"active":true`, `"active":false`, 1), `{`, `{"id":`+itoa(id)+`,`, 1))
	if r.status != 500 || !strings.Contains(r.body, "no active config found") {
		t.Errorf("none active: %d %s", r.status, r.body)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
