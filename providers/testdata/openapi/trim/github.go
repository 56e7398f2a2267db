package main

// GitHub's description: of GitHub's OpenAPI description (npm @octokit/openapi,
// generated/api.github.com.json), trim keeps the operations gitopscfg sends and the components
// they refer to, without examples, in github/api.github.com.trimmed.json:
//
//	npm pack @octokit/openapi && tar xzf octokit-openapi-*.tgz
//	go run ./providers/testdata/openapi/trim github package/generated/api.github.com.json
//
// The operations are listed in githubOps below; the faithful-emulator test (providers,
// TestGitHubTrafficMatchesOpenAPI) validates the requests and answers of each against them.
func init() {
	descriptions["github"] = description{out: "github/api.github.com.trimmed.json", ops: githubOps,
		top: []string{"openapi", "info", "servers"}, pathParams: true}
}

// githubOps are the operations gitopscfg sends to GitHub: path → methods.
var githubOps = map[string][]string{
	"/user":                                {"get"},
	"/orgs/{org}":                          {"get"},
	"/user/memberships/orgs/{org}":         {"get"},
	"/orgs/{org}/repos":                    {"post"},
	"/repos/{owner}/{repo}":                {"get", "delete"},
	"/app":                                 {"get"},
	"/orgs/{org}/installation":             {"get"},
	"/app/installations/{installation_id}": {"get"},
	"/app/installations/{installation_id}/access_tokens": {"post"},
	"/installation/repositories":                         {"get"},
	"/installation/token":                                {"delete"},
}
