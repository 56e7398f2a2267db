package platforms

import (
	"cmp"
	"context"
	"fmt"

	"gitopscfg/config"
	"gitopscfg/providers"
)

func init() {
	register(withCluster(Spec{Kind: KindFlux, Name: "Flux",
		Export: func(_ context.Context, _ *providers.Env, c providers.Credentials, o ExportOptions) ([]Object, error) {
			return Flux(c, o)
		},
		ExportNote: FluxNote}))
}

// Flux returns the Secret a Flux GitRepository references in spec.secretRef: basic auth
// (username, password), tls.crt and tls.key for a client certificate and ca.crt for a private CA,
// as `flux create secret git --export` writes; with a proxy, the Secret its spec.proxySecretRef
// references too (address, username, password), named after the first with "-proxy".
func Flux(c providers.Credentials, o ExportOptions) ([]Object, error) {
	if err := exportable(c); err != nil {
		return nil, err
	}
	if c.Kind == config.CredentialServicePrincipal {
		return nil, fluxWorkloadIdentity(c)
	}
	if o.Kind != "" || o.Repo != "" {
		return nil, fmt.Errorf("--kind and --repo apply to Argo CD only")
	}
	ns, name := cmp.Or(o.Namespace, "flux-system"), cmp.Or(o.Name, secretBase(c))
	if err := checkNames(ns, name); err != nil {
		return nil, err
	}
	ca, err := readCA(c.CABundle)
	if err != nil {
		return nil, err
	}
	if c.Settings, err = providers.InlineClientCert(c.Settings); err != nil { // a copy of the files now
		return nil, err
	}
	data := Object{{"username", providers.GitUsername(c)}, {"password", c.Token}}
	if isGitHubApp(c) {
		data = fluxGitHubAppData(c)
	}
	if providers.UsesSSH(c) {
		// As `flux create secret git --url=ssh://…` writes it: identity, identity.pub, known_hosts.
		hosts, err := knownHosts(c)
		if err != nil {
			return nil, err
		}
		pub, err := providers.SSHPublicKey(c)
		if err != nil {
			return nil, err
		}
		data = Object{{"identity", c.SSHKey}, {"identity.pub", pub + "\n"}, {"known_hosts", hosts}}
		ca = "" // no TLS over SSH
	}
	if c.ClientCert != "" {
		data = append(data, Field{"tls.crt", c.ClientCert}, Field{"tls.key", c.ClientKey})
	}
	if ca != "" {
		data = append(data, Field{"ca.crt", ca})
	}
	objs := []Object{fluxSecret(ns, name, data)}
	if c.Proxy != "" {
		// The GitRepository names it in spec.proxySecretRef, beside spec.secretRef.
		proxy := Object{{"address", c.Proxy}}
		if c.ProxyUsername != "" {
			proxy = append(proxy, Field{"username", c.ProxyUsername}, Field{"password", c.ProxyPassword})
		}
		objs = append(objs, fluxSecret(ns, name+"-proxy", proxy))
	}
	return objs, nil
}

// fluxProxyNote says how a GitRepository takes c's proxy ("" without one): its Secret is named in
// spec.proxySecretRef, and Flux has no no-proxy list.
func fluxProxyNote(c providers.Credentials) string {
	if c.Proxy == "" {
		return ""
	}
	n := "the GitRepository objects that reference this Secret need spec.proxySecretRef.name set to the proxy's Secret (exported beside it, its name ending in -proxy)"
	if c.NoProxy != "" {
		n += "; Flux's proxy settings have no no-proxy list: " + c.NoProxy + " is not exported"
	}
	return n
}

func fluxSecret(ns, name string, data Object) Object {
	return Object{
		{"apiVersion", "v1"},
		{"kind", "Secret"},
		{"metadata", Object{
			{"name", name},
			{"namespace", ns},
			{"labels", Object{{"app.kubernetes.io/managed-by", "gitopscfg"}}},
		}},
		{"type", "Opaque"},
		{"stringData", data},
	}
}
