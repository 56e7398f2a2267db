package fake

import "net/http"

// GitHub emulator identities and tokens.
const (
	GitHubOrg       = "acme"
	GitHubUser      = "octocat"
	GitHubTokenFull = "ghp_demoFullAccess0000000000000000000000"
)

func newGitHub() http.Handler { return http.NotFoundHandler() }
