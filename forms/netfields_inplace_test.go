package forms

import (
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
)

// A client certificate kept in place: two absolute paths, both or neither, never beside the PEMs
// kept in the store. The rule reads no file (what uses the paths reads them).
func TestNetSettingsInPlaceRules(t *testing.T) {
	t.Parallel()
	const cert, key = "/etc/gitops/tls/tls.crt", "/etc/gitops/tls/tls.key"
	a := kit.NewCA(t, "Client CA").Client(t, "a", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	for _, c := range []struct {
		name string
		in   config.Net
		want string // in the error; "" passes
	}{
		{"both paths", config.Net{ClientCertPath: " " + cert + " ", ClientKeyPath: key}, ""},
		{"a relative path", config.Net{ClientCertPath: "tls.crt", ClientKeyPath: key}, `the client certificate's path "tls.crt" must be absolute`},
		{"the key's path alone", config.Net{ClientKeyPath: key}, "a client certificate kept in place needs both its files"},
		{"the certificate's path alone", config.Net{ClientCertPath: cert}, "a client certificate kept in place needs both its files"},
		{"beside a PEM in the store", config.Net{ClientCertPath: cert, ClientKeyPath: key, ClientCert: a.CertPEM, ClientKey: a.KeyPEM},
			"a client certificate is set both in the store and in place"},
	} {
		out, err := NetSettings(c.in)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want == "" && (out.ClientCertPath != cert || out.ClientKeyPath != key):
			t.Errorf("%s: normalised to %q %q", c.name, out.ClientCertPath, out.ClientKeyPath)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: err %v, want %q", c.name, err, c.want)
		}
	}
}
