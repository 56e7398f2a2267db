package providers_test

import (
	"context"
	"encoding/pem"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
	"gitopscfg/providers/giteatest"
)

// TestGiteaRealExistingFigures measures the existing-repository round trip against a real Gitea
// over HTTPS: a counting TLS proxy stands in front of it (the server's ROOT_URL names the proxy,
// so the API's clone URLs point at it too), trusted through the credential's CA bundle.
func TestGiteaRealExistingFigures(t *testing.T) {
	giteatest.Require(t)
	proxy := &countingProxy{}
	front := httptest.NewUnstartedServer(proxy)
	front.StartTLS()
	t.Cleanup(front.Close)
	srv := giteatest.Start(t, front.URL+"/")
	backend, _ := url.Parse(srv.Direct)
	proxy.next = &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(backend)
		r.Out.Host = r.In.Host
		r.Out.Header.Set("X-Forwarded-Proto", "https") // the client spoke HTTPS to the proxy
	}}
	srv.Setup(t)
	srv.CreateRepo(t, "gitops")
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: front.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	c := providers.Credentials{Provider: providers.Gitea, Settings: config.Settings{Host: front.URL + "/", Org: fake.GiteaOrg,
		Username: giteatest.Pusher, Token: srv.Token(t, giteatest.Pusher, "figures", giteaFull), CABundle: ca, Repo: fake.GiteaOrg + "/gitops"}}
	before := proxy.n.Load()
	if r := providers.Run(context.Background(), envWithTimeout(30*time.Second), c); !r.OK {
		t.Fatalf("the live check failed:%s", dumpResult(r))
	}
	live := proxy.n.Load() - before
	var took []time.Duration
	var reqs []int64
	var last providers.Result
	for range 5 {
		before := proxy.n.Load()
		t0 := time.Now()
		r := providers.RunDeep(context.Background(), envWithTimeout(60*time.Second), c, nil)
		took = append(took, time.Since(t0))
		reqs = append(reqs, proxy.n.Load()-before)
		if !r.OK {
			t.Fatalf("the round trip failed:%s", dumpResult(r))
		}
		last = r
	}
	sorted := slices.Clone(took)
	slices.Sort(sorted)
	t.Logf("FIGURE existing-repository round trip (live check included) against a real Gitea over HTTPS: median %v of 5 (all: %v), requests per run: %v",
		sorted[2].Round(time.Millisecond), took, reqs)
	t.Logf("FIGURE of which the live check alone makes %d requests; the stages of the last run:%s", live, dumpResult(last))
	if got := srv.Branches(t, "gitops"); !slices.Equal(got, []string{"main"}) {
		t.Errorf("branches afterwards: %v", got)
	}
}
