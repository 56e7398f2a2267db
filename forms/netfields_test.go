package forms

import (
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
)

// The network fields' rules, each value on its own and between them: a proxy is scheme, host and
// port only (a bare host:port means http://), never with credentials in it; its username carries
// no ':', its password no control character; the no-proxy list holds hosts, domains, addresses
// and CIDR blocks; credentials and a no-proxy list need a proxy, a password its username, a key
// its certificate, and the key must be the certificate's. No error shows a password or a key.
func TestNetSettingsRules(t *testing.T) {
	t.Parallel()
	const pw = "Proxy-pw-0451-secret"
	ca := kit.NewCA(t, "Client CA")
	a := ca.Client(t, "a", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	b := ca.Client(t, "b", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	keyLine := strings.Split(b.KeyPEM, "\n")[1] // a line of a key's body
	for _, c := range []struct {
		name string
		in   config.Net
		want string // in the error; "" passes
		out  config.Net
	}{
		{"a bare host:port", config.Net{Proxy: " proxy.corp:3128 "}, "", config.Net{Proxy: "http://proxy.corp:3128"}},
		{"https without a port", config.Net{Proxy: "https://proxy.corp"}, "", config.Net{Proxy: "https://proxy.corp:443"}},
		{"with credentials and a no-proxy list", config.Net{Proxy: "http://proxy.corp:3128", ProxyUsername: "alice", ProxyPassword: pw,
			NoProxy: " .corp.example , 10.0.0.0/8,git.corp:443,, "}, "",
			config.Net{Proxy: "http://proxy.corp:3128", ProxyUsername: "alice", ProxyPassword: pw, NoProxy: ".corp.example,10.0.0.0/8,git.corp:443"}},
		{"a password in the URL", config.Net{Proxy: "http://alice:" + pw + "@proxy.corp:3128"}, "the proxy address holds a password", config.Net{}},
		{"a username in the URL", config.Net{Proxy: "http://alice@proxy.corp:3128"}, "the proxy address holds a username: give it with --proxy-username", config.Net{}},
		{"a path", config.Net{Proxy: "http://proxy.corp:3128/pac"}, "must be only a scheme, host and port", config.Net{}},
		{"a SOCKS proxy", config.Net{Proxy: "socks5://proxy.corp:1080"}, `uses scheme "socks5": only http:// and https:// proxies are supported`, config.Net{}},
		{"a username with ':'", config.Net{Proxy: "http://proxy.corp:3128", ProxyUsername: "al:ice", ProxyPassword: pw}, "contains ':'", config.Net{}},
		{"a password with a line break", config.Net{Proxy: "http://proxy.corp:3128", ProxyUsername: "alice", ProxyPassword: pw + "\x00x"},
			"the proxy password contains a line break or a control character", config.Net{}},
		{"a URL in the no-proxy list", config.Net{Proxy: "http://proxy.corp:3128", NoProxy: "https://git.corp/"}, "is not a host, domain, IP address", config.Net{}},
		{"credentials without a proxy", config.Net{ProxyUsername: "alice", ProxyPassword: pw}, "set without a proxy", config.Net{}},
		{"a no-proxy list without a proxy", config.Net{NoProxy: ".corp"}, "set without a proxy", config.Net{}},
		{"a password without a username", config.Net{Proxy: "http://proxy.corp:3128", ProxyPassword: pw}, "a proxy password is set without a proxy username", config.Net{}},
		{"a certificate and its key", config.Net{ClientCert: a.CertPEM, ClientKey: a.KeyPEM}, "", config.Net{ClientCert: a.CertPEM, ClientKey: a.KeyPEM}},
		{"a key without its certificate", config.Net{ClientKey: a.KeyPEM}, "a client key is set without its certificate", config.Net{}},
		{"a certificate without its key", config.Net{ClientCert: a.CertPEM}, "has no key: give its key with --client-key FILE", config.Net{}},
		{"another certificate's key", config.Net{ClientCert: a.CertPEM, ClientKey: b.KeyPEM}, "the client key does not match the client certificate CN=a", config.Net{}},
		{"a key that is not PEM", config.Net{ClientCert: a.CertPEM, ClientKey: "MHcCAQEEI"}, "the client key is not a PEM private key", config.Net{}},
		{"a certificate that is not PEM", config.Net{ClientCert: "MIIB", ClientKey: a.KeyPEM}, "holds no PEM certificate", config.Net{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := NetSettings(c.in)
			switch {
			case c.want == "" && (err != nil || got != c.out):
				t.Fatalf("NetSettings = %+v, %v; want %+v", got, err, c.out)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("err = %v, want %q", err, c.want)
			case err != nil && (strings.Contains(err.Error(), pw) || strings.Contains(err.Error(), keyLine) || strings.Contains(err.Error(), "MHcCAQEEI")):
				t.Fatalf("the error shows a secret: %v", err)
			}
		})
	}
}
