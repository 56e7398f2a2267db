package fake

import "gitopscfg/providers"

// demoCredentials are the full-access credentials of each emulator, without host or API URL.
func demoCredentials(id providers.ID) providers.Credentials {
	c := providers.Credentials{Provider: id}
	switch id {
	case providers.GitHub:
		c.Org, c.Username, c.Token = GitHubOrg, GitHubUser, GitHubTokenFull
	case providers.GitLab:
		c.Org, c.Username, c.Token = GitLabGroupPath, GitLabUser, GitLabTokenFull
	case providers.Azure:
		c.Org, c.Username, c.Token = AzureProject, AzureUser, AzureTokenFull
	case providers.Bitbucket:
		c.Org, c.ProjectKey, c.Username, c.Token = BitbucketWorkspace, BitbucketProjectKey, BitbucketEmail, BitbucketTokenFull
	case providers.Gitea:
		c.Org, c.Username, c.Token = GiteaOrg, GiteaUser, GiteaTokenFull
	}
	return c
}

// hostPath is what follows the emulator's base URL in the Git host; the API base URL is derived
// from the host exactly as for the real provider's self-hosted form (see providers.APIBase).
func hostPath(id providers.ID) string {
	if id == providers.Azure {
		return "/" + AzureOrganisation
	}
	return "/"
}

func apiPath(id providers.ID) string {
	switch id {
	case providers.GitHub:
		return "/api/v3"
	case providers.GitLab:
		return "/api/v4"
	case providers.Azure:
		return "/" + AzureOrganisation
	case providers.Bitbucket:
		return "/2.0"
	case providers.Gitea:
		return "/api/v1"
	}
	return ""
}
