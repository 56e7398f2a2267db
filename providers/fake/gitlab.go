package fake

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"gitopscfg/config"
	"gitopscfg/providers"
)

func init() {
	register(emulator{id: providers.GitLab, handler: newGitLab, hostPath: "/", apiPath: "/api/v4",
		demo: providers.Credentials{Provider: providers.GitLab, Settings: config.Settings{Org: GitLabGroupPath, Username: GitLabUser, Token: GitLabTokenFull}}})
}

// GitLab emulator identities and tokens. The API answers under /api/v4. Each token selects a
// scenario; any other token is unknown (401 {"message":"401 Unauthorized"}). A group other than
// GitLabGroupPath / GitLabGroupID does not exist (404 Group Not Found).
const (
	GitLabGroupPath = "acme/gitops"
	GitLabGroupID   = 81234567
	GitLabUser      = "jdoe"
	GitLabUserID    = 4242
	// GitLabProjectCreationLevel is the group's project_creation_level: Maintainers and above.
	GitLabProjectCreationLevel = "maintainer"

	// GitLabTokenFull has api and write_repository, the Owner role and an expiry 300 days away.
	GitLabTokenFull = "glpat-demoFullAccess000000"
	// GitLabTokenAPIOnly has only api, which covers write_repository; no expiry date.
	GitLabTokenAPIOnly = "glpat-demoApiScopeOnly0000"
	// GitLabTokenNoAPI lacks api (read_api and write_repository).
	GitLabTokenNoAPI = "glpat-demoNoApiScope000000"
	// GitLabTokenNoWriteRepository lacks write_repository and api (read_api, read_repository).
	GitLabTokenNoWriteRepository = "glpat-demoNoWriteRepo00000"
	// GitLabTokenWriteRepositoryOnly has only write_repository: /user and /groups answer 403
	// insufficient_scope.
	GitLabTokenWriteRepositoryOnly = "glpat-demoWriteRepoOnly000"
	// GitLabTokenExpired is past its expiry date: 401 invalid_token "Token is expired. …".
	GitLabTokenExpired = "glpat-demoExpiredToken0000"
	// GitLabTokenRevoked was revoked: 401 invalid_token "Token was revoked. …".
	GitLabTokenRevoked = "glpat-demoRevokedToken0000"
	// GitLabTokenUnknown was never issued: 401 {"message":"401 Unauthorized"}.
	GitLabTokenUnknown = "glpat-demoUnknownToken0000"
	// GitLabTokenExpiringSoon expires in 5 days.
	GitLabTokenExpiringSoon = "glpat-demoExpiringSoon0000"
	// GitLabTokenDeveloper has the Developer role only, below the group's project_creation_level.
	GitLabTokenDeveloper = "glpat-demoDeveloperOnly000"
	// GitLabTokenMaintainer has the Maintainer role: may create, not (usually) delete projects.
	GitLabTokenMaintainer = "glpat-demoMaintainerRole00"
	// GitLabTokenPlanner has the Planner role (15, GitLab 17.7 and later), below Reporter.
	GitLabTokenPlanner = "glpat-demoPlannerRole00000"
	// GitLabTokenAdminLevel is a member at the Admin access level (60).
	GitLabTokenAdminLevel = "glpat-demoAdminAccessLvl60"
	// GitLabTokenNotMember belongs to a user who is not a member of the group.
	GitLabTokenNotMember = "glpat-demoNotAGroupMember0"

	// Round-trip (deep) scenarios. GitLabTokenFull passes the whole round trip (its project is
	// marked for deletion, then removed at once with permanently_remove, as on GitLab 18
	// self-managed); GitLabTokenDeveloper fails the org check, so the round trip does not start;
	// GitLabTokenMaintainer creates the project but DELETE answers 403 (deleting needs Owner),
	// which leaves it behind. (*Emulators).AddRepo pre-creates a name.

	// GitLabTokenCreateForbidden is an Owner for every check the API allows, but POST /projects
	// answers 403 {"message":"403 Forbidden"} (an instance-level restriction the group API does
	// not show).
	GitLabTokenCreateForbidden = "glpat-demoCreateForbidden0"
	// GitLabTokenPushRejected has api and write_repository, but Git refuses its pushes with 403
	// "You are not allowed to push code to this project."
	GitLabTokenPushRejected = "glpat-demoGitPushRejected0"
	// GitLabTokenSlowVisibility: a project it creates is answered 404 by GET /projects/:id for
	// the first GitLabHiddenReads reads.
	GitLabTokenSlowVisibility = "glpat-demoSlowToShowRepo00"
	// GitLabTokenNoImmediateDeletion is on an instance that does not allow immediate deletion
	// (as GitLab.com): DELETE only marks the project for deletion (renamed with
	// "-deletion_scheduled-<id>"), and permanently_remove answers 400.
	GitLabTokenNoImmediateDeletion = "glpat-demoDelayedDeletion0"
)

// GitLabHiddenReads is how many reads miss a project created with GitLabTokenSlowVisibility.
const GitLabHiddenReads = 3

type gitLabScenario struct {
	name        string
	scopes      []string
	access      int // 0: not a member
	expiresDays int // 0: no expiry date
	expired     bool
	revoked     bool
	user        string
	userID      int
	// Round-trip scenarios.
	createForbidden, pushRejected, slowVisibility, noImmediateDeletion bool
	// bot is "group" or "project" for a group or project access token ("": a personal one);
	// noSelfRotation: the instance rotates only personal access tokens by themselves (405).
	bot            string
	noSelfRotation bool
	// projectAccess is a project access token's role in project GitLabBotProjectID.
	projectAccess int
}

var gitLabScenarios = map[string]gitLabScenario{
	GitLabTokenFull:                {name: "gitops", scopes: []string{"api", "write_repository"}, access: 50, expiresDays: 300},
	GitLabTokenAPIOnly:             {name: "gitops-api", scopes: []string{"api"}, access: 50},
	GitLabTokenNoAPI:               {name: "gitops-no-api", scopes: []string{"read_api", "write_repository"}, access: 50, expiresDays: 300},
	GitLabTokenNoWriteRepository:   {name: "gitops-read-only", scopes: []string{"read_api", "read_repository"}, access: 50, expiresDays: 300},
	GitLabTokenWriteRepositoryOnly: {name: "git-push", scopes: []string{"write_repository"}, access: 50, expiresDays: 300},
	GitLabTokenExpired:             {name: "old", scopes: []string{"api", "write_repository"}, access: 50, expiresDays: -3, expired: true},
	GitLabTokenRevoked:             {name: "revoked", scopes: []string{"api", "write_repository"}, access: 50, expiresDays: 300, revoked: true},
	GitLabTokenExpiringSoon:        {name: "gitops-soon", scopes: []string{"api", "write_repository"}, access: 50, expiresDays: 5},
	GitLabTokenDeveloper:           {name: "gitops-dev", scopes: []string{"api", "write_repository"}, access: 30, expiresDays: 300},
	GitLabTokenMaintainer:          {name: "gitops-maint", scopes: []string{"api", "write_repository"}, access: 40, expiresDays: 300},
	GitLabTokenPlanner:             {name: "gitops-planner", scopes: []string{"api", "write_repository"}, access: 15, expiresDays: 300},
	GitLabTokenAdminLevel:          {name: "gitops-admin", scopes: []string{"api", "write_repository"}, access: 60, expiresDays: 300},
	GitLabTokenNotMember:           {name: "gitops-outsider", scopes: []string{"api", "write_repository"}, expiresDays: 300},

	GitLabTokenCreateForbidden:     {name: "gitops-nocreate", scopes: []string{"api", "write_repository"}, access: 50, expiresDays: 300, createForbidden: true},
	GitLabTokenPushRejected:        {name: "gitops-nopush", scopes: []string{"api", "write_repository"}, access: 50, expiresDays: 300, pushRejected: true},
	GitLabTokenSlowVisibility:      {name: "gitops-slow", scopes: []string{"api", "write_repository"}, access: 50, expiresDays: 300, slowVisibility: true},
	GitLabTokenNoImmediateDeletion: {name: "gitops-delayed", scopes: []string{"api", "write_repository"}, access: 50, expiresDays: 300, noImmediateDeletion: true},
}

// gitLabProject is a project of the emulator's group.
type gitLabProject struct {
	ID      int64
	Path    string
	Created time.Time
	// gitDir is the project's bare repository in the Git backend (it keeps its first path).
	gitDir string
	// hiddenReads is how many more GETs answer 404 (GitLabTokenSlowVisibility).
	hiddenReads int
	// markedOn is when the project was marked for deletion (nil: not marked).
	markedOn *time.Time
	readme   bool
}

// gitLab is the GitLab emulator's state. Scenarios are static; projects are guarded by mu.
type gitLab struct {
	now func() time.Time
	git *gitBackend // nil: no Git (GitLabHandler); the REST lifecycle still works

	mu       sync.Mutex
	projects map[string]*gitLabProject // by lower-case path with namespace
	nextID   int64

	tokens gitLabTokens // rotated tokens (gitlab_rotate.go)
	keys   gitLabKeys   // SSH keys (gitlab_keys.go)
}

func newGitLab() http.Handler { return GitLabHandler() }

// GitLabHandler returns a fresh GitLab emulator (answering under /api/v4) without the common fault
// markers of Start; tests serve it behind TLS with httptest.
func GitLabHandler() http.Handler {
	return &gitLab{now: time.Now, projects: map[string]*gitLabProject{}, nextID: 5000}
}

const (
	gitLabExpiredText = "Token is expired. You can either do re-authorization or token refresh."
	gitLabRevokedText = "Token was revoked. You have to re-authorize from the user."
	gitLabScopeText   = "The request requires higher privileges than provided by the access token."
)

func (g *gitLab) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, ok := strings.CutPrefix(r.URL.EscapedPath(), "/api/v4/")
	if !ok {
		if repo, info, isGit := splitGitPath(r.URL.Path); isGit {
			g.serveGit(w, r, repo, info)
			return
		}
		g.message(w, http.StatusNotFound, "404 Not Found")
		return
	}
	var seg []string
	for _, p := range strings.Split(strings.TrimSuffix(raw, "/"), "/") {
		u, err := url.PathUnescape(p)
		if err != nil {
			g.message(w, http.StatusBadRequest, "400 Bad request")
			return
		}
		seg = append(seg, u)
	}
	g.headers(w.Header())
	if g.serveRotate(w, r, seg) {
		return
	}

	sc, known := g.scenario(RequestToken(r))
	switch {
	case !known:
		g.message(w, http.StatusUnauthorized, "401 Unauthorized")
		return
	case sc.revoked:
		g.invalidToken(w, gitLabRevokedText)
		return
	case sc.expired:
		g.invalidToken(w, gitLabExpiredText)
		return
	}
	if sc.user == "" {
		sc.user, sc.userID = GitLabUser, GitLabUserID
	}
	base := "http://" + r.Host
	if g.serveKeys(w, r, seg, sc) {
		return
	}
	if g.serveProjects(w, r, seg, base, sc) {
		return
	}
	if r.Method != http.MethodGet {
		g.message(w, http.StatusNotFound, "404 Not Found")
		return
	}
	switch {
	case len(seg) == 2 && seg[0] == "personal_access_tokens" && seg[1] == "self":
		// Any scope may read its own token (GitLab 15.5 and later).
		WriteJSON(w, http.StatusOK, g.token(sc))
	case len(seg) == 1 && seg[0] == "user":
		if !g.allowed(w, sc, "api", "read_api", "read_user") {
			return
		}
		WriteJSON(w, http.StatusOK, g.user(base, sc, true))
	case len(seg) == 2 && seg[0] == "groups":
		if !g.allowed(w, sc, "api", "read_api") {
			return
		}
		if !gitLabKnownGroup(seg[1]) && g.botOwnGroup(w, base, seg[1], sc) {
			return
		}
		if !gitLabKnownGroup(seg[1]) {
			g.message(w, http.StatusNotFound, "404 Group Not Found")
			return
		}
		grp := g.group(base)
		if r.URL.Query().Get("with_projects") != "false" {
			// GET /groups/:id embeds the group's projects unless with_projects=false.
			grp["projects"], grp["shared_projects"] = g.projectList(base), []any{}
		}
		WriteJSON(w, http.StatusOK, grp)
	case len(seg) == 5 && seg[0] == "groups" && seg[2] == "members" && seg[3] == "all":
		if !g.allowed(w, sc, "api", "read_api") {
			return
		}
		if !gitLabKnownGroup(seg[1]) && g.botOwnGroup(w, base, seg[1], sc) {
			return
		}
		if !gitLabKnownGroup(seg[1]) {
			g.message(w, http.StatusNotFound, "404 Group Not Found")
			return
		}
		id, err := strconv.Atoi(seg[4])
		if err != nil {
			g.message(w, http.StatusBadRequest, "400 Bad request - user_id is invalid")
			return
		}
		if id != sc.userID || sc.access == 0 {
			g.message(w, http.StatusNotFound, "404 Not found")
			return
		}
		m := g.user(base, sc, false)
		m["access_level"] = sc.access
		m["created_at"] = "2024-02-01T09:00:00.000Z"
		m["created_by"] = map[string]any{"id": 1, "username": "root", "name": "Administrator", "state": "active"}
		m["expires_at"] = nil
		m["group_saml_identity"] = nil
		m["membership_state"] = "active"
		WriteJSON(w, http.StatusOK, m)
	default:
		g.message(w, http.StatusNotFound, "404 Not Found")
	}
}

func gitLabKnownGroup(id string) bool {
	return id == strconv.Itoa(GitLabGroupID) || strings.EqualFold(id, GitLabGroupPath)
}

func (g *gitLab) headers(h http.Header) {
	now := g.now().UTC()
	reset := now.Truncate(time.Minute).Add(time.Minute)
	h.Set("Cache-Control", "max-age=0, private, must-revalidate")
	h.Set("X-Request-Id", fmt.Sprintf("01DEMO%014X", now.UnixNano()&0xffffffffffff))
	h.Set("X-Runtime", "0.021")
	h.Set("X-Gitlab-Meta", `{"correlation_id":"01demo","version":"1"}`)
	h.Set("RateLimit-Name", "throttle_authenticated_api")
	h.Set("RateLimit-Limit", "2000")
	h.Set("RateLimit-Observed", "3")
	h.Set("RateLimit-Remaining", "1997")
	h.Set("RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("RateLimit-ResetTime", reset.Format(http.TimeFormat))
}

func (g *gitLab) message(w http.ResponseWriter, status int, msg string) {
	WriteJSON(w, status, map[string]any{"message": msg})
}

func (g *gitLab) invalidToken(w http.ResponseWriter, desc string) {
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="Protected by OAuth 2.0", error="invalid_token", error_description="%s"`, desc))
	WriteJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_token", "error_description": desc})
}

// allowed answers 403 insufficient_scope unless the token has one of the scopes.
func (g *gitLab) allowed(w http.ResponseWriter, sc gitLabScenario, oneOf ...string) bool {
	for _, have := range sc.scopes {
		for _, want := range oneOf {
			if have == want {
				return true
			}
		}
	}
	need := strings.Join(oneOf, " ")
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="Protected by OAuth 2.0", error="insufficient_scope", error_description="%s", scope="%s"`, gitLabScopeText, need))
	WriteJSON(w, http.StatusForbidden, map[string]any{"error": "insufficient_scope", "error_description": gitLabScopeText, "scope": need})
	return false
}

func (g *gitLab) token(sc gitLabScenario) map[string]any {
	var expires any
	if sc.expiresDays != 0 {
		expires = g.now().UTC().AddDate(0, 0, sc.expiresDays).Format("2006-01-02")
	}
	return map[string]any{
		"id": 77, "name": sc.name, "revoked": sc.revoked, "created_at": "2026-01-05T10:00:00.000Z",
		"description": "GitOps", "scopes": sc.scopes, "user_id": sc.userID,
		"last_used_at": g.now().UTC().Format("2006-01-02T15:04:05.000Z"),
		"active":       !sc.revoked && !sc.expired, "expires_at": expires,
	}
}

func (g *gitLab) user(base string, sc gitLabScenario, full bool) map[string]any {
	name := "Jane Doe"
	if sc.bot != "" {
		name = sc.name // a bot user is named after its token
	}
	u := map[string]any{
		"id": sc.userID, "username": sc.user, "name": name, "state": "active", "locked": false,
		"avatar_url": "https://secure.gravatar.com/avatar/demo?s=80&d=identicon",
		"web_url":    base + "/" + sc.user,
	}
	if full {
		u["created_at"] = "2020-06-01T08:00:00.000Z"
		u["bio"] = ""
		u["public_email"] = ""
		u["is_admin"] = false
		u["can_create_group"] = true
		u["can_create_project"] = true
		u["two_factor_enabled"] = true
		u["external"] = false
		u["email"] = sc.user + "@example.com"
		u["bot"] = sc.bot != ""
		if sc.bot != "" {
			u["email"] = sc.user + "@noreply.example.com"
			u["can_create_group"], u["two_factor_enabled"] = false, false
		}
	}
	return u
}

func (g *gitLab) group(base string) map[string]any {
	return map[string]any{
		"id": GitLabGroupID, "web_url": base + "/groups/" + GitLabGroupPath, "name": "GitOps", "path": "gitops",
		"description": "Acme's GitOps repositories", "visibility": "private", "share_with_group_lock": false,
		"require_two_factor_authentication": false, "project_creation_level": GitLabProjectCreationLevel,
		"subgroup_creation_level": "maintainer", "auto_devops_enabled": nil, "emails_disabled": false,
		"lfs_enabled": true, "avatar_url": nil, "request_access_enabled": true,
		"full_name": "Acme / GitOps", "full_path": GitLabGroupPath, "parent_id": 81234560,
		"created_at": "2024-01-10T12:00:00.000Z", "default_branch": "main",
	}
}

// projectList is the group's projects as GET /groups/:id embeds them.
func (g *gitLab) projectList(base string) []any {
	g.mu.Lock()
	defer g.mu.Unlock()
	list := make([]any, 0, len(g.projects))
	for _, p := range g.projects {
		list = append(list, map[string]any{
			"id": p.ID, "path": p.Path, "path_with_namespace": GitLabGroupPath + "/" + p.Path,
			"web_url": base + "/" + GitLabGroupPath + "/" + p.Path, "created_at": p.Created.UTC().Format(time.RFC3339),
		})
	}
	return list
}
