package platforms_test

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
)

// netCreds is a GitHub credential behind a proxy with credentials, sending a client certificate.
func netCreds() providers.Credentials {
	return providers.Credentials{Provider: providers.GitHub, Settings: config.Settings{Host: "https://github.com/", Org: "acme", Username: "octocat",
		Token: "ghp_" + gitCanary, Proxy: "http://proxy.corp:3128", ProxyUsername: "alice", ProxyPassword: "p@ss word", NoProxy: ".corp.example,10.0.0.0/8",
		ClientCert: "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n", ClientKey: "-----BEGIN PRIVATE KEY-----\nBB==\n-----END PRIVATE KEY-----\n"}}
}

// Argo CD's repository Secret carries the proxy (its credentials in its URL, encoded), the
// no-proxy list and the client certificate and key.
func TestArgoCDExportsProxyAndClientCert(t *testing.T) {
	c := netCreds()
	objs, err := platforms.ArgoCD(context.Background(), providers.NewEnv("test"), c, platforms.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var s corev1.Secret
	strict(t, platforms.EncodeJSON(objs[:1]), &s)
	sd := s.StringData
	if sd["proxy"] != "http://alice:p%40ss%20word@proxy.corp:3128" || sd["noProxy"] != c.NoProxy ||
		sd["tlsClientCertData"] != c.ClientCert || sd["tlsClientCertKey"] != c.ClientKey {
		t.Fatalf("stringData %v", sd)
	}
	c.Proxy, c.ProxyUsername, c.ProxyPassword, c.NoProxy, c.ClientCert, c.ClientKey = "", "", "", "", "", ""
	objs, _ = platforms.ArgoCD(context.Background(), providers.NewEnv("test"), c, platforms.ExportOptions{})
	var plain corev1.Secret
	strict(t, platforms.EncodeJSON(objs[:1]), &plain)
	if len(plain.StringData) != 4 {
		t.Fatalf("without proxy and certificate: %v", plain.StringData)
	}
}

// Flux: the GitRepository's Secret holds tls.crt and tls.key; the proxy is a Secret of its own
// (address, username, password) for spec.proxySecretRef.
func TestFluxExportsProxySecretAndClientCert(t *testing.T) {
	c := netCreds()
	objs, err := platforms.Flux(c, platforms.ExportOptions{Name: "acme-git"})
	if err != nil {
		t.Fatal(err)
	}
	ds := docs(t, platforms.EncodeYAML(objs))
	if len(ds) != 2 {
		t.Fatalf("%d documents, want the Git Secret and the proxy Secret", len(ds))
	}
	var git, proxy corev1.Secret
	strict(t, platforms.EncodeJSON(objs[:1]), &git)
	strict(t, ds[1], &proxy)
	if git.StringData["tls.crt"] != c.ClientCert || git.StringData["tls.key"] != c.ClientKey {
		t.Errorf("Git Secret %v", git.StringData)
	}
	pd := proxy.StringData
	if proxy.Name != "acme-git-proxy" || proxy.Namespace != "flux-system" || pd["address"] != c.Proxy || pd["username"] != "alice" || pd["password"] != c.ProxyPassword || len(pd) != 3 {
		t.Errorf("proxy Secret %s/%s %v", proxy.Namespace, proxy.Name, pd)
	}
	// The Secrets alone do not route Flux through the proxy: the export says what the
	// GitRepository needs, and that its no-proxy list has nowhere to go.
	if n := platforms.FluxNote(c); !strings.Contains(n, "need spec.proxySecretRef.name set to the proxy's Secret") ||
		!strings.Contains(n, "no no-proxy list: "+c.NoProxy+" is not exported") || strings.Contains(n, c.ProxyPassword) {
		t.Errorf("note %q", n)
	}
	c.Proxy, c.NoProxy = "", ""
	if n := platforms.FluxNote(c); n != "" {
		t.Errorf("note without a proxy %q", n)
	}
}
