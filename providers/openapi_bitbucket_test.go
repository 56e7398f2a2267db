package providers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// Faithful emulators: the requests the product sends to Bitbucket Cloud (the live check's, the
// round trip's repository lifecycle, and the SSH keys': GET /user for the account's UUID, POST and
// DELETE /users/{selected_user}/ssh-keys) and the Bitbucket emulator's answers to them (for keys:
// one added, the same key refused while held and after its deletion, one deleted, an unknown one)
// are validated against Atlassian's description (testdata/openapi/bitbucket, trimmed from
// swagger.v3.json by testdata/openapi/trim, whose bitbucket.go lists the corrections it makes and the evidence for each).
// The validating proxy is openapi_azure_test.go's specProxy.

// specRouterV3 loads an OpenAPI 3 description, served at base.
func specRouterV3(t *testing.T, file, base string) routers.Router {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile(file)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return specRouter(t, file, doc, base)
}

// specRouter validates the description doc (read from file) served at base and routes requests
// to its operations.
func specRouter(t *testing.T, file string, doc *openapi3.T, base string) routers.Router {
	t.Helper()
	doc.Servers = openapi3.Servers{{URL: base}}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	r, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return r
}

// validatedEmulator serves emulator id of e behind a specProxy validating against whose
// description, rs (built for the proxy's URL), and returns the proxy and how to point credentials
// at it.
func validatedEmulator(t *testing.T, e *fake.Emulators, id providers.ID, whose string, rs func(base string) []routers.Router) (
	*specProxy, func(providers.Credentials) providers.Credentials) {
	t.Helper()
	target, _ := url.Parse(e.URL(id))
	next := httputil.NewSingleHostReverseProxy(target)
	p := &specProxy{t: t, seen: map[string]int{}, whose: whose}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.ServeHTTP(w, r, next) }))
	t.Cleanup(srv.Close)
	p.routers = rs(srv.URL)
	return p, func(c providers.Credentials) providers.Credentials {
		c.Host = strings.Replace(c.Host, e.URL(id), srv.URL, 1)
		c.APIURL = strings.Replace(c.APIURL, e.URL(id), srv.URL, 1)
		return c
	}
}

func TestBitbucketKeyExchangesFollowAtlassiansDescription(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	p, via := validatedEmulator(t, e, providers.Bitbucket, "Atlassian's", func(base string) []routers.Router {
		return []routers.Router{specRouterV3(t, "testdata/openapi/bitbucket/swagger.v3.trimmed.json", base+"/2.0")}
	})
	c := via(withNewKey(e.Credentials(providers.Bitbucket, fake.BitbucketTokenSSHKeys), ""))
	ref, _, err := register(t, c)
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	if _, _, err := register(t, c); err == nil || !strings.Contains(err.Error(), "holds this public key already") {
		t.Errorf("the same key again: %v", err)
	}
	for range 2 { // the key, then a key Bitbucket no longer has (404, which unregister accepts)
		if err := unregister(t, c, ref); err != nil {
			t.Errorf("unregister %s: %v", ref, err)
		}
	}
	if _, _, err := register(t, c); err == nil || !strings.Contains(err.Error(), "keeps a deleted key") {
		t.Errorf("the deleted key again: %v", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, op := range []string{"GET /user", "POST /users/{selected_user}/ssh-keys", "DELETE /users/{selected_user}/ssh-keys/{key_id}"} {
		if p.seen[op] == 0 {
			t.Errorf("no exchange of %s was validated (seen: %v)", op, p.seen)
		}
	}
}

// The live check with tokens of each kind and the round trip's repository lifecycle: every
// request the product sends to Bitbucket and every answer of the emulator that Atlassian's
// description covers is validated.
func TestBitbucketExchangesFollowAtlassiansDescription(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	p, via := validatedEmulator(t, e, providers.Bitbucket, "Atlassian's", func(base string) []routers.Router {
		return []routers.Router{specRouterV3(t, "testdata/openapi/bitbucket/swagger.v3.trimmed.json", base+"/2.0")}
	})
	env := envWithTimeout(20 * time.Second)
	for _, tok := range []string{fake.BitbucketTokenNoReadRepo, fake.BitbucketTokenMember, fake.BitbucketTokenNoReadWorkspace,
		fake.BitbucketTokenNoReadProject, fake.BitbucketTokenExpired, fake.BitbucketAccessToken} {
		providers.Run(context.Background(), env, via(e.Credentials(providers.Bitbucket, tok)))
	}
	for _, key := range []string{fake.BitbucketProjectKey, ""} { // a project named, or the workspace's first
		c := via(e.DemoCredentials(providers.Bitbucket))
		c.ProjectKey = key
		r := providers.RunDeep(context.Background(), env, c, nil)
		if _, ok := r.Find(providers.CheckDeepCreate); !ok {
			t.Errorf("project %q: no round trip: %s", key, dumpResult(r))
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, op := range []string{"GET /user", "GET /user/workspaces", "GET /workspaces/{workspace}",
		"GET /workspaces/{workspace}/projects", "GET /workspaces/{workspace}/projects/{project_key}",
		"GET /repositories/{workspace}", "POST /repositories/{workspace}/{repo_slug}",
		"GET /repositories/{workspace}/{repo_slug}", "DELETE /repositories/{workspace}/{repo_slug}"} {
		if p.seen[op] == 0 {
			t.Errorf("no exchange of %s was validated (seen: %v)", op, p.seen)
		}
	}
}
