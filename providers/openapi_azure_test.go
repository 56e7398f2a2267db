package providers_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// Faithful emulators: every Azure DevOps REST request the product sends (live check and round
// trip, with a personal access token and with a service principal) and every answer the Azure
// DevOps emulator gives it are validated against Microsoft's description of the operation
// (testdata/openapi/azure, trimmed from MicrosoftDocs/vsts-rest-api-specs by its trim.go).
// Requests the description does not cover (connectionData, Git, Entra) pass unvalidated; every
// described operation must have been validated at least once.

// azureSpecRouters loads the trimmed descriptions, served at base.
func azureSpecRouters(t *testing.T, base string) []routers.Router {
	t.Helper()
	files, _ := filepath.Glob("testdata/openapi/azure/*.json")
	if len(files) == 0 {
		t.Fatal("no Azure DevOps description in testdata/openapi/azure")
	}
	var out []routers.Router
	for _, f := range files {
		out = append(out, specRouterV2(t, f, base))
	}
	return out
}

// specProxy stands in front of an emulator and validates each exchange a description covers.
type specProxy struct {
	t       *testing.T
	routers []routers.Router
	mu      sync.Mutex
	seen    map[string]int // operation id (else "METHOD path") → exchanges validated
	whose   string         // whose description it is, for the messages ("Microsoft's" unless set)
}

func (p *specProxy) ServeHTTP(w http.ResponseWriter, r *http.Request, next http.Handler) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	full := r.Clone(r.Context())
	full.URL = &url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	full.Body = io.NopCloser(bytes.NewReader(body))
	var route *routers.Route
	var params map[string]string
	for _, rt := range p.routers {
		if found, ps, err := rt.FindRoute(full); err == nil {
			route, params = found, ps
			break
		}
	}
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
	if route == nil {
		return
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}
	in := &openapi3filter.RequestValidationInput{Request: full, PathParams: params, Route: route, Options: opts}
	ctx := context.Background()
	what := route.Method + " " + route.Path
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
		p.t.Errorf("the product's %s does not follow %s description: %v", what, cmpOr(p.whose, "Microsoft's"), err)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.Code, Header: rec.Header(),
		Body: io.NopCloser(bytes.NewReader(rec.Body.Bytes())), Options: opts}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		p.t.Errorf("the emulator's answer %d to %s does not follow %s description: %v\n%s", rec.Code, what, cmpOr(p.whose, "Microsoft's"), err, rec.Body.Bytes())
	}
	p.mu.Lock()
	p.seen[cmpOr(route.Operation.OperationID, what)]++
	p.mu.Unlock()
}

func TestAzureExchangesFollowMicrosoftsDescription(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	target, _ := url.Parse(e.URL(providers.Azure))
	next := httputil.NewSingleHostReverseProxy(target)
	p := &specProxy{t: t, seen: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.ServeHTTP(w, r, next) }))
	t.Cleanup(srv.Close)
	p.routers = azureSpecRouters(t, srv.URL)
	via := func(c providers.Credentials) providers.Credentials {
		for _, s := range []*string{&c.Host, &c.APIURL, &c.AuthorityURL} {
			*s = strings.Replace(*s, e.URL(providers.Azure), srv.URL, 1)
		}
		return c
	}
	env := envWithTimeout(20 * time.Second)
	for _, c := range []providers.Credentials{
		via(e.DemoCredentials(providers.Azure)),
		via(e.ServicePrincipal(fake.AzureSPClientID, fake.AzureSPSecret)),
		via(e.Credentials(providers.Azure, fake.AzureTokenNoDelete)), // a refused DELETE
	} {
		r := providers.RunDeep(context.Background(), env, c, nil)
		if _, ok := r.Find(providers.CheckDeepCreate); !ok {
			t.Errorf("%s: no round trip: %s", c.CredentialKind(), dumpResult(r))
		}
	}
	for _, op := range []string{"Projects_Get", "Repositories_List", "Repositories_Create", "Repositories_Get Repository", "Repositories_Delete"} {
		if p.seen[op] == 0 {
			t.Errorf("no exchange of %s was validated (seen: %v)", op, p.seen)
		}
	}
}
