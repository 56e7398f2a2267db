package usecase

import (
	"context"
	"fmt"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
)

// Exporters are the platforms whose credentials are Kubernetes manifests, by name.
var exporters = map[string]func(context.Context, *providers.Env, providers.Credentials, platforms.ExportOptions) ([]platforms.Object, error){
	"argocd": platforms.ArgoCD,
	"flux": func(_ context.Context, _ *providers.Env, c providers.Credentials, o platforms.ExportOptions) ([]platforms.Object, error) {
		return platforms.Flux(c, o)
	},
}

// ExportInput is one export of stored credentials as a platform's manifests.
type ExportInput struct {
	// Platform is argocd or flux.
	Platform string
	// Credential names the credentials ("": the active provider).
	Credential string
	// Force exports credentials the freshness gate refuses.
	Force    bool
	Manifest platforms.ExportOptions
}

// Exported is what an export made: the manifests hold the token.
type Exported struct {
	Credential string
	Objects    []platforms.Object
	// Forced is the freshness gate's refusal that Force overrode (nil: none).
	Forced *NotFreshError
}

// Export renders stored credentials as the platform's Kubernetes manifests, after the freshness
// gate. Errors: *UsageError (an unknown platform or provider; the platform's refusal, token
// masked), *NotFreshError.
func (b *Backend) Export(ctx context.Context, d *config.Data, in ExportInput) (Exported, error) {
	render, ok := exporters[in.Platform]
	if !ok {
		return Exported{}, &UsageError{Msg: fmt.Sprintf("unknown platform %q: export argocd or flux", in.Platform)}
	}
	name, sp, forced, err := gated(d, in.Credential, in.Force)
	out := Exported{Credential: name, Forced: forced}
	if err != nil {
		return out, err
	}
	creds := providers.FromConfig(name, sp)
	env := b.Env(providers.DefaultTimeout)
	ctx, cancel := context.WithTimeout(ctx, env.Timeout)
	defer cancel()
	out.Objects, err = render(ctx, env, creds, in.Manifest)
	if err != nil {
		return out, &UsageError{Msg: creds.Redact(err.Error())}
	}
	return out, nil
}
