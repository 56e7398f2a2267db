package providers_test

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
)

// leaf is a server certificate of ca for name (an IP or a DNS name) valid over [from, until].
func leaf(t *testing.T, ca *kit.CA, name string, from, until time.Time) tls.Certificate {
	return ca.ServerFor(t, name, from, until).TLS(t)
}

func TestTLSFailuresAreNamed(t *testing.T) {
	t.Parallel()
	ca, untrusted := kit.NewCA(t, "Test CA"), kit.NewCA(t, "Untrusted CA")
	caFile := ca.File(t)
	now := time.Now()
	expired := now.Add(-50 * time.Hour).UTC().Truncate(time.Minute)
	for _, c := range []struct {
		name, ca  string
		cert      tls.Certificate
		want      []string
		forbidden string
	}{
		{"expired", caFile, leaf(t, ca, "127.0.0.1", expired.Add(-time.Hour), expired),
			[]string{"expired on " + expired.Format("2006-01-02 15:04 UTC"), "(2 days ago)", "renewed"}, "not signed by a trusted authority"},
		{"not yet valid", caFile, leaf(t, ca, "127.0.0.1", now.Add(48*time.Hour), now.Add(96*time.Hour)),
			[]string{"is not valid before", "clock"}, "not signed by a trusted authority"},
		{"host-name mismatch", caFile, leaf(t, ca, "git.other.example", now.Add(-time.Hour), now.Add(time.Hour)),
			[]string{"does not match the host name", "it is for git.other.example, not for 127.0.0.1"}, "not signed by a trusted authority"},
		{"unknown authority", "", leaf(t, untrusted, "127.0.0.1", now.Add(-time.Hour), now.Add(time.Hour)),
			[]string{"not signed by a trusted authority", "CA bundle"}, "expired"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewUnstartedServer(http.NotFoundHandler())
			srv.TLS = &tls.Config{Certificates: []tls.Certificate{c.cert}}
			srv.Config.ErrorLog = quietLog()
			srv.StartTLS()
			defer srv.Close()
			creds := providers.Credentials{Provider: providers.GitHub, Settings: config.Settings{Org: "acme", Token: "ghp_CANARYabcdefghijklmnopqrstuvwxyz0123", APIURL: srv.URL, CABundle: c.ca}}
			r := providers.Run(context.Background(), envWithTimeout(5*time.Second), creds)
			net, ok := r.Find(providers.CheckNetwork)
			if !ok || net.Status != providers.Fail {
				t.Fatalf("want a failing network check, got %+v", r.Checks)
			}
			for _, w := range c.want {
				if !strings.Contains(net.Message, w) {
					t.Errorf("message lacks %q: %s", w, net.Message)
				}
			}
			if strings.Contains(net.Message, c.forbidden) {
				t.Errorf("message says %q: %s", c.forbidden, net.Message)
			}
		})
	}
}

func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }
