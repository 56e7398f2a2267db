package fake

import "net/http"

// Bitbucket Cloud emulator identities and tokens.
const (
	BitbucketWorkspace  = "acme"
	BitbucketProjectKey = "GITOPS"
	BitbucketEmail      = "jdoe@example.com"
	BitbucketTokenFull  = "ATATTdemoFullAccess000000000000000000"
)

func newBitbucket() http.Handler { return http.NotFoundHandler() }
