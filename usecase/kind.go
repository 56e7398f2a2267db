package usecase

import (
	"fmt"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// TokensOnlyError is a push to Devtron refused because the credential is not a token (a GitHub
// App, a service principal): Devtron's GitOps configuration holds a username and a token, and no
// other kind of identity. Nothing was sent.
type TokensOnlyError struct {
	Credential string
	// Kind is the credential's kind (config.CredentialGitHubApp, …).
	Kind string
	// Certificate is set for a service principal that signs in with a certificate, which Argo
	// CD does not take either.
	Certificate bool
}

func (e *TokensOnlyError) Error() string {
	what := "a " + e.Kind
	switch e.Kind {
	case config.CredentialGitHubApp:
		what = "a GitHub App"
	case config.CredentialServicePrincipal:
		what = "a service principal"
	}
	elsewhere := "Argo CD or Flux"
	if e.Kind == config.CredentialServicePrincipal {
		elsewhere = "Argo CD" // Flux takes a workload identity for Azure DevOps, not a client secret
	}
	if e.Certificate {
		return fmt.Sprintf("Devtron takes tokens only: %s is a service principal with a client certificate, and Devtron's GitOps "+
			"configuration holds a username and a token, nothing else (nor does Argo CD take the certificate: `gitopscfg export "+
			"argocd %s` says what to do instead). Give Devtron a token of its own", e.Credential, e.Credential)
	}
	return fmt.Sprintf("Devtron takes tokens only: %s is %s, and Devtron's GitOps configuration holds a username and a token, "+
		"nothing else. Export %s to %s instead (gitopscfg export argocd %s), and give Devtron a token of its own",
		e.Credential, what, e.Credential, elsewhere, e.Credential)
}

// TokensOnly refuses a push to Devtron of the credential name ("": the active one) when it is
// not a token (see TokensOnlyError); a credential that cannot be resolved is left to the push.
func TokensOnly(d *config.Data, name string) error {
	name, c, err := Deliverable(d, name)
	if err != nil {
		return nil
	}
	if k := c.CredentialKind(); k != config.CredentialToken {
		return &TokensOnlyError{Credential: name, Kind: k, Certificate: providers.UsesCertificate(providers.FromConfig(name, c))}
	}
	return nil
}

// rotatable refuses to rotate a GitHub App, whose private key does not expire and is replaced by
// setting a new one, and a service principal's certificate, replaced the same way (UsageError); a
// service principal's client secret rotates by hand, as a token.
func rotatable(name string, c *config.Credential) error {
	if creds := providers.FromConfig(name, c); providers.UsesCertificate(creds) {
		return &UsageError{Msg: fmt.Sprintf("%s is a service principal that signs in with a certificate: it has no token to rotate. "+
			"To replace the certificate, make a new one, upload its public part on %s (tab Certificates), give it with "+
			"`gitopscfg set %s --sp-cert FILE`, then delete the old one there", name, providers.ClientSecretsPage(creds), name)}
	}
	switch c.CredentialKind() {
	case config.CredentialToken, config.CredentialServicePrincipal:
		// A service principal's client secret expires like a token and is replaced by hand, on
		// the app registration's Certificates & secrets page.
		return nil
	case config.CredentialGitHubApp:
		slug := ""
		if c.LastCheck != nil && c.LastCheck.OK {
			slug = c.LastCheck.User // an App's check reports its slug as the user
		}
		page := providers.GitHubAppKeyPage(providers.FromConfig(name, c), slug)
		return &UsageError{Msg: fmt.Sprintf("%s is a GitHub App: it has no token to rotate, and its private key does not expire. "+
			"To replace the key, generate a new one on %s, give it with `gitopscfg set %s --app-key FILE`, "+
			"then delete the old one there", name, page, name)}
	}
	return &UsageError{Msg: fmt.Sprintf("%s is of kind %s, which has no token to rotate: give its new secret with `gitopscfg set %s`", name, c.CredentialKind(), name)}
}
