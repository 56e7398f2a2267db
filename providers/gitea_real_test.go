package providers_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// The real-server suite: a throw-away Gitea 1.27.3 (built once and cached by .ci/gitea.sh) on
// loopback, set up with the users, organisation, teams and tokens of the Gitea scenarios. It runs
// only with GITOPSCFG_GITEA=1 (make test-gitea), so `make test` stays fast.

const giteaPassword = "gitopscfg-Passw0rd!"

// giteaServer is one running instance.
type giteaServer struct {
	dir, url string
	script   string
	admin    string // a site administrator's token (write:admin, write:organization, write:repository, write:user)
	tokens   map[string]string
}

func requireRealGitea(t *testing.T) {
	t.Helper()
	if os.Getenv("GITOPSCFG_GITEA") == "" {
		t.Skip("the real-server suite runs with GITOPSCFG_GITEA=1 (make test-gitea)")
	}
}

// startGitea starts an instance with .ci/gitea.sh and stops it (by its PID) when t ends;
// rootURL, if not empty, is the ROOT_URL it names in its answers.
func startGitea(t *testing.T, rootURL string) *giteaServer {
	t.Helper()
	script, err := filepath.Abs("../.ci/gitea.sh")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command(script, "start", dir)
	cmd.Env = append(os.Environ(), "GITEA_ROOT_URL="+rootURL)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("start Gitea: %v\n%s", err, stderr.String())
	}
	g := &giteaServer{dir: dir, script: script, tokens: map[string]string{}}
	t.Cleanup(func() {
		if out, err := exec.Command(script, "stop", dir).CombinedOutput(); err != nil {
			t.Errorf("stop Gitea: %v\n%s", err, out)
		}
	})
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "URL="); ok {
			g.url = v
		}
	}
	if g.url == "" {
		t.Fatalf("start Gitea: no URL in %q", out)
	}
	return g
}

// cli runs the instance's admin command line and returns its last line of output.
func (g *giteaServer) cli(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(g.script, append([]string{"cli", g.dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("gitea %s: %v\n%s", args[0:3], err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// api sends one setup request with the admin token (or, with user set, Basic auth as that user).
func (g *giteaServer) api(t *testing.T, method, path, user string, body any, want int) []byte {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, g.url+"api/v1"+path, rd)
	if user != "" {
		req.SetBasicAuth(user, giteaPassword)
	} else {
		req.Header.Set("Authorization", "token "+g.admin)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: HTTP %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
	return raw
}

// setUp creates what the scenarios need: a site administrator, the users, organisation acme
// (private, owned by jdoe) with teams deployers (may create repositories) and readers (may not),
// and one token per scenario.
func (g *giteaServer) setUp(t *testing.T) {
	t.Helper()
	g.cli(t, "admin", "user", "create", "--username", fake.GiteaAdmin, "--password", giteaPassword, "--email", "admin@example.com",
		"--admin", "--must-change-password=false")
	for _, u := range []string{fake.GiteaUser, fake.GiteaDeployer, fake.GiteaViewer, fake.GiteaOutsider} {
		g.cli(t, "admin", "user", "create", "--username", u, "--password", giteaPassword, "--email", u+"@example.com",
			"--must-change-password=false")
	}
	g.admin = g.cli(t, "admin", "user", "generate-access-token", "--username", fake.GiteaAdmin, "--token-name", "setup",
		"--scopes", "write:admin,write:organization,write:repository,write:user", "--raw")
	g.api(t, http.MethodPost, "/admin/users/"+fake.GiteaUser+"/orgs", "", map[string]any{"username": fake.GiteaOrg, "visibility": "private"},
		http.StatusCreated)
	for _, team := range []struct {
		name, perm, member string
		create             bool
	}{{"deployers", "write", fake.GiteaDeployer, true}, {"readers", "read", fake.GiteaViewer, false}} {
		raw := g.api(t, http.MethodPost, "/orgs/"+fake.GiteaOrg+"/teams", "", map[string]any{"name": team.name, "permission": team.perm,
			"can_create_org_repo": team.create, "includes_all_repositories": true, "units": []string{"repo.code"}}, http.StatusCreated)
		var created struct {
			ID int64 `json:"id"`
		}
		_ = json.Unmarshal(raw, &created)
		g.api(t, http.MethodPut, fmt.Sprintf("/teams/%d/members/%s", created.ID, team.member), "", nil, http.StatusNoContent)
	}
	for i, sc := range giteaScenarios {
		name := fmt.Sprintf("scenario-%d", i)
		tok := g.cli(t, "admin", "user", "generate-access-token", "--username", sc.user, "--token-name", name, "--scopes", sc.scopes, "--raw")
		if len(tok) != 40 {
			t.Fatalf("token of %q: %d characters, want 40", sc.name, len(tok))
		}
		if sc.deleted {
			g.api(t, http.MethodDelete, "/users/"+sc.user+"/tokens/"+name, sc.user, nil, http.StatusNoContent)
		}
		g.tokens[sc.name] = tok
	}
}

func (g *giteaServer) target() giteaTarget {
	return giteaTarget{
		host:  g.url,
		token: func(_ *testing.T, sc giteaScenario) string { return g.tokens[sc.name] },
		repos: func(t *testing.T) []string { return giteaListRepos(t, g.url, g.admin) },
	}
}

// TestGiteaReal runs the scenarios against a real Gitea and requires the emulator to give the
// same status for every check id of every scenario.
func TestGiteaReal(t *testing.T) {
	requireRealGitea(t)
	g := startGitea(t, "")
	g.setUp(t)
	var real, emulated map[string]map[string]providers.Status
	t.Run("real", func(t *testing.T) { real = runGiteaScenarios(t, g.target()) })
	t.Run("emulator", func(t *testing.T) {
		emu := startEmulators(t, fake.Options{})
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
	if left := giteaListRepos(t, g.url, g.admin); len(left) > 0 {
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

// TestGiteaRealFigures measures the live check and the round trip against a real Gitea through a
// counting proxy (the server's ROOT_URL names the proxy, so clone URLs point at it too).
func TestGiteaRealFigures(t *testing.T) {
	requireRealGitea(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	proxyURL := "http://" + ln.Addr().String() + "/"
	proxy := &countingProxy{}
	srv := &http.Server{Handler: proxy, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	g := startGitea(t, proxyURL)
	backend, _ := url.Parse(g.url)
	proxy.next = httputil.NewSingleHostReverseProxy(backend)
	g.url = proxyURL
	g.setUp(t)
	c := providers.Credentials{Provider: providers.Gitea, Host: proxyURL, Org: fake.GiteaOrg, Username: fake.GiteaUser,
		Token: g.tokens[giteaScenarios[0].name]}
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
	if left := giteaListRepos(t, g.url, g.admin); len(left) > 0 {
		t.Errorf("repositories left behind: %v", left)
	}
}
