package fake

import "net/http"

// GitLab emulator identities and tokens.
const (
	GitLabGroupPath = "acme/gitops"
	GitLabUser      = "jdoe"
	GitLabTokenFull = "glpat-demoFullAccess000000"
)

func newGitLab() http.Handler { return http.NotFoundHandler() }
