package providers

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/google/go-github/v84/github"

	"gitopscfg/assets"
	"gitopscfg/config"
)

// GitHub is github.com and GitHub Enterprise Server.
const GitHub ID = "github"

func init() {
	register(Provider{
		ID: GitHub, Name: "GitHub", DefaultHost: "https://github.com/", OrgNoun: "organisation",
		tokenPath: "/settings/tokens", revokeURL: gitHubRevokeURL,
		TokenNoun: "personal access token",
		Fields: append(append(withAdvanced(
			hostField("Git Host", "https://github.com/", "https://github.com/", assets.FieldHelp("github", "host")),
			orgField("GitHub Organisation Name", "acme-gitops", assets.FieldHelp("github", "org"), gitHubOrgName),
			onlyKind(config.CredentialToken, usernameField(assets.FieldHelp("github", "username"), "octocat")),
			onlyKind(config.CredentialToken, tokenField("Personal Access Token", assets.FieldHelp("github", "token"))),
		), append([]Field{urlPrefixField("https://github.com/acme/team-a-", assets.FieldHelp("github", "url_prefix")),
			repoField("acme/gitops-apps", false, assets.FieldHelp("github", "repo"))}, gitHubAppFields...)...), sshFields...),
		Kinds: []string{config.CredentialGitHubApp},
		Scopes: []Scope{
			{Name: "repo", Why: "needed to create private repositories and to clone and push to them"},
			{Name: "delete_repo", Why: "needed to delete repositories (the round-trip check deletes its throw-away repository)", CreateOnly: true},
			{Name: "admin:org", Why: "listed in the GitOps platform's documentation; no GitOps call needs it", Advisory: true},
		},
		TokenPrefixes: []string{"github_pat_", "ghp_", "gho_", "ghu_", "ghs_"},
		apiBase: func(u *url.URL, base string) string {
			if strings.EqualFold(u.Hostname(), "github.com") {
				return "https://api.github.com"
			}
			return base + "/api/v3"
		},
		check:     checkGitHub,
		repos:     newGitHubRepos,
		gitAccess: gitHubGitAccess,
		sshKeys:   gitHubKeys,
	})
}

// gitHubAppFields are a GitHub App's own fields: its ID, its private key (the credential's secret)
// and its installation.
var gitHubAppFields = []Field{
	{Key: FieldAppID, Label: "GitHub App ID", Example: "123456", Help: assets.FieldHelp("github", "app_id"),
		Kinds: []string{config.CredentialGitHubApp}},
	{Key: FieldToken, Label: "GitHub App Private Key", Help: assets.FieldHelp("github", "app_key"), Secret: true,
		Kinds: []string{config.CredentialGitHubApp}},
	{Key: FieldInstallationID, Label: "Installation ID", Example: "12345678", Optional: true,
		Help: assets.FieldHelp("github", "installation_id"), Kinds: []string{config.CredentialGitHubApp}},
}

// gitHubOrgRe is a GitHub organisation name; its length is checked apart (a counted repetition
// compiles into a large program, paid for at every start of the binary).
var gitHubOrgRe = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9])*$`)

// gitHubOrgName is the rule of the organisation field.
func gitHubOrgName(s string) (string, error) {
	if len(s) > 39 || !gitHubOrgRe.MatchString(s) {
		return "", fmt.Errorf("%q is not a GitHub organisation name: use the name from https://github.com/<name> — letters, digits and single hyphens, at most 39 characters, not starting or ending with a hyphen", s)
	}
	return s, nil
}

// gitHubRevokeURL is where token is revoked: fine-grained tokens (github_pat_…) are listed on a
// page of their own, beside the classic tokens' page.
func gitHubRevokeURL(tokenURL, token string) string {
	if strings.HasPrefix(token, "ghu_") {
		return strings.TrimSuffix(tokenURL, "/settings/tokens") + "/settings/apps/authorizations"
	}
	if strings.HasPrefix(token, "github_pat_") {
		return strings.TrimSuffix(tokenURL, "/settings/tokens") + "/settings/personal-access-tokens"
	}
	return tokenURL
}

// gitHubGitAccess names the likely cause of a refused Git request and where to fix it.
func gitHubGitAccess(write bool, tokenURL string) string {
	if write {
		return "the token needs the repo scope (classic) or Contents: read and write (fine-grained), its user write access to the repository, and SAML SSO authorisation if the organisation uses it; a branch protection rule can also refuse the push. Fix the token at " + tokenURL
	}
	return "the token needs the repo scope (classic) or Contents: read (fine-grained). Fix it at " + tokenURL
}

// The live check of GitHub credentials. Three independent requests run at once (one round trip):
// GET /user (authentication, X-OAuth-Scopes, token expiry), GET /orgs/{org} (the organisation
// exists and its repository-creation settings) and GET /user/memberships/orgs/{org} (role and
// state of the caller's membership).

// gitHubScopeCovers lists, for a classic scope, the narrower scopes it includes
// (docs.github.com: "Scopes for OAuth apps").
var gitHubScopeCovers = map[string][]string{
	"repo":      {"repo:status", "repo_deployment", "public_repo", "repo:invite", "security_events"},
	"admin:org": {"write:org", "read:org"},
	"write:org": {"read:org"},
}

// gitHubFineGrainedNeeds says, for each required classic scope, what a fine-grained token needs
// instead; GitHub offers no API that lists a fine-grained token's permissions.
var gitHubFineGrainedNeeds = map[string]string{
	"repo":        "repository permissions Contents: read and write and Metadata: read, and Administration: read and write to create repositories",
	"delete_repo": "repository permission Administration: read and write (deleting repositories)",
}

// gitHubExpiryLayouts are the two layouts GitHub uses in GitHub-Authentication-Token-Expiration
// (google/go-github issue 2649).
var gitHubExpiryLayouts = []string{"2006-01-02 15:04:05 MST", "2006-01-02 15:04:05 -0700"}

// expiryWarnWithin is how close an expiry date must be for the expiry check to warn.
const expiryWarnWithin = 14 * 24 * time.Hour

type gitHubReply[T any] struct {
	val  T
	resp *github.Response
	err  error
}

func (r gitHubReply[T]) status() int {
	if r.resp == nil || r.resp.Response == nil {
		return 0
	}
	return r.resp.StatusCode
}

func (r gitHubReply[T]) header() http.Header {
	if r.resp == nil || r.resp.Response == nil {
		return http.Header{}
	}
	return r.resp.Header
}

// newGitHubClient returns a go-github client for the session's API base on the shared HTTP client.
func newGitHubClient(s *session) (*github.Client, error) {
	return newGitHubClientToken(s, s.Creds.Token)
}

// newGitHubClientToken is newGitHubClient authenticated with tok (a GitHub App's JWT, an
// installation token) in place of the credential's token.
func newGitHubClientToken(s *session, tok string) (*github.Client, error) {
	c := github.NewClient(s.HTTP).WithAuthToken(tok)
	if strings.EqualFold(s.APIBase, "https://api.github.com") {
		return c, nil
	}
	if strings.HasSuffix(s.APIBase, "/api/v3") {
		return c.WithEnterpriseURLs(s.APIBase+"/", s.APIBase+"/")
	}
	// An api_url override that is neither api.github.com nor …/api/v3 (a proxy, say) is used as
	// given; WithEnterpriseURLs would append /api/v3 to it.
	u, err := url.Parse(s.APIBase + "/")
	if err != nil {
		return nil, err
	}
	c.BaseURL, c.UploadURL = u, u
	return c, nil
}
