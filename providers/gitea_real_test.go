package providers_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
	"gitopscfg/providers/giteatest"
)

// The real-server suite: a throw-away Gitea 1.27.3 (built once and cached by .ci/gitea.sh; see
// providers/giteatest) on loopback, set up with the users, organisation, teams and tokens of the
// Gitea scenarios. It runs only with GITOPSCFG_GITEA=1 (make test-gitea), so `make test` stays fast.

// giteaServer is one running instance with a token per scenario.
type giteaServer struct {
	*giteatest.Server
	tokens map[string]string
}

// scenariosOn sets up the scenarios' users, organisation, teams and tokens on a running instance.
func scenariosOn(t *testing.T, srv *giteatest.Server) *giteaServer {
	t.Helper()
	g := &giteaServer{Server: srv, tokens: map[string]string{}}
	g.Setup(t)
	for i, sc := range giteaScenarios {
		name := fmt.Sprintf("scenario-%d", i)
		g.tokens[sc.name] = g.Token(t, sc.user, name, sc.scopes)
		if sc.deleted {
			g.DeleteToken(t, sc.user, name)
		}
	}
	return g
}

func (g *giteaServer) target() giteaTarget {
	return giteaTarget{
		host:  g.URL,
		token: func(_ *testing.T, sc giteaScenario) string { return g.tokens[sc.name] },
		repos: func(t *testing.T) []string { return g.Repos(t) },
	}
}

// TestGiteaReal runs the scenarios against a real Gitea and requires the emulator to give the
// same status for every check id of every scenario.
func TestGiteaReal(t *testing.T) {
	giteatest.Require(t)
	g := scenariosOn(t, giteatest.Start(t, ""))
	var real, emulated map[string]map[string]providers.Status
	t.Run("real", func(t *testing.T) { real = runGiteaScenarios(t, g.target()) })
	t.Run("emulator", func(t *testing.T) {
		emu := kit.Emulators(t, fake.Options{})
		emulated = runGiteaScenarios(t, giteaTarget{
			host:  emu.URL(providers.Gitea) + "/",
			token: func(_ *testing.T, sc giteaScenario) string { return sc.emuToken },
			repos: func(t *testing.T) []string {
				return giteaListRepos(t, emu.URL(providers.Gitea)+"/", fake.GiteaTokenFull)
			},
		})
	})
	t.Run("parity", func(t *testing.T) {
		if len(real) != len(giteaScenarios) || len(emulated) != len(giteaScenarios) {
			t.Fatalf("scenarios run: %d real, %d emulated, want %d", len(real), len(emulated), len(giteaScenarios))
		}
		for _, sc := range giteaScenarios {
			ids := map[string]bool{}
			for id := range real[sc.name] {
				ids[id] = true
			}
			for id := range emulated[sc.name] {
				ids[id] = true
			}
			for id := range ids {
				if r, e := real[sc.name][id], emulated[sc.name][id]; r != e {
					t.Errorf("%s: %s is %q on the real server, %q on the emulator: an emulator bug", sc.name, id, r, e)
				}
			}
		}
	})
	if left := g.Repos(t); len(left) > 0 {
		t.Errorf("the real server holds repositories after the scenarios: %v", left)
	}
}

// countingProxy forwards to target and counts the requests it forwards.
type countingProxy struct {
	n    atomic.Int64
	next *httputil.ReverseProxy
}

func (p *countingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.n.Add(1)
	p.next.ServeHTTP(w, r)
}

// countedGitea starts a real Gitea behind a counting plain-HTTP proxy on loopback; the server's
// ROOT_URL names the proxy (proxyURL), so the API's clone URLs point at it too.
func countedGitea(t *testing.T) (srv *giteatest.Server, proxyURL string, proxy *countingProxy) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	proxyURL = "http://" + ln.Addr().String() + "/"
	proxy = &countingProxy{}
	front := &http.Server{Handler: proxy, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = front.Serve(ln) }()
	t.Cleanup(func() { _ = front.Close() })
	srv = giteatest.Start(t, proxyURL)
	backend, _ := url.Parse(srv.Direct)
	proxy.next = httputil.NewSingleHostReverseProxy(backend)
	return srv, proxyURL, proxy
}

// TestGiteaRealFigures measures the live check and the round trip against a real Gitea through a
// counting proxy (the server's ROOT_URL names the proxy, so clone URLs point at it too).
func TestGiteaRealFigures(t *testing.T) {
	giteatest.Require(t)
	srvG, proxyURL, proxy := countedGitea(t)
	g := scenariosOn(t, srvG)
	c := providers.Credentials{Provider: providers.Gitea, Settings: config.Settings{Host: proxyURL, Org: fake.GiteaOrg, Username: fake.GiteaUser, Token: g.tokens[giteaScenarios[0].name]}}
	measure := func(name string, n int, run func() providers.Result) {
		var took []time.Duration
		var reqs []int64
		for range n {
			before := proxy.n.Load()
			t0 := time.Now()
			r := run()
			took = append(took, time.Since(t0))
			reqs = append(reqs, proxy.n.Load()-before)
			if !r.OK {
				t.Fatalf("%s failed:%s", name, dumpResult(r))
			}
		}
		sorted := slices.Clone(took)
		slices.Sort(sorted)
		t.Logf("FIGURE %s against a real Gitea: median %v of %d (all: %v), requests per run: %v", name,
			sorted[len(sorted)/2].Round(time.Millisecond), n, took, reqs)
	}
	measure("live check", 5, func() providers.Result { return providers.Run(context.Background(), envWithTimeout(30*time.Second), c) })
	measure("round trip", 5, func() providers.Result {
		return providers.RunDeep(context.Background(), envWithTimeout(60*time.Second), c, nil)
	})
	if left := g.Repos(t); len(left) > 0 {
		t.Errorf("repositories left behind: %v", left)
	}
	// The existing-repository mode on the same plain-HTTP proxy, for comparison with the above.
	g.CreateRepo(t, "gitops")
	existing := providers.Credentials{Provider: providers.Gitea, Settings: config.Settings{Host: proxyURL, Org: fake.GiteaOrg,
		Username: giteatest.Pusher, Token: g.Token(t, giteatest.Pusher, "figures", giteaFull), Repo: fake.GiteaOrg + "/gitops"}}
	measure("existing-repository round trip (plain http)", 5, func() providers.Result {
		return providers.RunDeep(context.Background(), envWithTimeout(60*time.Second), existing, nil)
	})
}

// The emulator and giteatest.Setup know the same users and organisation, so one scenario table
// serves both.
func TestGiteaEmulatorAndRealServerShareNames(t *testing.T) {
	emu := []string{fake.GiteaOrg, fake.GiteaUser, fake.GiteaDeployer, fake.GiteaViewer, fake.GiteaOutsider, fake.GiteaAdmin, fake.GiteaPusher}
	real := []string{giteatest.Org, giteatest.Owner, giteatest.Deployer, giteatest.Viewer, giteatest.Outsider, giteatest.Admin, giteatest.Pusher}
	if !slices.Equal(emu, real) {
		t.Errorf("emulator %v, real server %v", emu, real)
	}
}
