package platforms

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"gitopscfg/providers"
)

// target is what the platforms know of one provider, registered from that provider's own file
// here (platforms/github.go, …), so that a provider's delivery rules live in one place.
type target struct {
	// devtron is Devtron's name for the provider; "" when Devtron has none (Gitea/Forgejo).
	devtron string
	// devtronFill sets cfg's host and the provider's organisation field as Devtron's clients
	// expect them, and says what Devtron will do differently from the stored settings.
	devtronFill func(ctx context.Context, env *providers.Env, c providers.Credentials, cfg *Config) (warnings []string, err error)
	// devtronOrg is the field of a Devtron configuration that names the organisation.
	devtronOrg func(*Config) *string
	// orgPath is the path under the host that the organisation's repositories are cloned from
	// over HTTPS, ending in "/" (nil: /<org>/, as GitHub and Gitea clone).
	orgPath func(ctx context.Context, env *providers.Env, c providers.Credentials, org string) (string, error)
}

var targets = map[providers.ID]target{}

// registerTarget records id's delivery rules; a provider Devtron has needs both Devtron parts.
func registerTarget(id providers.ID, t target) {
	if _, dup := targets[id]; dup {
		panic("platforms: " + string(id) + " registered twice")
	}
	if t.devtron != "" && (t.devtronFill == nil || t.devtronOrg == nil) {
		panic("platforms: " + string(id) + " has a Devtron name but no Devtron configuration")
	}
	targets[id] = t
}

// DevtronProvider is Devtron's name for a provider ("" when Devtron has none, e.g. Gitea).
func DevtronProvider(id providers.ID) string { return targets[id].devtron }

// devtronProviders are the providers Devtron has, in the providers' order.
func devtronProviders() (ids []providers.ID) {
	for _, id := range providers.IDs {
		if targets[id].devtron != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// fromDevtron is the provider Devtron calls name ("" when none).
func fromDevtron(name string) providers.ID {
	for _, id := range devtronProviders() {
		if targets[id].devtron == name {
			return id
		}
	}
	return ""
}

// orgOf is the organisation a Devtron configuration names.
func orgOf(c Config) string {
	if id := fromDevtron(c.Provider); id != "" {
		return *targets[id].devtronOrg(&c)
	}
	return ""
}

// escapePath escapes each segment of a slash-separated path.
func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i := range parts {
		parts[i] = url.PathEscape(parts[i])
	}
	return strings.Join(parts, "/")
}

// hostSlash is the stored host with exactly one trailing slash, as Devtron stores hosts.
func hostSlash(c providers.Credentials) string {
	return strings.TrimRight(strings.TrimSpace(c.Host), "/") + "/"
}

// providerName names id for a message.
func providerName(id providers.ID) string {
	if p, err := providers.Lookup(string(id)); err == nil {
		return p.Name
	}
	return string(id)
}

func joinNames(ids []providers.ID) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = providerName(id)
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func unsupportedMsg(id providers.ID) string {
	return fmt.Sprintf("Devtron's GitOps providers are %s, and it has none for %s; export the credentials for Argo CD or Flux instead (`gitopscfg export argocd %s`)",
		joinNames(devtronProviders()), providerName(id), id)
}
