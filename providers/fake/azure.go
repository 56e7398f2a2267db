package fake

import "net/http"

// Azure DevOps emulator identities and tokens.
const (
	AzureOrganisation = "acme"
	AzureProject      = "gitops"
	AzureUser         = "jdoe@example.com"
	AzureTokenFull    = "azdemofullaccess0000000000000000000000000000000000000"
)

func newAzure() http.Handler { return http.NotFoundHandler() }
