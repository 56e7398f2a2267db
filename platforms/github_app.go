package platforms

import (
	"net/url"
	"strings"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// A GitHub App's exports (ARCHITECTURE.md: the platforms' exports): Argo CD and Flux take the
// App's ID, its installation and its private key, and mint their own installation tokens.

// isGitHubApp reports whether c is a GitHub App.
func isGitHubApp(c providers.Credentials) bool { return c.Kind == config.CredentialGitHubApp }

// gitHubAppAPIBase is the REST API base URL of c's GitHub Enterprise Server, "" for github.com
// (whose API both platforms default to).
func gitHubAppAPIBase(c providers.Credentials) string {
	if u, err := url.Parse(strings.TrimSpace(c.Host)); err == nil && strings.EqualFold(u.Hostname(), "github.com") && c.APIURL == "" {
		return ""
	}
	base, err := providers.APIBase(c.Provider, c.Host, c.APIURL)
	if err != nil || strings.EqualFold(base, "https://api.github.com") {
		return ""
	}
	return base
}

// argoCDGitHubAppData is the stringData of Argo CD's Secret for a GitHub App (Argo CD's
// declarative setup, "GitHub App repositories"). Without a stored installation, Argo CD finds
// the organisation's itself.
func argoCDGitHubAppData(c providers.Credentials, target string) Object {
	data := Object{{"type", "git"}, {"url", target}, {"githubAppID", strings.TrimSpace(c.AppID)}}
	if id := strings.TrimSpace(c.InstallationID); id != "" {
		data = append(data, Field{"githubAppInstallationID", id})
	}
	data = append(data, Field{"githubAppPrivateKey", c.Token})
	if base := gitHubAppAPIBase(c); base != "" {
		data = append(data, Field{"githubAppEnterpriseBaseUrl", base})
	}
	return data
}

// fluxGitHubAppData is the stringData of Flux's Secret for a GitHub App (a GitRepository of
// provider github): the installation by its ID, else by its owner, the organisation.
func fluxGitHubAppData(c providers.Credentials) Object {
	data := Object{{"githubAppID", strings.TrimSpace(c.AppID)}}
	if id := strings.TrimSpace(c.InstallationID); id != "" {
		data = append(data, Field{"githubAppInstallationID", id})
	} else {
		data = append(data, Field{"githubAppInstallationOwner", strings.TrimSpace(c.Org)})
	}
	data = append(data, Field{"githubAppPrivateKey", c.Token})
	if base := gitHubAppAPIBase(c); base != "" {
		data = append(data, Field{"githubAppBaseURL", base})
	}
	return data
}

// FluxNote is what the admin must set beside the Secret Flux gets for c ("" nothing): a GitHub
// App's GitRepository says provider: github; a proxy's Secret is named in spec.proxySecretRef.
func FluxNote(c providers.Credentials) string {
	var notes []string
	if isGitHubApp(c) {
		notes = append(notes, "the GitRepository objects that reference this Secret need spec.provider: github, so that Flux mints the App's installation tokens")
	}
	if n := fluxProxyNote(c); n != "" {
		notes = append(notes, n)
	}
	if n := inPlaceCertNote(c); n != "" {
		notes = append(notes, n)
	}
	return strings.Join(notes, "; ")
}
