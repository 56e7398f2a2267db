package providers

import "gitopscfg/assets"

// Every field's help (assets/help/<provider>.txt) answers three questions: what it is, where to
// find or create it, and (for tokens) exactly which scopes to tick. Labels follow Devtron's GitOps
// page.

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
		Help: assets.FieldHelp("advanced", "api_url")},
	{Key: FieldCABundle, Label: "CA bundle", Optional: true, Advanced: true, Example: "/etc/ssl/certs/corp-ca.pem",
		Help: assets.FieldHelp("advanced", "ca_bundle")},
}

var registry = []Provider{
	{
		ID: GitHub, Name: "GitHub", DefaultHost: "https://github.com/", OrgNoun: "organisation",
		tokenPath: "/settings/tokens",
		Fields: append([]Field{
			hostField("Git Host", "https://github.com/", assets.FieldHelp("github", "host")),
			{Key: FieldOrg, Label: "GitHub Organisation Name", Example: "acme-gitops",
				Help: assets.FieldHelp("github", "org")},
			usernameField(assets.FieldHelp("github", "username"), "octocat"),
			tokenField("Personal Access Token", assets.FieldHelp("github", "token")),
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
			hostField("Git Host", "https://gitlab.com/", assets.FieldHelp("gitlab", "host")),
			{Key: FieldOrg, Label: "GitLab Group ID", Example: "81234567 or acme/gitops",
				Help: assets.FieldHelp("gitlab", "org")},
			usernameField(assets.FieldHelp("gitlab", "username"), "jdoe"),
			tokenField("Personal Access Token", assets.FieldHelp("gitlab", "token")),
		}, advancedFields...),
		Scopes: []Scope{
			{Name: "api", Why: "needed to create, read and delete projects in the group"},
			{Name: "write_repository", Why: "needed to push to the GitOps repositories over HTTPS"},
		},
	},
	{
		ID: Azure, Name: "Azure DevOps", DefaultHost: "https://dev.azure.com/", OrgNoun: "project",
		Fields: append([]Field{
			hostField("Azure DevOps Organisation URL", "https://dev.azure.com/<organisation>", assets.FieldHelp("azure", "host")),
			{Key: FieldOrg, Label: "Azure DevOps Project Name", Example: "gitops",
				Help: assets.FieldHelp("azure", "org")},
			usernameField(assets.FieldHelp("azure", "username"), "jdoe@example.com"),
			tokenField("Azure DevOps Access Token", assets.FieldHelp("azure", "token")),
		}, advancedFields...),
		Scopes: []Scope{
			{Name: "vso.code_manage", Why: "Code (read, write & manage): needed to create, clone, push to and delete repositories"},
		},
	},
	{
		ID: Bitbucket, Name: "Bitbucket Cloud", DefaultHost: "https://bitbucket.org/", OrgNoun: "workspace",
		tokenURL: "https://id.atlassian.com/manage-profile/security/api-tokens",
		Fields: append([]Field{
			hostField("Bitbucket Host", "https://bitbucket.org/", assets.FieldHelp("bitbucket", "host")),
			{Key: FieldOrg, Label: "Bitbucket Workspace ID", Example: "acme",
				Help: assets.FieldHelp("bitbucket", "org")},
			{Key: FieldProjectKey, Label: "Bitbucket Project Key", Optional: true, Example: "GITOPS",
				Help: assets.FieldHelp("bitbucket", "project_key")},
			usernameField(assets.FieldHelp("bitbucket", "username"), "jdoe@example.com"),
			tokenField("Personal Access Token", assets.FieldHelp("bitbucket", "token")),
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
	{
		ID: Gitea, Name: "Gitea / Forgejo", OrgNoun: "organisation",
		tokenPath: "/user/settings/applications",
		Fields: append([]Field{
			{Key: FieldHost, Label: "Git Host", Placeholder: "https://gitea.example.com/", Example: "https://gitea.example.com/ or https://codeberg.org/",
				Help: assets.FieldHelp("gitea", "host")},
			{Key: FieldOrg, Label: "Organisation", Example: "acme-gitops",
				Help: assets.FieldHelp("gitea", "org")},
			usernameField(assets.FieldHelp("gitea", "username"), "jdoe"),
			tokenField("Access Token", assets.FieldHelp("gitea", "token")),
		}, advancedFields...),
		Scopes: []Scope{
			{Name: "write:organization", Why: "needed to create repositories in the organisation"},
			{Name: "write:repository", Why: "needed to push to the GitOps repositories and to delete repositories (the round-trip check deletes its throw-away repository)"},
			{Name: "read:user", Why: "needed to read who the token belongs to and your permissions in the organisation"},
		},
	},
}
