package platforms

import "gitopscfg/providers"

// Devtron has no Gitea/Forgejo provider; Argo CD and Flux clone from <host>/<owner>/<repo>.
func init() { registerTarget(providers.Gitea, target{}) }
