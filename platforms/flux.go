package platforms

import (
	"context"
	"fmt"

	"gitopscfg/config"
	"gitopscfg/providers"
)

func init() {
	register(Spec{Kind: KindFlux, Name: "Flux",
		Export: func(_ context.Context, _ *providers.Env, c providers.Credentials, o ExportOptions) ([]Object, error) {
			return Flux(c, o)
		}})
}

// Flux returns the Secret a Flux GitRepository references in spec.secretRef: basic auth
// (username, password) and ca.crt for a private CA, as `flux create secret git --export` writes.
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
	ns := o.Namespace
	if ns == "" {
		ns = "flux-system"
	}
	name := o.Name
	if name == "" {
		name = secretBase(c)
	}
	if err := checkNames(ns, name); err != nil {
		return nil, err
	}
	ca, err := readCA(c.CABundle)
	if err != nil {
		return nil, err
	}
	data := Object{{"username", providers.GitUsername(c)}, {"password", c.Token}}
	if isGitHubApp(c) {
		data = fluxGitHubAppData(c)
	}
	if ca != "" {
		data = append(data, Field{"ca.crt", ca})
	}
	return []Object{{
		{"apiVersion", "v1"},
		{"kind", "Secret"},
		{"metadata", Object{
			{"name", name},
			{"namespace", ns},
			{"labels", Object{{"app.kubernetes.io/managed-by", "gitopscfg"}}},
		}},
		{"type", "Opaque"},
		{"stringData", data},
	}}, nil
}
