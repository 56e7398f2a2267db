package providers_test

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// corpHost is a Git server's name that only the test proxy can reach (.test never resolves), so a
// request that skips the proxy fails instead of quietly going directly to a loopback emulator.
const corpHost = "git.corp.test"

// corpGitHub serves the GitHub emulator over TLS as https://git.corp.test/ behind a proxy that
// alone can reach it; with clients set, the server demands a client certificate it signed. It
// returns the proxy and the server CA's bundle.
func corpGitHub(t *testing.T, clients *kit.CA) (*kit.Proxy, string) {
	t.Helper()
	emu := kit.Emulators(t, fake.Options{})
	ca := kit.NewCA(t, "Corp Server CA")
	conf := &tls.Config{Certificates: []tls.Certificate{ca.ServerFor(t, corpHost, time.Now().Add(-time.Hour), time.Now().Add(time.Hour)).TLS(t)}}
	if clients != nil {
		conf.ClientAuth, conf.ClientCAs = tls.RequireAndVerifyClientCert, clients.Pool()
	}
	srv := httptest.NewUnstartedServer(emu.Handler(providers.GitHub))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLS = conf
	srv.StartTLS()
	t.Cleanup(srv.Close)
	px := kit.StartProxy(t)
	px.Hosts = map[string]string{corpHost + ":443": srv.Listener.Addr().String()}
	return px, ca.File(t)
}

// corpCreds are credentials of the emulator behind corpGitHub.
func corpCreds(caFile string) providers.Credentials {
	return providers.Credentials{Provider: providers.GitHub, Settings: config.Settings{Host: "https://" + corpHost + "/", Org: fake.GitHubOrg,
		Username: fake.GitHubUser, Token: fake.GitHubTokenFull, CABundle: caFile}}
}

// requireOnlyCorpTunnels asserts that the proxy read only CONNECT requests to the Git server and
// never the token.
func requireOnlyCorpTunnels(t *testing.T, px *kit.Proxy) {
	t.Helper()
	heads := px.Heads()
	if len(heads) == 0 {
		t.Fatal("the proxy saw no request")
	}
	for _, h := range heads {
		if !strings.HasPrefix(h, "CONNECT "+corpHost+":443 HTTP/1.1\n") || strings.Contains(h, fake.GitHubTokenFull) {
			t.Errorf("the proxy saw %q, want only CONNECT %s:443 without the token", h, corpHost)
		}
	}
}

// The round trip's Git over HTTPS (clone and push) goes through the credential's proxy like the
// API: the Git server is reachable only through it.
func TestRoundTripGitGoesThroughTheCredentialsProxy(t *testing.T) {
	t.Parallel()
	px, caFile := corpGitHub(t, nil)
	c := corpCreds(caFile)
	c.Proxy = px.URL()
	r := providers.RunDeep(context.Background(), envWithTimeout(30*time.Second), c, nil)
	if !r.OK || r.Proxy == nil || *r.Proxy != px.URL() {
		t.Fatalf("round trip through the proxy: proxy %v%s", r.Proxy, dumpResult(r))
	}
	requireOnlyCorpTunnels(t, px)
}

// The environment's HTTPS_PROXY carries the live check and the round trip's Git over HTTPS of a
// credential without a proxy of its own, and the client certificate reaches the Git server
// through the tunnel, for the API and for Git alike.
func TestEnvironmentProxyCarriesGitAndTheClientCertificate(t *testing.T) {
	clients := kit.NewCA(t, "Client CA")
	px, caFile := corpGitHub(t, clients)
	t.Setenv("HTTPS_PROXY", px.URL())
	t.Setenv("https_proxy", "")
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")
	c := corpCreds(caFile)
	cert := clients.Client(t, "deploy-bot", time.Now().Add(-time.Hour), time.Now().Add(90*24*time.Hour))
	c.ClientCert, c.ClientKey = cert.CertPEM, cert.KeyPEM
	r := providers.RunDeep(context.Background(), envWithTimeout(30*time.Second), c, nil)
	if !r.OK || r.Proxy == nil || *r.Proxy != px.URL() {
		t.Fatalf("round trip through HTTPS_PROXY with a client certificate: proxy %v%s", r.Proxy, dumpResult(r))
	}
	requireOnlyCorpTunnels(t, px)
}
