package providers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// The live check and the round trip go through the credential's proxy, in CONNECT tunnels (plain
// http to a loopback emulator included): the proxy sees host names and its own credentials, never
// a request line, a header or the token; the result names the proxy, without its password.
func TestCheckAndRoundTripGoThroughTheProxy(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	px := kit.StartProxy(t)
	const proxyPassword = "proxy-Secret-0451"
	c := emu.Credentials(providers.GitHub, fake.GitHubTokenFull)
	c.Proxy, c.ProxyUsername, c.ProxyPassword = px.URL(), "alice", proxyPassword
	env := providers.NewEnv("test")
	r := providers.RunDeep(context.Background(), env, c, nil)
	if !r.OK {
		t.Fatalf("round trip through the proxy failed: %+v", r.Checks)
	}
	if r.Proxy == nil || *r.Proxy != px.URL() {
		t.Fatalf("result's proxy = %v, want %s", r.Proxy, px.URL())
	}
	heads := px.Heads()
	if len(heads) == 0 {
		t.Fatal("the proxy saw no request")
	}
	emuHost := strings.TrimPrefix(emu.URL(providers.GitHub), "http://")
	for _, h := range heads {
		if !strings.HasPrefix(h, "CONNECT "+emuHost+" HTTP/1.1\n") {
			t.Errorf("the proxy saw %q, want only CONNECT %s", h, emuHost)
		}
		if !strings.Contains(h, "Proxy-Authorization: Basic ") {
			t.Errorf("no proxy credentials in %q", h)
		}
		if strings.Contains(h, fake.GitHubTokenFull) || strings.Contains(h, "Authorization: token") || strings.Contains(h, "Authorization: Bearer") {
			t.Errorf("the proxy saw the token: %q", h)
		}
	}
	for _, ch := range r.Checks {
		if strings.Contains(ch.Message, proxyPassword) {
			t.Errorf("check %s shows the proxy password: %s", ch.ID, ch.Message)
		}
	}
}

// A loopback host in the no-proxy list is reached directly.
func TestNoProxyListBypassesTheProxy(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	px := kit.StartProxy(t)
	c := emu.Credentials(providers.GitHub, fake.GitHubTokenFull)
	c.Proxy, c.NoProxy = px.URL(), "example.org, 127.0.0.0/8"
	r := providers.Run(context.Background(), providers.NewEnv("test"), c)
	if !r.OK || r.Proxy != nil || len(px.Heads()) != 0 {
		t.Fatalf("ok %v, proxy %v, proxy saw %q: want a direct check", r.OK, r.Proxy, px.Heads())
	}
}

// Each refusal of a proxy is named: what failed, from its answer to CONNECT.
func TestProxyFailuresSayWhatFailed(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	page := func(title string) string {
		return "<html><head><title>" + title + "</title></head><body>" + title + "</body></html>"
	}
	for _, c := range []struct {
		name, user string
		status     int
		header     http.Header
		body       string
		want       string
	}{
		{"credentials wanted", "", 407, http.Header{"Proxy-Authenticate": {`Basic realm="corp"`}}, page("Proxy Authentication Required"),
			"wants credentials (407 Proxy Authentication Required): set its username (--proxy-username)"},
		{"credentials refused (407)", "alice", 407, nil, "", "refused the credentials of alice (407 Proxy Authentication Required)"},
		{"credentials refused (tinyproxy's 401)", "alice", 401, http.Header{"Www-Authenticate": {`Basic realm="Tinyproxy"`}}, page("401 Unauthorized"),
			"refused the credentials of alice (401 Unauthorized)"},
		{"host unreachable (502)", "", 502, nil, page("Bad Gateway"), "could not reach"},
		{"host unreachable (504)", "", 504, nil, "", "could not reach"},
		{"host unreachable (tinyproxy's 500)", "", 500, nil, page("500 Unable to connect"), "could not reach"},
		{"DNS at the proxy (Squid)", "", 503, http.Header{"X-Squid-Error": {"ERR_DNS_FAIL 0"}}, page("ERROR"), "could not resolve the host"},
		// Privoxy answers an unresolvable host with 404 and says so only in its page: the answer's
		// body is read, not only its status.
		{"DNS at the proxy (Privoxy's page)", "", 404, nil, page("404 - No such domain"), "could not resolve the host"},
		{"tunnel refused", "", 403, nil, page("Access violation"), "refused to open a tunnel (CONNECT)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			px := kit.StartProxy(t)
			px.Refuse = func(*http.Request) (int, http.Header, string) { return c.status, c.header, c.body }
			creds := emu.Credentials(providers.GitHub, fake.GitHubTokenFull)
			creds.Proxy = px.URL()
			if c.user != "" {
				creds.ProxyUsername, creds.ProxyPassword = c.user, "pw-0451-secret"
			}
			r := providers.Run(context.Background(), providers.NewEnv("test"), creds)
			net, _ := r.Find(providers.CheckNetwork)
			if r.OK || net.Status != providers.Fail || !strings.Contains(net.Message, c.want) || !strings.Contains(net.Message, px.Addr) {
				t.Fatalf("network check %+v, want a failure naming %s and saying %q", net, px.Addr, c.want)
			}
			if strings.Contains(net.Message, "pw-0451-secret") {
				t.Fatalf("the proxy password shows: %s", net.Message)
			}
		})
	}
}

// A proxy that does not listen is named as the proxy, not as the Git server.
func TestUnreachableProxyIsNamed(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	px := kit.StartProxy(t)
	addr := px.Addr
	creds := emu.Credentials(providers.GitHub, fake.GitHubTokenFull)
	creds.Proxy = "http://" + addr
	px.Close()
	r := providers.Run(context.Background(), providers.NewEnv("test"), creds)
	net, _ := r.Find(providers.CheckNetwork)
	if r.OK || !strings.Contains(net.Message, "cannot reach the proxy "+addr) || !strings.Contains(net.Message, "the proxy set for these credentials") {
		t.Fatalf("network check %+v", net)
	}
}

// The environment's proxy: HTTPS_PROXY serves the hosts NO_PROXY does not name, never loopback
// hosts (Go's and Git's convention); a credential's own proxy overrides it and serves loopback.
func TestProxyChoice(t *testing.T) {
	t.Setenv("HTTPS_PROXY", "http://envproxy.corp:3128")
	t.Setenv("NO_PROXY", "internal.example")
	t.Setenv("HTTP_PROXY", "")
	t.Setenv("https_proxy", "")
	t.Setenv("no_proxy", "")
	own := providers.Transport{Net: config.Net{Proxy: "http://own.corp:8080", ProxyUsername: "alice", ProxyPassword: "pw", NoProxy: ".direct.example"}}
	for _, c := range []struct {
		t      providers.Transport
		target string
		want   string
	}{
		{providers.Transport{}, "https://github.com/api", "http://envproxy.corp:3128"},
		{providers.Transport{}, "https://git.internal.example/", ""},
		{providers.Transport{}, "http://127.0.0.1:3000/", ""},
		{providers.Transport{}, "http://localhost:3000/", ""},
		{own, "https://github.com/api", "http://own.corp:8080"},
		{own, "http://127.0.0.1:3000/", "http://own.corp:8080"},
		{own, "https://git.internal.example/", "http://own.corp:8080"},
		{own, "https://git.direct.example/", ""},
	} {
		if got := providers.ProxyOf(c.t, c.target); got != c.want {
			t.Errorf("proxy for %s with %+v = %q, want %q", c.target, c.t.Net, got, c.want)
		}
	}
}

// HTTP_PROXY serves plain http alone, as Go reads it (an https request never falls back to it),
// and plain http goes only to loopback addresses, which no proxy of the environment serves.
func TestHTTPProxyServesNoRequestOfTheProduct(t *testing.T) {
	t.Setenv("HTTP_PROXY", "http://httpproxy.corp:3128")
	t.Setenv("http_proxy", "")
	t.Setenv("HTTPS_PROXY", "")
	t.Setenv("https_proxy", "")
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")
	for _, target := range []string{"https://github.com/api/v3", "http://127.0.0.1:3000/", "http://localhost:3000/"} {
		if got := providers.ProxyOf(providers.Transport{}, target); got != "" {
			t.Errorf("proxy for %s with only HTTP_PROXY set = %q, want none", target, got)
		}
	}
}

// The environment's HTTPS_PROXY carries the requests of a credential without a proxy of its own,
// through a CONNECT tunnel too.
func TestEnvironmentProxyCarriesRequests(t *testing.T) {
	px := kit.StartProxy(t)
	px.Refuse = func(*http.Request) (int, http.Header, string) { return http.StatusBadGateway, nil, "" }
	t.Setenv("HTTPS_PROXY", px.URL())
	t.Setenv("https_proxy", "")
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")
	c := providers.Credentials{Provider: providers.GitHub, Settings: config.Settings{Host: "https://git.example.invalid/", Org: "acme", Username: "u", Token: fake.GitHubTokenFull}}
	r := providers.Run(context.Background(), providers.NewEnv("test"), c)
	net, _ := r.Find(providers.CheckNetwork)
	if r.OK || r.Proxy == nil || *r.Proxy != px.URL() || !strings.Contains(net.Message, "the proxy "+px.Addr+" could not reach git.example.invalid:443 (502 Bad Gateway)") {
		t.Fatalf("proxy %v, network %+v", r.Proxy, net)
	}
	if h := px.Heads(); len(h) == 0 || !strings.HasPrefix(h[0], "CONNECT git.example.invalid:443 HTTP/1.1\n") {
		t.Fatalf("the proxy saw %q", h)
	}
}

// A proxy spoken to over TLS (https://host:port), trusted through the credential's CA bundle. It
// asks for a client certificate and is given none: the credential's is for the Git server.
func TestTLSProxy(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	ca := kit.NewCA(t, "Proxy CA")
	px := kit.StartTLSProxy(t, ca)
	c := emu.Credentials(providers.GitHub, fake.GitHubTokenFull)
	c.Proxy, c.CABundle = px.URL(), ca.File(t)
	cert := kit.NewCA(t, "Client CA").Client(t, "deploy-bot", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	c.ClientCert, c.ClientKey = cert.CertPEM, cert.KeyPEM
	r := providers.Run(context.Background(), providers.NewEnv("test"), c)
	if !r.OK || r.Proxy == nil || *r.Proxy != px.URL() || len(px.Heads()) == 0 {
		t.Fatalf("ok %v, proxy %v, the proxy saw %q%s", r.OK, r.Proxy, px.Heads(), dumpResult(r))
	}
	if n := px.ClientCerts(); n != 0 {
		t.Fatalf("the proxy was given the Git server's client certificate in %d handshakes", n)
	}
}
