package fake

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"gitopscfg/config"
	"gitopscfg/providers"
)

func init() {
	register(emulator{id: providers.GitHub, handler: newGitHub, hostPath: "/", apiPath: "/api/v3",
		demo: providers.Credentials{Provider: providers.GitHub, Settings: config.Settings{Org: GitHubOrg, Username: GitHubUser, Token: GitHubTokenFull}}})
}

// GitHub emulator identities and tokens. The API answers under /api/v3, as GitHub Enterprise
// Server does. Each token selects a scenario; any other token is rejected like an unknown one
// (401 Bad credentials). Two organisations exist, GitHubOrg and GitHubOrgInfra; any other does not
// (404). A scenario's user belongs to both alike (same role and state), so every scenario answers
// the same for either; each organisation has its own repositories.
const (
	GitHubOrg = "acme"
	// GitHubOrgInfra is the second organisation, for a second GitHub credential.
	GitHubOrgInfra = "acme-infra"
	GitHubUser     = "octocat"
	GitHubUserID   = 583231

	// GitHubTokenFull has every required classic scope, an active owner membership and a distant expiry.
	GitHubTokenFull = "ghp_demoFullAccess0000000000000000000000"
	// GitHubTokenNoRepo lacks repo (it has public_repo, a part of it).
	GitHubTokenNoRepo = "ghp_demoNoRepoScope000000000000000000000"
	// GitHubTokenNoDeleteRepo lacks delete_repo.
	GitHubTokenNoDeleteRepo = "ghp_demoNoDeleteRepo00000000000000000000"
	// GitHubTokenNoAdminOrg lacks the advisory admin:org (it has read:org).
	GitHubTokenNoAdminOrg = "ghp_demoNoAdminOrg0000000000000000000000"
	// GitHubTokenNoScopes is a classic token whose X-OAuth-Scopes header is empty.
	GitHubTokenNoScopes = "ghp_demoNoScopesAtAll0000000000000000000"
	// GitHubTokenFineGrained is a fine-grained token: no X-OAuth-Scopes header, and it may not
	// read the caller's membership (no Members permission).
	GitHubTokenFineGrained = "github_pat_11DEMOFINEGRAINED00000_demoFineGrainedAccess00000000000000000000000000000000000000"
	// GitHubTokenAppUser is a GitHub App's user access token (ghu_): no X-OAuth-Scopes header;
	// its permissions are the App's.
	GitHubTokenAppUser = "ghu_demoAppUserAccess0000000000000000000"
	// GitHubTokenExpired is past its expiry date: GitHub answers 401 Bad credentials.
	GitHubTokenExpired = "ghp_demoExpiredToken00000000000000000000"
	// GitHubTokenRevoked was revoked: 401 Bad credentials.
	GitHubTokenRevoked = "ghp_demoRevokedToken00000000000000000000"
	// GitHubTokenUnknown was never issued: 401 Bad credentials.
	GitHubTokenUnknown = "ghp_demoUnknownToken00000000000000000000"
	// GitHubTokenExpiringSoon expires in 5 days (header layout "2006-01-02 15:04:05 UTC").
	GitHubTokenExpiringSoon = "ghp_demoExpiringSoon00000000000000000000"
	// GitHubTokenExpiryOffset expires in 60 days (header layout "2006-01-02 15:04:05 +0200").
	GitHubTokenExpiryOffset = "ghp_demoExpiryOffset00000000000000000000"
	// GitHubTokenSSO is not authorised for the organisation's SAML single sign-on.
	GitHubTokenSSO = "ghp_demoSamlSsoNotAuthorized000000000000"
	// GitHubTokenRateLimited has used up its primary rate limit.
	GitHubTokenRateLimited = "ghp_demoRateLimited000000000000000000000"
	// GitHubTokenNotMember belongs to a user who is not a member of the organisation.
	GitHubTokenNotMember = "ghp_demoNotAMember0000000000000000000000"
	// GitHubTokenNotAdmin belongs to a plain member (role member), not an owner.
	GitHubTokenNotAdmin = "ghp_demoMemberNotOwner000000000000000000"
	// GitHubTokenBillingManager belongs to the organisation's billing manager (membership role
	// billing_manager): it cannot create repositories (POST /orgs/{org}/repos answers 403).
	GitHubTokenBillingManager = "ghp_demoBillingManager000000000000000000"
	// GitHubTokenPending belongs to a user whose invitation is still pending.
	GitHubTokenPending = "ghp_demoPendingInvite0000000000000000000"

	// Round-trip (deep) scenarios. GitHubTokenFull passes the whole round trip, and
	// GitHubTokenNoDeleteRepo (no delete_repo) gets 403 "Must have admin rights to Repository." on
	// DELETE, which leaves the repository behind. (*Emulators).AddRepo pre-creates a name.

	// GitHubTokenCreateForbidden is a plain member of an organisation that does not let members
	// create repositories: GET /orgs/{org} omits the members_can_create_* fields (GitHub shows them
	// to owners only), and POST /orgs/{org}/repos answers 403 "You need admin access to the
	// organization before adding a repository to it."
	GitHubTokenCreateForbidden = "ghp_demoOrgForbidsCreate0000000000000000"
	// GitHubTokenPushRejected has every scope, but Git refuses its pushes with 403 "Permission to
	// acme/<repo>.git denied to octocat." (as for a fine-grained token without Contents write).
	GitHubTokenPushRejected = "ghp_demoGitPushRejected00000000000000000"
	// GitHubTokenSlowVisibility has every scope; a repository it creates is answered 404 by
	// GET /repos/{owner}/{repo} for the first GitHubHiddenReads reads (the API is slow to show it).
	GitHubTokenSlowVisibility = "ghp_demoSlowToShowRepo000000000000000000"
	// GitHubTokenNeverVisible has every scope; a repository it creates is created (Git serves it,
	// DELETE removes it), but GET /repos/{owner}/{repo} answers 404 for it, ever.
	GitHubTokenNeverVisible = "ghp_demoRepoNeverShows000000000000000000"
)

// GitHubHiddenReads is how many reads miss a repository created with GitHubTokenSlowVisibility.
const GitHubHiddenReads = 3

// GitHubRateLimitReset is how long after a request the rate-limited scenario's limit resets.
const GitHubRateLimitReset = 37 * time.Minute

type gitHubScenario struct {
	valid       bool
	login       string
	scopes      *string // nil: no X-OAuth-Scopes header (fine-grained tokens)
	fineGrained bool
	expiresIn   time.Duration // 0: no expiry header
	offsetZone  bool          // write the expiry with a numeric zone offset
	sso         bool
	rateLimited bool
	role, state string // membership; state "" means not a member
	// Round-trip scenarios.
	createForbidden, pushRejected, slowVisibility, neverVisible bool
}

func ghScopes(s string) *string { return &s }

var gitHubScenarios = map[string]gitHubScenario{
	GitHubTokenFull:           {valid: true, scopes: ghScopes("admin:org, delete_repo, repo, workflow"), expiresIn: 90 * 24 * time.Hour, role: "admin", state: "active"},
	GitHubTokenNoRepo:         {valid: true, scopes: ghScopes("admin:org, delete_repo, public_repo"), role: "admin", state: "active"},
	GitHubTokenNoDeleteRepo:   {valid: true, scopes: ghScopes("admin:org, repo"), role: "admin", state: "active"},
	GitHubTokenNoAdminOrg:     {valid: true, scopes: ghScopes("delete_repo, read:org, repo"), role: "admin", state: "active"},
	GitHubTokenNoScopes:       {valid: true, scopes: ghScopes(""), role: "admin", state: "active"},
	GitHubTokenFineGrained:    {valid: true, fineGrained: true, expiresIn: 30 * 24 * time.Hour, role: "admin", state: "active"},
	GitHubTokenAppUser:        {valid: true, fineGrained: true, expiresIn: 8 * time.Hour, role: "admin", state: "active"},
	GitHubTokenExpiringSoon:   {valid: true, scopes: ghScopes("admin:org, delete_repo, repo"), expiresIn: 5*24*time.Hour + time.Hour, role: "admin", state: "active"},
	GitHubTokenExpiryOffset:   {valid: true, scopes: ghScopes("admin:org, delete_repo, repo"), expiresIn: 60 * 24 * time.Hour, offsetZone: true, role: "admin", state: "active"},
	GitHubTokenSSO:            {valid: true, scopes: ghScopes("admin:org, delete_repo, repo"), sso: true, role: "admin", state: "active"},
	GitHubTokenRateLimited:    {valid: true, scopes: ghScopes("admin:org, delete_repo, repo"), rateLimited: true, role: "admin", state: "active"},
	GitHubTokenNotMember:      {valid: true, scopes: ghScopes("admin:org, delete_repo, repo")},
	GitHubTokenNotAdmin:       {valid: true, scopes: ghScopes("admin:org, delete_repo, repo"), role: "member", state: "active"},
	GitHubTokenPending:        {valid: true, scopes: ghScopes("admin:org, delete_repo, repo"), role: "member", state: "pending"},
	GitHubTokenBillingManager: {valid: true, scopes: ghScopes("admin:org, delete_repo, repo"), role: "billing_manager", state: "active"},

	GitHubTokenCreateForbidden: {valid: true, scopes: ghScopes("admin:org, delete_repo, repo"), role: "member", state: "active", createForbidden: true},
	GitHubTokenPushRejected:    {valid: true, scopes: ghScopes("admin:org, delete_repo, repo"), role: "admin", state: "active", pushRejected: true},
	GitHubTokenSlowVisibility:  {valid: true, scopes: ghScopes("admin:org, delete_repo, repo"), role: "admin", state: "active", slowVisibility: true},
	GitHubTokenNeverVisible:    {valid: true, scopes: ghScopes("admin:org, delete_repo, repo"), role: "admin", state: "active", neverVisible: true},
}

// gitHubOrgInfo is one organisation of the emulator.
type gitHubOrgInfo struct {
	login, name, description, nodeID string
	id                               int64
}

// gitHubOrgs are the emulator's organisations; GitHubOrg first.
var gitHubOrgs = []gitHubOrgInfo{
	{login: GitHubOrg, name: "Acme", description: "Acme's GitOps repositories", id: 9919, nodeID: "MDEyOk9yZ2FuaXphdGlvbjk5MTk="},
	{login: GitHubOrgInfra, name: "Acme Infra", description: "Acme's infrastructure repositories", id: 9920, nodeID: "MDEyOk9yZ2FuaXphdGlvbjk5MjA="},
}

// gitHubOrgNamed finds an organisation by its login, in any case, as GitHub does.
func gitHubOrgNamed(login string) (gitHubOrgInfo, bool) {
	for _, o := range gitHubOrgs {
		if strings.EqualFold(o.login, login) {
			return o, true
		}
	}
	return gitHubOrgInfo{}, false
}

// gitHubRepo is a repository of one of the emulator's organisations.
type gitHubRepo struct {
	ID int64
	// Org is the organisation's login, as GitHub spells it.
	Org     string
	Name    string
	Private bool
	Created time.Time
	// hiddenReads is how many more GETs answer 404 (GitHubTokenSlowVisibility).
	hiddenReads int
}

// gitHub is the GitHub emulator's state. Scenarios are static; repositories are guarded by mu.
type gitHub struct {
	now func() time.Time
	git *gitBackend // nil: no Git (GitHubHandler); the REST lifecycle still works

	mu     sync.Mutex
	repos  map[string]*gitHubRepo // by lower-case "org/name"
	nextID int64
	// installTokens are the installation tokens minted (github_app.go).
	installTokens map[string]gitHubInstallToken
	revokeFault   int // DELETE /installation/token's status instead of 204 (SetGitHubRevokeFault)
	keys          sshKeys
}

func newGitHub() http.Handler { return GitHubHandler() }

// GitHubHandler returns a fresh GitHub emulator (answering under /api/v3) without the common fault
// markers of Start; tests serve it behind TLS with httptest.
func GitHubHandler() http.Handler {
	return &gitHub{now: time.Now, repos: map[string]*gitHubRepo{}, nextID: 1000}
}

// requestScheme is https when r came over TLS (an emulator served behind TLS answers with
// https URLs, as the real API does), else http.
func requestScheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

func (g *gitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.Path, "/api/v3")
	if !ok {
		if repo, info, isGit := splitGitPath(r.URL.Path); isGit {
			g.serveGit(w, r, repo, info)
			return
		}
		gitHubError(w, http.StatusNotFound, "Not Found", "https://docs.github.com/rest")
		return
	}
	path = strings.TrimSuffix(path, "/")
	h := w.Header()
	h.Set("X-GitHub-Media-Type", "github.v3; format=json")
	h.Set("X-GitHub-Api-Version-Selected", "2022-11-28")
	h.Set("X-GitHub-Request-Id", fmt.Sprintf("DEMO:%X", g.now().UnixNano()&0xffffff))
	h.Set("Vary", "Accept, Authorization, Cookie, X-GitHub-OTP")

	tok := RequestToken(r)
	if tok == "" {
		gitHubError(w, http.StatusUnauthorized, "Requires authentication", "https://docs.github.com/rest")
		return
	}
	base := requestScheme(r) + "://" + r.Host + "/api/v3"
	if g.serveAppJWT(w, r, path, base, tok) {
		return
	}
	sc, known := gitHubScenarios[tok]
	if it, ok := g.installToken(tok); ok {
		if g.serveInstallToken(w, r, path, base, it) {
			return
		}
		sc, known = it.scenario(), true
	}
	if !known || !sc.valid {
		gitHubError(w, http.StatusUnauthorized, "Bad credentials", "https://docs.github.com/rest")
		return
	}
	if sc.login == "" {
		sc.login = GitHubUser
	}
	g.rateHeaders(h, sc)
	if sc.rateLimited {
		gitHubError(w, http.StatusForbidden, fmt.Sprintf("API rate limit exceeded for user ID %d. If you reach out to GitHub Support "+
			"for help, please include the request ID %s.", GitHubUserID, h.Get("X-GitHub-Request-Id")),
			"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api")
		return
	}
	if sc.scopes != nil && !sc.fineGrained {
		h.Set("X-OAuth-Scopes", *sc.scopes)
	}
	if sc.expiresIn > 0 {
		exp := g.now().Add(sc.expiresIn)
		if sc.offsetZone {
			h.Set("GitHub-Authentication-Token-Expiration", exp.In(time.FixedZone("", 2*3600)).Format("2006-01-02 15:04:05 -0700"))
		} else {
			h.Set("GitHub-Authentication-Token-Expiration", exp.UTC().Format("2006-01-02 15:04:05 MST"))
		}
	}
	if g.keys.serve(w, r, path, sc.login, g.hasRepo, func(w http.ResponseWriter, status int, msg string) {
		gitHubError(w, status, msg, "https://docs.github.com/rest/deploy-keys/deploy-keys")
	}) {
		return
	}
	if g.serveRepos(w, r, path, base, sc) {
		return
	}
	if r.Method != http.MethodGet {
		gitHubError(w, http.StatusNotFound, "Not Found", "https://docs.github.com/rest")
		return
	}
	switch {
	case path == "/user":
		g.accepted(h, sc, "", "")
		WriteJSON(w, http.StatusOK, g.user(base, sc.login, true))
	case strings.HasPrefix(path, "/orgs/") && strings.Count(path, "/") == 2:
		g.accepted(h, sc, "admin:org, read:org, repo, user, write:org", "")
		org, ok := gitHubOrgNamed(strings.TrimPrefix(path, "/orgs/"))
		if !ok {
			gitHubError(w, http.StatusNotFound, "Not Found", "https://docs.github.com/rest/orgs/orgs#get-an-organization")
			return
		}
		if sc.sso {
			g.ssoRequired(w, r, org.login)
			return
		}
		WriteJSON(w, http.StatusOK, g.org(base, org, sc))
	case strings.HasPrefix(path, "/user/memberships/orgs/") && strings.Count(path, "/") == 4:
		g.accepted(h, sc, "admin:org, read:org, repo, user, write:org", "members=read")
		org, ok := gitHubOrgNamed(strings.TrimPrefix(path, "/user/memberships/orgs/"))
		switch {
		case !ok || sc.state == "":
			gitHubError(w, http.StatusNotFound, "Not Found", "https://docs.github.com/rest/orgs/members#get-an-organization-membership-for-the-authenticated-user")
		case sc.sso:
			g.ssoRequired(w, r, org.login)
		case sc.fineGrained:
			gitHubError(w, http.StatusForbidden, "Resource not accessible by personal access token",
				"https://docs.github.com/rest/orgs/members#get-an-organization-membership-for-the-authenticated-user")
		default:
			WriteJSON(w, http.StatusOK, map[string]any{
				"url":              base + "/orgs/" + org.login + "/memberships/" + sc.login,
				"state":            sc.state,
				"role":             sc.role,
				"organization_url": base + "/orgs/" + org.login,
				"organization":     g.orgSimple(base, org),
				"user":             g.user(base, sc.login, false),
			})
		}
	default:
		gitHubError(w, http.StatusNotFound, "Not Found", "https://docs.github.com/rest")
	}
}

func (g *gitHub) rateHeaders(h http.Header, sc gitHubScenario) {
	reset := g.now().Add(GitHubRateLimitReset).Unix()
	remaining, used := 4987, 13
	if sc.rateLimited {
		remaining, used = 0, 5000
	}
	h.Set("X-RateLimit-Limit", "5000")
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Used", strconv.Itoa(used))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset, 10))
	h.Set("X-RateLimit-Resource", "core")
}

// accepted sets what the endpoint accepts: classic scopes for classic tokens, fine-grained
// permissions (X-Accepted-GitHub-Permissions) for fine-grained ones.
func (g *gitHub) accepted(h http.Header, sc gitHubScenario, classic, fine string) {
	if sc.fineGrained {
		if fine != "" {
			h.Set("X-Accepted-GitHub-Permissions", fine)
		}
		return
	}
	h.Set("X-Accepted-OAuth-Scopes", classic)
}

func (g *gitHub) ssoRequired(w http.ResponseWriter, r *http.Request, org string) {
	w.Header().Set("X-GitHub-SSO", "required; url=http://"+r.Host+"/orgs/"+org+"/sso?authorization_request=A5DEMO7SSOREQUEST2QJMB")
	gitHubError(w, http.StatusForbidden, "Resource protected by organization SAML enforcement. You must grant your Personal Access "+
		"token access to this organization.", "https://docs.github.com/articles/authenticating-to-a-github-organization-with-saml-single-sign-on/")
}

func gitHubError(w http.ResponseWriter, status int, msg, doc string) {
	WriteJSON(w, status, map[string]any{"message": msg, "documentation_url": doc, "status": strconv.Itoa(status)})
}
