package providers

import (
	"cmp"
	"strings"
)

// GitUsername is the username Git over HTTPS takes with c's token (the token is the password),
// decided exactly as the round trip decides it: GitHub and GitLab the stored username, Azure
// DevOps any (the stored one), Bitbucket its static names for API and access tokens
// (x-bitbucket-api-token-auth, x-token-auth). "" when the provider is unknown.
func GitUsername(c Credentials) string {
	p, err := Lookup(string(c.Provider))
	if err != nil {
		return ""
	}
	if p.gitOnly {
		return cmp.Or(strings.TrimSpace(c.Username), "gitopscfg")
	}
	api := repoAPIFor(&session{Creds: c, Provider: p})
	if api == nil {
		return ""
	}
	if u := api.GitUsername(); u != "" {
		return u
	}
	return "gitopscfg" // as the round trip: any non-empty name where the provider ignores it
}
