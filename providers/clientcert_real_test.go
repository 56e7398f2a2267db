package providers_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/corpnettest"
	"gitopscfg/providers/fake"
	"gitopscfg/providers/giteatest"
)

// The real TLS front: Debian's nginx with ssl_verify_client on in front of the real Gitea (whose
// ROOT_URL names the front, so its clone URLs lead there too). The live check and the round trip
// pass with the right client certificate; without one, with one of another CA and with an
// expired one they fail naming what failed (nginx answers each with HTTP 400, read as a
// certificate failure). Runs with GITOPSCFG_GITEA=1 (make test-gitea).
func TestGiteaRealBehindNginxMTLS(t *testing.T) {
	giteatest.Require(t)
	port := corpnettest.NginxPort(t)
	serverCA, clientCA, otherCA := kit.NewCA(t, "Server CA"), kit.NewCA(t, "Client CA"), kit.NewCA(t, "Other CA")
	srv := giteatest.Start(t, "https://127.0.0.1:"+strconv.Itoa(port)+"/")
	srv.Setup(t)
	server := serverCA.Server(t)
	front := corpnettest.StartNginx(t, port, server.CertPEM, server.KeyPEM, clientCA.PEM, srv.Direct)
	tok := srv.Token(t, fake.GiteaUser, "mtls", giteaFull)
	caFile := serverCA.File(t)
	now := time.Now()
	good := clientCA.Client(t, "deploy-bot", now.Add(-time.Hour), now.Add(90*24*time.Hour))
	creds := func(cert kit.Issued) providers.Credentials {
		return providers.Credentials{Provider: providers.Gitea, Settings: config.Settings{Host: front.URL, Org: fake.GiteaOrg,
			Username: fake.GiteaUser, Token: tok, CABundle: caFile, ClientCert: cert.CertPEM, ClientKey: cert.KeyPEM}}
	}

	t.Run("the right certificate", func(t *testing.T) {
		r := providers.RunDeep(context.Background(), envWithTimeout(60*time.Second), creds(good), nil)
		if !r.OK {
			t.Fatalf("round trip through the mTLS front:%s", dumpResult(r))
		}
	})
	for _, c := range []struct {
		name string
		cert kit.Issued
		want string
	}{
		{"none", kit.Issued{}, front.Addr + " asks for a client certificate and none is set"},
		{"another CA's", otherCA.Client(t, "deploy-bot", now.Add(-time.Hour), now.Add(90*24*time.Hour)),
			front.Addr + " refused the client certificate CN=deploy-bot issued by CN=Other CA (it was sent although the server does not name CN=Other CA among the CAs it accepts)"},
		{"an expired one", clientCA.Client(t, "deploy-bot", now.Add(-40*24*time.Hour), now.Add(-10*24*time.Hour)),
			front.Addr + " refused the client certificate CN=deploy-bot: it expired on " + now.Add(-10*24*time.Hour).UTC().Format("2006-01-02 15:04 UTC") + " (10 days ago)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := providers.RunDeep(context.Background(), envWithTimeout(30*time.Second), creds(c.cert), nil)
			net, _ := r.Find(providers.CheckNetwork)
			if r.OK || !strings.Contains(net.Message, c.want) {
				t.Fatalf("network %+v, want %q%s", net, c.want, dumpResult(r))
			}
		})
	}
	t.Run("figures", func(t *testing.T) {
		direct := providers.Credentials{Provider: providers.Gitea, Settings: config.Settings{Host: srv.Direct, Org: fake.GiteaOrg, Username: fake.GiteaUser, Token: tok}}
		for _, via := range []struct {
			name string
			c    providers.Credentials
		}{{"direct (plain http)", direct}, {"through the nginx mTLS front", creds(good)}} {
			live := medianOf5(t, func() bool { return providers.Run(context.Background(), envWithTimeout(30*time.Second), via.c).OK })
			deep := medianOf5(t, func() bool {
				return providers.RunDeep(context.Background(), envWithTimeout(60*time.Second), via.c, nil).OK
			})
			t.Logf("FIGURE real Gitea %s: live check median %v, round trip median %v (5 runs each, fresh clients)", via.name, live, deep)
		}
	})
}
