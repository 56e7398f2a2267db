package platforms_test

import (
	"strings"
	"testing"

	"gitopscfg/platforms"
	"gitopscfg/platforms/devtronfake"
)

// A push sends the client certificate and key in tlsConfig with their presence flags; a later
// push of the credential without one keeps what Devtron holds (the flags are authoritative: false
// would erase it). A credential's proxy is not Devtron's to hold: the push says its pods need it.
func TestPushSendsTheClientCertificateAndNeverErasesIt(t *testing.T) {
	r := newRig(t, devtronfake.Options{})
	c := github("acme")
	c.ClientCert, c.ClientKey = "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n", "-----BEGIN PRIVATE KEY-----\nBB==\n-----END PRIVATE KEY-----\n"
	c.Proxy = "http://proxy.corp:3128"
	res, err := r.push(c, platforms.PushOptions{})
	if err != nil || res.Outcome != platforms.Saved {
		t.Fatalf("push: %+v, %v", res, err)
	}
	if rows := r.srv.Rows(); len(rows) != 1 || rows[0].TLSCert != c.ClientCert || rows[0].TLSKey != c.ClientKey {
		t.Fatalf("stored TLS data: %+v", rows)
	}
	if !strings.Contains(strings.Join(res.Warnings, "\n"), "Devtron has no proxy setting for a Git provider: the proxy proxy.corp:3128 is not sent; Devtron's own pods") {
		t.Errorf("warnings %q", res.Warnings)
	}
	c.ClientCert, c.ClientKey, c.Proxy = "", "", ""
	c.Org = "acme-two"
	if res, err = r.push(c, platforms.PushOptions{}); err != nil || res.Outcome != platforms.Saved {
		t.Fatalf("second push: %+v, %v", res, err)
	}
	if rows := r.srv.Rows(); rows[0].TLSCert == "" || rows[0].TLSKey == "" || rows[0].GitHubOrgID != "acme-two" {
		t.Fatalf("a push without a client certificate erased Devtron's: %+v", rows[0])
	}
	r.assertNoCanary()
}
