package providers

// The field help below answers three questions for every input: what it is, where to find or create
// it, and (for tokens) exactly which scopes to tick. Labels follow Devtron's GitOps page.

func hostField(label, def, help string) Field {
	return Field{Key: FieldHost, Label: label, Placeholder: def, Example: def, Help: help}
}

func usernameField(help, example string) Field {
	return Field{Key: FieldUsername, Label: "Username", Help: help, Example: example}
}

func tokenField(label, help string) Field {
	return Field{Key: FieldToken, Label: label, Help: help, Secret: true}
}

var advancedFields = []Field{
	{Key: FieldAPIURL, Label: "API URL", Optional: true, Advanced: true,
		Help: "Only for unusual set-ups: the REST API base URL, when it cannot be derived from the Git host " +
			"(for example a proxy or a self-hosted server behind another path). Leave empty to derive it."},
	{Key: FieldCABundle, Label: "CA bundle", Optional: true, Advanced: true, Example: "/etc/ssl/certs/corp-ca.pem",
		Help: "Only for self-hosted servers whose TLS certificate is signed by a private certificate authority: " +
			"the path of a PEM file with that CA's certificate. It is added to the system's trusted roots for " +
			"this provider's API and Git requests. TLS verification is never turned off."},
}

var registry = []Provider{
	{
		ID: GitHub, Name: "GitHub", DefaultHost: "https://github.com/", OrgNoun: "organisation",
		tokenPath: "/settings/tokens",
		Fields: append([]Field{
			hostField("Git Host", "https://github.com/",
				"The address of your GitHub server. Keep https://github.com/ for GitHub.com; for GitHub "+
					"Enterprise Server enter its address, e.g. https://github.example.com/ (the API is then at /api/v3)."),
			{Key: FieldOrg, Label: "GitHub Organisation Name", Example: "acme-gitops",
				Help: "The organisation in which the GitOps repositories are created: the name in its URL, " +
					"https://github.com/<name>. Your organisations are listed at https://github.com/settings/organizations. " +
					"Your account must be allowed to create repositories there."},
			usernameField("Your GitHub username (your login, as shown in your profile URL https://github.com/<username>).", "octocat"),
			tokenField("Personal Access Token",
				"A classic personal access token, created at <host>/settings/tokens/new (GitHub.com: "+
					"https://github.com/settings/tokens/new). Tick the scopes: repo (create private repositories, clone "+
					"and push), delete_repo (delete repositories), and admin:org (asked for by the GitOps platform's "+
					"documentation). Fine-grained tokens (github_pat_…) also work when given Administration read/write, "+
					"Contents read/write and Metadata read on the organisation; their permissions cannot be listed, "+
					"so some checks can only warn. If the organisation uses SAML single sign-on, authorise the token for it."),
		}, advancedFields...),
		Scopes: []Scope{
			{Name: "repo", Why: "needed to create private repositories and to clone and push to them"},
			{Name: "delete_repo", Why: "needed to delete repositories (the round-trip check deletes its throw-away repository)"},
			{Name: "admin:org", Why: "listed in the GitOps platform's documentation; no GitOps call needs it", Advisory: true},
		},
	},
	{
		ID: GitLab, Name: "GitLab", DefaultHost: "https://gitlab.com/", OrgNoun: "group",
		tokenPath: "/-/user_settings/personal_access_tokens",
		Fields: append([]Field{
			hostField("Git Host", "https://gitlab.com/",
				"The address of your GitLab server. Keep https://gitlab.com/ for GitLab.com; for a self-managed "+
					"instance enter its address, e.g. https://gitlab.example.com/ (the API is then at /api/v4)."),
			{Key: FieldOrg, Label: "GitLab Group ID", Example: "81234567 or acme/gitops",
				Help: "The group in which the GitOps repositories (projects) are created: its numeric ID (shown on the " +
					"group's overview page, under the name, and in Settings > General) or its full path as in the " +
					"group's URL, e.g. acme/gitops for a subgroup. You need at least the role the group requires to create projects (usually Maintainer)."},
			usernameField("Your GitLab username, as shown in your profile (the @name without the @).", "jdoe"),
			tokenField("Personal Access Token",
				"A personal (or group) access token, created at <host>/-/user_settings/personal_access_tokens "+
					"(GitLab.com: https://gitlab.com/-/user_settings/personal_access_tokens). Tick the scopes api and "+
					"write_repository, and choose an expiry date you will be reminded of."),
		}, advancedFields...),
		Scopes: []Scope{
			{Name: "api", Why: "needed to create, read and delete projects in the group"},
			{Name: "write_repository", Why: "needed to push to the GitOps repositories over HTTPS"},
		},
	},
	{
		ID: Azure, Name: "Azure DevOps", DefaultHost: "https://dev.azure.com/", OrgNoun: "project",
		Fields: append([]Field{
			hostField("Azure DevOps Organisation URL", "https://dev.azure.com/<organisation>",
				"The address of your Azure DevOps organisation, e.g. https://dev.azure.com/acme (organisations are "+
					"listed at https://aex.dev.azure.com/). For Azure DevOps Server, the collection URL, e.g. "+
					"https://tfs.example.com/DefaultCollection."),
			{Key: FieldOrg, Label: "Azure DevOps Project Name", Example: "gitops",
				Help: "The project in which the GitOps repositories are created: its name as shown at " +
					"https://dev.azure.com/<organisation>/<project>."},
			usernameField("Any non-empty name: Azure DevOps authenticates the token alone. Your e-mail address is a good choice.", "jdoe@example.com"),
			tokenField("Azure DevOps Access Token",
				"A personal access token, created at https://dev.azure.com/<organisation>/_usersSettings/tokens "+
					"(User settings > Personal access tokens). Choose the organisation, then under Scopes choose "+
					"Custom defined and tick Code: Read, write, & manage."),
		}, advancedFields...),
		Scopes: []Scope{
			{Name: "vso.code_manage", Why: "Code (read, write & manage): needed to create, clone, push to and delete repositories"},
		},
	},
	{
		ID: Bitbucket, Name: "Bitbucket Cloud", DefaultHost: "https://bitbucket.org/", OrgNoun: "workspace",
		tokenURL: "https://id.atlassian.com/manage-profile/security/api-tokens",
		Fields: append([]Field{
			hostField("Bitbucket Host", "https://bitbucket.org/", "The Bitbucket Cloud address; keep https://bitbucket.org/."),
			{Key: FieldOrg, Label: "Bitbucket Workspace ID", Example: "acme",
				Help: "The workspace in which the GitOps repositories are created: the ID in its URL, " +
					"https://bitbucket.org/<workspace-id>/ (Workspace settings > Workspace ID)."},
			{Key: FieldProjectKey, Label: "Bitbucket Project Key", Optional: true, Example: "GITOPS",
				Help: "Optional: the key of the project in the workspace that gets the repositories (upper-case letters " +
					"and digits, shown in the project's settings). Left empty, the workspace's oldest project is used."},
			usernameField("The e-mail address of your Atlassian account: Bitbucket API tokens authenticate the REST API "+
				"with it. (Git itself is given the fixed username x-bitbucket-api-token-auth.)", "jdoe@example.com"),
			tokenField("Personal Access Token",
				"A Bitbucket API token with scopes, created at https://id.atlassian.com/manage-profile/security/api-tokens "+
					"(Create API token with scopes, app: Bitbucket). Tick read:repository:bitbucket, write:repository:bitbucket, "+
					"admin:repository:bitbucket, delete:repository:bitbucket, read:workspace:bitbucket and read:project:bitbucket. "+
					"App passwords no longer work: Bitbucket removed them on 2026-07-28."),
		}, advancedFields...),
		Scopes: []Scope{
			{Name: "read:repository:bitbucket", Why: "needed to clone the GitOps repositories"},
			{Name: "write:repository:bitbucket", Why: "needed to push to the GitOps repositories"},
			{Name: "admin:repository:bitbucket", Why: "needed to create repositories"},
			{Name: "delete:repository:bitbucket", Why: "needed to delete repositories (the round-trip check deletes its throw-away repository)"},
			{Name: "read:workspace:bitbucket", Why: "needed to read the workspace"},
			{Name: "read:project:bitbucket", Why: "needed to read the project that holds the repositories"},
		},
	},
}
