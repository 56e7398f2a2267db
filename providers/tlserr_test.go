package providers_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/providers"
)

type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newTestCA(t *testing.T) testCA {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return testCA{cert, key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// leaf is a server certificate for name (an IP or a DNS name) valid over [from, until], signed
// by ca or, when ca is nil, by itself.
func leaf(t *testing.T, ca *testCA, name string, from, until time.Time) tls.Certificate {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: name}, NotBefore: from, NotAfter: until,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	if ip := net.ParseIP(name); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{name}
	}
	parent, signer := tmpl, any(key)
	if ca != nil {
		parent, signer = ca.cert, ca.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func TestTLSFailuresAreNamed(t *testing.T) {
	t.Parallel()
	ca := newTestCA(t)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, ca.pem, 0o600); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	expired := now.Add(-50 * time.Hour).UTC().Truncate(time.Minute)
	for _, c := range []struct {
		name, ca  string
		cert      tls.Certificate
		want      []string
		forbidden string
	}{
		{"expired", caFile, leaf(t, &ca, "127.0.0.1", expired.Add(-time.Hour), expired),
			[]string{"expired on " + expired.Format("2006-01-02 15:04 UTC"), "(2 days ago)", "renewed"}, "not signed by a trusted authority"},
		{"not yet valid", caFile, leaf(t, &ca, "127.0.0.1", now.Add(48*time.Hour), now.Add(96*time.Hour)),
			[]string{"is not valid before", "clock"}, "not signed by a trusted authority"},
		{"host-name mismatch", caFile, leaf(t, &ca, "git.other.example", now.Add(-time.Hour), now.Add(time.Hour)),
			[]string{"does not match the host name", "it is for git.other.example, not for 127.0.0.1"}, "not signed by a trusted authority"},
		{"unknown authority", "", leaf(t, nil, "127.0.0.1", now.Add(-time.Hour), now.Add(time.Hour)),
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
