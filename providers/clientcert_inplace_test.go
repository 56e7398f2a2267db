package providers_test

import (
	"context"
	"crypto/x509"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// peerSerials records the serial number of the client certificate each request came with.
type peerSerials struct {
	mu   sync.Mutex
	seen []string
}

func (p *peerSerials) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			p.mu.Lock()
			p.seen = append(p.seen, r.TLS.PeerCertificates[0].SerialNumber.String())
			p.mu.Unlock()
		}
		h.ServeHTTP(w, r)
	})
}

func (p *peerSerials) reset() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.seen
	p.seen = nil
	return s
}

// renew writes cert into place as cert-manager does: new files renamed over the old ones.
func renew(t *testing.T, certPath, keyPath string, cert kit.Issued) {
	t.Helper()
	for p, b := range map[string]string{keyPath: cert.KeyPEM, certPath: cert.CertPEM} {
		tmp := p + ".new"
		if err := os.WriteFile(tmp, []byte(b), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, p); err != nil {
			t.Fatal(err)
		}
	}
}

func leafOf(t *testing.T, i kit.Issued) *x509.Certificate { t.Helper(); return i.TLS(t).Leaf }

// A client certificate kept in place is read from its files at each use: two checks through one
// client pool (as a long-running serve keeps) with a renewal renamed into place between them
// send, and report, the renewed certificate; a file gone, a key that no longer matches and an
// expired certificate on disk each fail naming the file.
func TestClientCertificateInPlaceFollowsRenewals(t *testing.T) {
	t.Parallel()
	ca, clients := kit.NewCA(t, "Server CA"), kit.NewCA(t, "Client CA")
	var peers peerSerials
	srv := kit.MTLSServer(t, peers.wrap(fake.GitHubHandler()), ca, clients)
	now := time.Now()
	first := clients.Client(t, "deploy-bot", now.Add(-time.Hour), now.Add(30*24*time.Hour))
	certPath, keyPath := first.WriteFiles(t)
	c := providers.Credentials{Provider: providers.GitHub, Settings: config.Settings{Host: srv.URL + "/", Org: fake.GitHubOrg,
		Username: fake.GitHubUser, Token: fake.GitHubTokenFull, CABundle: ca.File(t), ClientCertPath: certPath, ClientKeyPath: keyPath}}
	env := providers.NewEnv("test")
	check := func(want kit.Issued) {
		t.Helper()
		r := providers.Run(context.Background(), env, c)
		cc, _ := r.Find(providers.CheckClientCert)
		if !r.OK || cc.ExpiresAt == nil || !cc.ExpiresAt.Equal(leafOf(t, want).NotAfter) || !strings.HasSuffix(cc.Message, " (read from "+certPath+")") {
			t.Fatalf("ok %v, client-cert %+v; want the expiry %s%s", r.OK, cc, leafOf(t, want).NotAfter, dumpResult(r))
		}
		serial := leafOf(t, want).SerialNumber.String()
		for _, s := range peers.reset() {
			if s != serial {
				t.Fatalf("the server saw the certificate %s, want %s", s, serial)
			}
		}
	}
	check(first)
	renewed := clients.Client(t, "deploy-bot", now.Add(-time.Minute), now.Add(90*24*time.Hour))
	renew(t, certPath, keyPath, renewed)
	check(renewed)

	fail := func(what, want string) {
		t.Helper()
		r := providers.Run(context.Background(), env, c)
		all := dumpResult(r)
		cc, _ := r.Find(providers.CheckClientCert) // the certificate's own check says it, whatever the server did
		if r.OK || !strings.Contains(cc.Message, want) {
			t.Fatalf("%s: ok %v, client-cert %+v, want %q%s", what, r.OK, cc, want, all)
		}
		if strings.Contains(all, "PRIVATE KEY") || strings.Contains(all, strings.Split(renewed.KeyPEM, "\n")[1]) {
			t.Fatalf("%s: the key shows%s", what, all)
		}
	}
	if err := os.WriteFile(keyPath, []byte(first.KeyPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	fail("a key that no longer matches", "the client key does not match the client certificate CN=deploy-bot: give the key the certificate was made for (key "+keyPath+", certificate "+certPath+")")
	expired := clients.Client(t, "deploy-bot", now.Add(-40*24*time.Hour), now.Add(-10*24*time.Hour))
	renew(t, certPath, keyPath, expired)
	fail("an expired certificate on disk", "renew it at "+certPath+" (it is read there at each use)")
	if err := os.Rename(certPath, filepath.Join(filepath.Dir(certPath), "gone.crt")); err != nil {
		t.Fatal(err)
	}
	fail("a file gone", "cannot read the client certificate "+certPath+": no such file or directory")
}

// InlineClientCert hands on a copy of the files as they are now, and names a file it cannot read.
func TestInlineClientCertReadsTheFilesNow(t *testing.T) {
	t.Parallel()
	clients := kit.NewCA(t, "Client CA")
	a := clients.Client(t, "a", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	certPath, keyPath := a.WriteFiles(t)
	s := config.Settings{ClientCertPath: certPath, ClientKeyPath: keyPath}
	got, err := providers.InlineClientCert(s)
	if err != nil || got.ClientCert != a.CertPEM || got.ClientKey != a.KeyPEM || got.ClientCertPath != "" {
		t.Fatalf("InlineClientCert = %v, %v", got.Net().InPlace(), err)
	}
	b := clients.Client(t, "b", time.Now().Add(-time.Hour), time.Now().Add(2*time.Hour))
	renew(t, certPath, keyPath, b)
	if got, err = providers.InlineClientCert(s); err != nil || got.ClientCert != b.CertPEM {
		t.Fatalf("after a renewal: %v", err)
	}
	s.ClientKeyPath = keyPath + ".missing"
	if _, err = providers.InlineClientCert(s); err == nil || !strings.Contains(err.Error(), "cannot read the client key "+s.ClientKeyPath) {
		t.Fatalf("a missing key: %v", err)
	}
}

// The round trip's Git over HTTPS sends a client certificate kept in place too (the server takes
// no request without one), read from its files.
func TestRoundTripSendsAClientCertificateInPlace(t *testing.T) {
	t.Parallel()
	clients := kit.NewCA(t, "Client CA")
	px, caFile := corpGitHub(t, clients)
	c := corpCreds(caFile)
	c.Proxy = px.URL()
	c.ClientCertPath, c.ClientKeyPath = clients.Client(t, "deploy-bot", time.Now().Add(-time.Hour), time.Now().Add(90*24*time.Hour)).WriteFiles(t)
	r := providers.RunDeep(context.Background(), envWithTimeout(30*time.Second), c, nil)
	if cc, _ := r.Find(providers.CheckClientCert); !r.OK || cc.Status != providers.Pass {
		t.Fatalf("round trip with a client certificate in place:%s", dumpResult(r))
	}
	requireOnlyCorpTunnels(t, px)
}
