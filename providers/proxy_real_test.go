package providers_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/providers"
	"gitopscfg/providers/corpnettest"
	"gitopscfg/providers/fake"
	"gitopscfg/providers/giteatest"
)

// The real forward proxy: Debian's tinyproxy in front of the real Gitea. The live check and the
// round trip pass through it; its log shows it read only CONNECT request lines, never the token;
// each refusal (credentials wanted, credentials refused with tinyproxy's 401, tunnel refused)
// is named. Runs with GITOPSCFG_GITEA=1 (make test-gitea).
func TestGiteaRealThroughTinyproxy(t *testing.T) {
	giteatest.Require(t)
	srv := giteatest.Start(t, "")
	srv.Setup(t)
	tok := srv.Token(t, fake.GiteaUser, "proxy", giteaFull)
	creds := func(proxy, user, password string) providers.Credentials {
		return providers.Credentials{Provider: providers.Gitea, Settings: config.Settings{Host: srv.URL, Org: fake.GiteaOrg,
			Username: fake.GiteaUser, Token: tok, Proxy: proxy, ProxyUsername: user, ProxyPassword: password}}
	}
	giteaAddr := strings.TrimSuffix(strings.TrimPrefix(srv.URL, "http://"), "/")

	t.Run("open proxy", func(t *testing.T) {
		px := corpnettest.StartTinyproxy(t, corpnettest.TinyproxyOptions{})
		c := creds(px.URL, "", "")
		if r := providers.RunDeep(context.Background(), envWithTimeout(60*time.Second), c, nil); !r.OK || r.Proxy == nil || *r.Proxy != px.URL {
			t.Fatalf("round trip through tinyproxy: proxy %v%s", r.Proxy, dumpResult(r))
		}
		requireOnlyTunnels(t, px, giteaAddr, tok)
	})
	t.Run("proxy with Basic authentication", func(t *testing.T) {
		px := corpnettest.StartTinyproxy(t, corpnettest.TinyproxyOptions{User: "alice", Password: "Tiny-s3cret"})
		if r := providers.RunDeep(context.Background(), envWithTimeout(60*time.Second), creds(px.URL, "alice", "Tiny-s3cret"), nil); !r.OK {
			t.Fatalf("round trip with the proxy's credentials:%s", dumpResult(r))
		}
		requireOnlyTunnels(t, px, giteaAddr, tok)
		for _, c := range []struct {
			name, user, password, want string
		}{
			{"no credentials", "", "", "wants credentials (407 Proxy Authentication Required)"},
			{"wrong password", "alice", "wrong-password", "refused the credentials of alice (401 Unauthorized)"},
		} {
			r := providers.Run(context.Background(), envWithTimeout(15*time.Second), creds(px.URL, c.user, c.password))
			net, _ := r.Find(providers.CheckNetwork)
			if r.OK || !strings.Contains(net.Message, "the proxy "+px.Addr+" "+c.want) || strings.Contains(net.Message, c.password+"@") {
				t.Errorf("%s: network check %+v, want %q", c.name, net, c.want)
			}
		}
	})
	t.Run("tunnel refused", func(t *testing.T) {
		px := corpnettest.StartTinyproxy(t, corpnettest.TinyproxyOptions{Extra: []string{"ConnectPort 443"}})
		r := providers.Run(context.Background(), envWithTimeout(15*time.Second), creds(px.URL, "", ""))
		net, _ := r.Find(providers.CheckNetwork)
		if r.OK || !strings.Contains(net.Message, "refused to open a tunnel (CONNECT) to "+giteaAddr+" (403") {
			t.Fatalf("network check %+v", net)
		}
	})
	t.Run("host unreachable", func(t *testing.T) {
		px := corpnettest.StartTinyproxy(t, corpnettest.TinyproxyOptions{})
		c := creds(px.URL, "", "")
		c.Host = "http://127.0.0.1:1/"
		r := providers.Run(context.Background(), envWithTimeout(15*time.Second), c)
		net, _ := r.Find(providers.CheckNetwork)
		if r.OK || !strings.Contains(net.Message, "could not reach 127.0.0.1:1 (500 Unable to connect)") {
			t.Fatalf("network check %+v", net)
		}
	})
	t.Run("unresolvable host", func(t *testing.T) {
		// tinyproxy answers a name it cannot resolve as any host it cannot reach (500 Unable to
		// connect; only its log says DNS failed): the message names the host to check.
		px := corpnettest.StartTinyproxy(t, corpnettest.TinyproxyOptions{})
		c := creds(px.URL, "", "")
		c.Host = "https://git.nonexistent.invalid/"
		r := providers.Run(context.Background(), envWithTimeout(15*time.Second), c)
		net, _ := r.Find(providers.CheckNetwork)
		if r.OK || !strings.Contains(net.Message, "the proxy "+px.Addr+" could not reach git.nonexistent.invalid:443 (500 Unable to connect): check the host address") {
			t.Fatalf("network check %+v", net)
		}
		if !strings.Contains(px.Log(t), "Could not retrieve address info for git.nonexistent.invalid") {
			t.Fatalf("tinyproxy did not fail at DNS:\n%s", px.Log(t))
		}
	})
	t.Run("figures", func(t *testing.T) {
		px := corpnettest.StartTinyproxy(t, corpnettest.TinyproxyOptions{})
		for _, via := range []struct{ name, proxy string }{{"direct", ""}, {"through tinyproxy", px.URL}} {
			c := creds(via.proxy, "", "")
			live := medianOf5(t, func() bool { return providers.Run(context.Background(), envWithTimeout(30*time.Second), c).OK })
			deep := medianOf5(t, func() bool { return providers.RunDeep(context.Background(), envWithTimeout(60*time.Second), c, nil).OK })
			t.Logf("FIGURE real Gitea %s: live check median %v, round trip median %v (5 runs each, fresh clients)", via.name, live, deep)
		}
	})
}

// requireOnlyTunnels asserts from the proxy's log that it read request lines, every one a CONNECT
// to the Git server, and never the token.
func requireOnlyTunnels(t *testing.T, px *corpnettest.Tinyproxy, target, token string) {
	t.Helper()
	reqs := px.Requests(t)
	if len(reqs) == 0 {
		t.Fatalf("tinyproxy logged no request:\n%s", px.Log(t))
	}
	for _, r := range reqs {
		if r != "CONNECT "+target+" HTTP/1.1" {
			t.Errorf("tinyproxy read %q, want only CONNECT %s", r, target)
		}
	}
	if strings.Contains(px.Log(t), token) {
		t.Error("the token is in tinyproxy's log")
	}
}

// medianOf5 runs f once to warm the server up, then five times, and returns the median
// duration; every run must succeed.
func medianOf5(t *testing.T, f func() bool) time.Duration {
	t.Helper()
	if !f() {
		t.Fatal("the warm-up run failed")
	}
	var ds []time.Duration
	for range 5 {
		start := time.Now()
		if !f() {
			t.Fatal("a timed run failed")
		}
		ds = append(ds, time.Since(start))
	}
	slices.Sort(ds)
	return ds[2].Round(time.Millisecond)
}
