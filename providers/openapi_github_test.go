package providers_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"gitopscfg/config"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// The faithful-emulator test: every request the product sends to GitHub, and every answer the
// GitHub emulator gives, is validated against GitHub's official OpenAPI description (trimmed to
// the operations the product uses: testdata/openapi/github, with the script that trims it).

// openAPIValidator validates the traffic through it against an OpenAPI description.
type openAPIValidator struct {
	next   http.Handler
	router routers.Router
	base   string // scheme and host the router's server URL names

	mu       sync.Mutex
	problems []string
	seen     map[string]bool // operation ids exercised
}

func (v *openAPIValidator) problem(format string, a ...any) {
	msg, _, _ := strings.Cut(fmt.Sprintf(format, a...), "\n") // the problem, not the schema it dumps
	v.mu.Lock()
	defer v.mu.Unlock()
	v.problems = append(v.problems, msg)
}

func (v *openAPIValidator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	probe := r.Clone(r.Context())
	probe.URL.Scheme, probe.URL.Host = "http", strings.TrimPrefix(v.base, "http://")
	probe.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := v.router.FindRoute(probe)
	rec := httptest.NewRecorder()
	v.next.ServeHTTP(rec, r)
	for k, vals := range rec.Header() {
		w.Header()[k] = vals
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
	what := r.Method + " " + r.URL.Path
	if err != nil {
		v.problem("%s: the product sent a request no operation of the description matches: %v", what, err)
		return
	}
	v.mu.Lock()
	v.seen[route.Operation.OperationID] = true
	v.mu.Unlock()
	in := &openapi3filter.RequestValidationInput{Request: probe, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		v.problem("%s: the request does not follow %s: %v", what, route.Operation.OperationID, err)
	}
	// An answer whose status the description does not list (GitHub documents few of its 404s)
	// is not validated; the others must match their documented schema.
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.Code, Header: rec.Header(),
		Body: io.NopCloser(bytes.NewReader(rec.Body.Bytes())), Options: &openapi3filter.Options{IncludeResponseStatus: false}}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		v.problem("%s: the emulator's answer %d does not follow %s: %v", what, rec.Code, route.Operation.OperationID, err)
	}
}

// gitHubValidated serves the GitHub emulator behind an OpenAPI validator.
func gitHubValidated(t *testing.T) (*openAPIValidator, string) {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile("testdata/openapi/github/api.github.com.trimmed.json")
	if err != nil {
		t.Fatalf("load GitHub's description: %v", err)
	}
	v := &openAPIValidator{next: fake.GitHubHandler(), seen: map[string]bool{}}
	srv := httptest.NewServer(v)
	t.Cleanup(srv.Close)
	v.base = srv.URL
	doc.Servers = openapi3.Servers{{URL: srv.URL + "/api/v3"}}
	if v.router, err = gorillamux.NewRouter(doc); err != nil {
		t.Fatalf("route GitHub's description: %v", err)
	}
	return v, srv.URL
}

func TestGitHubTrafficMatchesOpenAPI(t *testing.T) {
	t.Parallel()
	v, base := gitHubValidated(t)
	env := envWithTimeout(10 * time.Second)
	creds := func(tok string) providers.Credentials {
		return providers.Credentials{Provider: providers.GitHub, Settings: config.Settings{Host: base + "/", APIURL: base + "/api/v3",
			Org: fake.GitHubOrg, Username: fake.GitHubUser, Token: tok}}
	}
	for _, tok := range []string{fake.GitHubTokenFull, fake.GitHubTokenFineGrained, fake.GitHubTokenNotMember, fake.GitHubTokenRevoked} {
		providers.Run(context.Background(), env, creds(tok))
	}
	// The round trip's repository lifecycle through the API (the bare handler serves no Git); the
	// repository is there while the Apps list theirs.
	api, failed := providers.NewRepoAPI(env, creds(fake.GitHubTokenFull))
	if failed != nil {
		t.Fatalf("repository API: %+v", failed)
	}
	ctx := context.Background()
	repo, err := api.Create(ctx, "gitopscfg-check-openapi")
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if _, _, err := api.Find(ctx, repo.ID); err != nil {
		t.Fatalf("find: %v", err)
	}
	for _, app := range []struct{ id, installation, key string }{
		{fake.GitHubAppFull, "", fake.GitHubAppKey()},
		{fake.GitHubAppFull, fake.GitHubAppInstallation(fake.GitHubAppFull, fake.GitHubOrg), fake.GitHubAppKey()},
		{fake.GitHubAppSelected, "", fake.GitHubAppKey()},
		{fake.GitHubAppSuspended, "", fake.GitHubAppKey()},
		{fake.GitHubAppSuspendedUnseen, "", fake.GitHubAppKey()},
		{fake.GitHubAppNotInstalled, "", fake.GitHubAppKey()},
		{fake.GitHubAppFull, "", fake.GitHubAppOtherKey()},
	} {
		c := creds(app.key)
		c.Username, c.Kind, c.AppID, c.InstallationID = "", config.CredentialGitHubApp, app.id, app.installation
		providers.Run(context.Background(), env, c)
	}
	if err := api.Delete(ctx, repo); err != nil {
		t.Fatalf("delete: %v", err)
	}

	v.mu.Lock()
	defer v.mu.Unlock()
	slices.Sort(v.problems)
	for _, p := range slices.Compact(v.problems) {
		t.Error(p)
	}
	for _, op := range []string{"users/get-authenticated", "orgs/get", "orgs/get-membership-for-authenticated-user",
		"repos/create-in-org", "repos/get", "repos/delete", "apps/get-authenticated", "apps/get-org-installation",
		"apps/get-installation", "apps/create-installation-access-token", "apps/list-repos-accessible-to-installation",
		"apps/revoke-installation-access-token"} {
		if !v.seen[op] {
			t.Errorf("operation %s was not exercised", op)
		}
	}
}
