package providers_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

func mtlsServer(t *testing.T, ca *kit.CA, clients *kit.CA) *httptest.Server {
	return kit.MTLSServer(t, fake.GitHubHandler(), ca, clients)
}

func mtlsCreds(srv *httptest.Server, caFile string, cert kit.Issued) providers.Credentials {
	return providers.Credentials{Provider: providers.GitHub, Settings: config.Settings{Host: srv.URL + "/", Org: fake.GitHubOrg,
		Username: fake.GitHubUser, Token: fake.GitHubTokenFull, CABundle: caFile, ClientCert: cert.CertPEM, ClientKey: cert.KeyPEM}}
}

// A server that demands a client certificate: the right one passes (and the client-cert check
// gives its expiry); none, one of another CA (sent although the server does not name its issuer)
// and an expired one each fail saying so.
func TestClientCertificates(t *testing.T) {
	t.Parallel()
	ca, clients, other := kit.NewCA(t, "Server CA"), kit.NewCA(t, "Client CA"), kit.NewCA(t, "Other CA")
	srv := mtlsServer(t, ca, clients)
	caFile := ca.File(t)
	now := time.Now()
	good := clients.Client(t, "deploy-bot", now.Add(-time.Hour), now.Add(90*24*time.Hour))
	for _, c := range []struct {
		name      string
		cert      kit.Issued
		ok        bool
		network   string
		certCheck providers.Status
		certMsg   string
	}{
		{"the right certificate", good, true, "", providers.Pass, "the client certificate CN=deploy-bot (issued by CN=Client CA) is valid until"},
		{"one expiring soon", clients.Client(t, "deploy-bot", now.Add(-time.Hour), now.Add(5*24*time.Hour+time.Hour)), true, "",
			providers.Warn, "expires on " + now.Add(5*24*time.Hour+time.Hour).UTC().Format("2006-01-02 15:04 UTC") + " (in 5 days): renew it soon"},
		{"none", kit.Issued{}, false, "asks for a client certificate and none is set: set one with --client-cert FILE --client-key FILE", "", ""},
		{"another CA's", other.Client(t, "deploy-bot", now.Add(-time.Hour), now.Add(90*24*time.Hour)), false,
			"refused the client certificate CN=deploy-bot issued by CN=Other CA (it was sent although the server does not name CN=Other CA among the CAs it accepts)",
			providers.Pass, ""},
		{"an expired one", clients.Client(t, "deploy-bot", now.Add(-40*24*time.Hour), now.Add(-10*24*time.Hour)), false,
			"refused the client certificate CN=deploy-bot: it expired on " + now.Add(-10*24*time.Hour).UTC().Format("2006-01-02 15:04 UTC") + " (10 days ago)",
			providers.Fail, "(10 days ago)"},
		// Issued by the CA the server names, but for servers only (no clientAuth usage): refused,
		// and the refusal does not blame the CA.
		{"the right CA's, refused", clients.ServerFor(t, "deploy-bot", now.Add(-time.Hour), now.Add(90*24*time.Hour)), false,
			"refused the client certificate CN=deploy-bot issued by CN=Client CA: use a certificate issued by a CA the server trusts", providers.Pass, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := providers.Run(context.Background(), providers.NewEnv("test"), mtlsCreds(srv, caFile, c.cert))
			net, _ := r.Find(providers.CheckNetwork)
			if r.OK != c.ok || (c.network != "" && !strings.Contains(net.Message, c.network)) {
				t.Fatalf("ok %v, network %+v; want ok %v and %q%s", r.OK, net, c.ok, c.network, dumpResult(r))
			}
			cc, found := r.Find(providers.CheckClientCert)
			switch {
			case c.certCheck == "" && found:
				t.Errorf("a client-cert check without a certificate: %+v", cc)
			case c.certCheck != "" && (cc.Status != c.certCheck || !strings.Contains(cc.Message, c.certMsg) || cc.ExpiresAt == nil):
				t.Errorf("client-cert check %+v, want %s with %q and its expiry", cc, c.certCheck, c.certMsg)
			}
		})
	}
}

// A key that is not the certificate's is refused before any request, saying so.
func TestClientKeyMustMatch(t *testing.T) {
	t.Parallel()
	clients := kit.NewCA(t, "Client CA")
	a := clients.Client(t, "a", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	b := clients.Client(t, "b", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if _, _, err := providers.ParseClientCert(a.CertPEM, b.KeyPEM); err == nil || !strings.Contains(err.Error(), "the client key does not match the client certificate CN=a") {
		t.Fatalf("err = %v", err)
	}
}

// nginx does not fail the handshake without a certificate: it answers HTTP 400 with a page. Its
// two pages are read as certificate failures, not as a bad request.
func TestNginxCertificatePagesAreCertificateFailures(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ page, want string }{
		{"No required SSL certificate was sent", "asks for a client certificate and none is set"},
		{"The SSL certificate error", "refused the client certificate CN=deploy-bot issued by CN=Client CA"},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Server", "nginx/1.22.1")
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, "<html>\r\n<head><title>400 "+c.page+"</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>"+c.page+"</center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n")
		}))
		t.Cleanup(srv.Close)
		creds := providers.Credentials{Provider: providers.GitHub, Settings: config.Settings{Host: srv.URL + "/", Org: "acme", Username: "u", Token: fake.GitHubTokenFull}}
		if strings.Contains(c.page, "error") {
			cert := kit.NewCA(t, "Client CA").Client(t, "deploy-bot", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
			creds.ClientCert, creds.ClientKey = cert.CertPEM, cert.KeyPEM
		}
		r := providers.Run(context.Background(), providers.NewEnv("test"), creds)
		net, _ := r.Find(providers.CheckNetwork)
		if r.OK || !strings.Contains(net.Message, c.want) {
			t.Errorf("%s: network %+v, want %q%s", c.page, net, c.want, dumpResult(r))
		}
	}
}

// The client certificate's key is masked in any text shown, whole and line by line, as the SSH
// key is (no server is sent it, but a library's error might quote it).
func TestClientKeyIsRedacted(t *testing.T) {
	t.Parallel()
	cert := kit.NewCA(t, "Client CA").Client(t, "deploy-bot", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	c := providers.Credentials{Settings: config.Settings{ClientCert: cert.CertPEM, ClientKey: cert.KeyPEM}}
	line := strings.Split(cert.KeyPEM, "\n")[1]
	for _, text := range []string{"bad key: " + cert.KeyPEM, "near " + line + " here"} {
		if got := c.Redact(text); strings.Contains(got, line) {
			t.Errorf("Redact(%q) = %q: the key shows", text, got)
		}
	}
}
