package fake

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"gitopscfg/config"
	"gitopscfg/providers"
)

func init() {
	register(emulator{id: providers.Gitea, handler: newGitea, hostPath: "/", apiPath: "/api/v1",
		demo: providers.Credentials{Provider: providers.Gitea, Settings: config.Settings{Org: GiteaOrg, Username: GiteaUser, Token: GiteaTokenFull}}})
}

// Gitea emulator, written from what a real Gitea 1.27.3 answers (captured on loopback; see
// .ci/gitea.sh): the API at /api/v1 with "Authorization: token <t>" (also Bearer and Basic with the
// token as password), JSON errors {"message","url"}, and Git over smart HTTP at /{org}/{repo}.git.
//
// One private organisation, GiteaOrg, with four teams: Owners (GiteaUser), "deployers" (may
// create repositories, Code: Write; GiteaDeployer), "readers" (may not, Code: Read;
// GiteaViewer) and "pushers" (may not create, Code: Write; GiteaPusher). GiteaOutsider is in none of them; GiteaAdmin is a site administrator. Tokens
// are 40 hexadecimal characters, as Gitea makes them, and carry Gitea scopes ("write:organization",
// "read:user", "all", …; write implies read). A scoped call outside a token's scopes gets 403
// "token does not have at least one of required scope(s), required=[…], token scope=…".
const (
	GiteaOrg      = "acme"
	GiteaUser     = "jdoe"
	GiteaDeployer = "deployer"
	GiteaViewer   = "viewer"
	GiteaOutsider = "outsider"
	GiteaAdmin    = "siteadmin"
	// GiteaPusher is in the "pushers" team: Code: Write on every repository, but may not create
	// repositories (the rights a GitOps platform has where repositories are made by hand).
	GiteaPusher  = "pusher"
	GiteaVersion = "1.27.3"

	// GiteaTokenFull (jdoe, an owner of acme): write:organization, write:repository, read:user.
	GiteaTokenFull = "7891365b842732398108696c6d57fbd216235fd6"
	// GiteaTokenNoOrgWrite (jdoe): write:repository, read:user and read:organization, but not
	// write:organization, so creating a repository in the organisation is refused.
	GiteaTokenNoOrgWrite = "ba26d5de3b81eed446ac72802abce14f00995a87"
	// GiteaTokenReadOnly (jdoe): read:organization, read:repository, read:user.
	GiteaTokenReadOnly = "58e85c5649a1650081bcda5d7d137e0e7dce43f5"
	// GiteaTokenDeleted (jdoe) was deleted: every call gets 401.
	GiteaTokenDeleted = "9213c0b3d3f35f82967f78d9ac3b028607d79014"
	// GiteaTokenOutsider (outsider, in no team of acme): the full scopes.
	GiteaTokenOutsider = "3881cc5eedbb74bb9581ea62eda1afa94d2f9197"
	// GiteaTokenViewer (viewer, in the "readers" team, which may not create repositories): the full scopes.
	GiteaTokenViewer = "28e0445f7243a16c76ee589dc176cbf310e8cf3e"
	// GiteaTokenDeployer (deployer, in the "deployers" team, which may create repositories but,
	// not being an owner, not delete them): the full scopes.
	GiteaTokenDeployer = "f302b7d5c25e26cbf4fead1cb54d516f6f090ce4"
	// GiteaTokenAll (jdoe): the "all" scope; its scopes cannot be listed.
	GiteaTokenAll = "707ba78f0d6d9f76d244e9f643a9f057ef1fc9ad"
	// GiteaTokenWriteUser (jdoe): write:organization, write:repository, write:user (which
	// covers read:user).
	GiteaTokenWriteUser = "6abbafe2ce9579c18b1844017e7f3be851821613"
	// GiteaTokenNoUser (jdoe): write:organization, write:repository, without read:user.
	GiteaTokenNoUser = "1e0f82918356fad64579d026b9014473eb79b0bc"
	// GiteaTokenPusher (pusher, in "pushers": may push, may not create repositories): the full scopes.
	GiteaTokenPusher = "c4f1a9e07b3d25864e0f7a1c9b2d3e4f5a6b7c8d"
)

// giteaAccount is one user of the emulated server.
type giteaAccount struct {
	ID    int64
	Login string
	Admin bool
}

type giteaTeam struct {
	Name    string
	Owner   bool // the Owners team
	Create  bool // "Create repositories"
	Write   bool // Code: Write (else Read)
	members []string
}

type giteaTokenRec struct {
	user    string
	scope   string // as stored, e.g. "write:organization,write:repository,read:user"
	deleted bool
}

type giteaRepoRec struct {
	ID      int64
	Name    string
	Created time.Time
}

// giteaEmulator is the Gitea emulator's state; its mutex guards every field.
type giteaEmulator struct {
	mu     sync.Mutex
	users  map[string]*giteaAccount // by lower-case login
	teams  []*giteaTeam
	tokens map[string]*giteaTokenRec
	repos  map[string]*giteaRepoRec // by lower-case name, all in GiteaOrg
	nextID int64
	git    *gitBackend
	keys   sshKeys
}

func newGitea() http.Handler {
	const full = "write:organization,write:repository,read:user"
	e := &giteaEmulator{
		users: map[string]*giteaAccount{},
		teams: []*giteaTeam{
			{Name: "Owners", Owner: true, Create: true, Write: true, members: []string{GiteaUser}},
			{Name: "deployers", Create: true, Write: true, members: []string{GiteaDeployer}},
			{Name: "readers", members: []string{GiteaViewer}},
			{Name: "pushers", Write: true, members: []string{GiteaPusher}},
		},
		tokens: map[string]*giteaTokenRec{
			GiteaTokenFull:       {user: GiteaUser, scope: full},
			GiteaTokenNoOrgWrite: {user: GiteaUser, scope: "read:organization,write:repository,read:user"},
			GiteaTokenReadOnly:   {user: GiteaUser, scope: "read:organization,read:repository,read:user"},
			GiteaTokenDeleted:    {user: GiteaUser, scope: full, deleted: true},
			GiteaTokenOutsider:   {user: GiteaOutsider, scope: full},
			GiteaTokenViewer:     {user: GiteaViewer, scope: full},
			GiteaTokenDeployer:   {user: GiteaDeployer, scope: full},
			GiteaTokenAll:        {user: GiteaUser, scope: "all"},
			GiteaTokenNoUser:     {user: GiteaUser, scope: "write:organization,write:repository"},
			GiteaTokenWriteUser:  {user: GiteaUser, scope: "write:organization,write:repository,write:user"},
			GiteaTokenPusher:     {user: GiteaPusher, scope: full},
		},
		repos:  map[string]*giteaRepoRec{},
		nextID: 1,
	}
	for i, u := range []string{GiteaAdmin, GiteaUser, GiteaDeployer, GiteaViewer, GiteaOutsider, GiteaPusher} {
		e.users[u] = &giteaAccount{ID: int64(i + 1), Login: u, Admin: u == GiteaAdmin}
	}
	return e
}

// has reports whether a stored scope string grants level ("read" or "write") on every category.
func giteaScopeHas(stored, level string, cats ...string) bool {
	granted := strings.Split(stored, ",")
	if slices.Contains(granted, "all") {
		return true
	}
	for _, cat := range cats {
		ok := slices.Contains(granted, "write:"+cat) || (level == "read" && slices.Contains(granted, "read:"+cat))
		if !ok {
			return false
		}
	}
	return true
}

func giteaErr(w http.ResponseWriter, r *http.Request, status int, msg string) {
	WriteJSON(w, status, map[string]any{"message": msg, "url": "http://" + r.Host + "/api/swagger"})
}

// requireScope answers Gitea's scope refusal unless the token grants the scope (the level follows
// the method: GET reads, POST/PUT/PATCH/DELETE write); it reports whether the call may go on.
func requireScope(w http.ResponseWriter, r *http.Request, tok *giteaTokenRec, cats ...string) bool {
	level := "read"
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		level = "write"
	}
	if giteaScopeHas(tok.scope, level, cats...) {
		return true
	}
	req := make([]string, len(cats))
	for i, c := range cats {
		req[i] = level + ":" + c
	}
	giteaErr(w, r, http.StatusForbidden, "token does not have at least one of required scope(s), required=["+
		strings.Join(req, " ")+"], token scope="+tok.scope)
	return false
}

func (e *giteaEmulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if repo, info, ok := splitGitPath(path); ok {
		e.serveGit(w, r, repo, info)
		return
	}
	rest, ok := strings.CutPrefix(path, "/api/v1")
	if !ok {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("<!DOCTYPE html><html><head><title>Page Not Found - Gitea</title></head><body>Not found.</body></html>"))
		return
	}
	if rest == "/version" && r.Method == http.MethodGet {
		WriteJSON(w, http.StatusOK, map[string]any{"version": GiteaVersion})
		return
	}
	tok, u := e.authenticate(r)
	if tok == nil {
		if r.Header.Get("Authorization") == "" {
			giteaErr(w, r, http.StatusUnauthorized, "token is required")
			return
		}
		giteaErr(w, r, http.StatusUnauthorized, "invalid username, password or token")
		return
	}
	if strings.HasPrefix(rest, "/user/keys") || strings.HasPrefix(rest, "/repos/") && strings.Contains(rest, "/keys") {
		cat := "repository"
		if strings.HasPrefix(rest, "/user/") {
			cat = "user"
		}
		if requireScope(w, r, tok, cat) {
			e.keys.serve(w, r, rest, u.Login, func(full string) bool {
				o, n, _ := strings.Cut(full, "/")
				return e.lookup(o, n) != nil && e.orgVisible(o, u)
			}, func(w http.ResponseWriter, status int, msg string) { giteaErr(w, r, status, msg) })
		}
		return
	}
	seg := strings.Split(strings.Trim(rest, "/"), "/")
	get := r.Method == http.MethodGet
	switch {
	case get && rest == "/user":
		if requireScope(w, r, tok, "user") {
			WriteJSON(w, http.StatusOK, e.userJSON(r, u))
		}
	case get && rest == "/notifications/new":
		if requireScope(w, r, tok, "notification") {
			WriteJSON(w, http.StatusOK, map[string]any{"new": 0})
		}
	case get && rest == "/admin/cron":
		if !requireScope(w, r, tok, "admin") {
			return
		}
		if !u.Admin {
			giteaErr(w, r, http.StatusForbidden, "user should be the site admin")
			return
		}
		WriteJSON(w, http.StatusOK, []any{})
	case get && len(seg) == 2 && seg[0] == "packages":
		if requireScope(w, r, tok, "package") {
			WriteJSON(w, http.StatusOK, []any{})
		}
	case get && rest == "/repos/issues/search":
		if requireScope(w, r, tok, "issue") {
			WriteJSON(w, http.StatusOK, []any{})
		}
	case get && len(seg) == 5 && seg[0] == "users" && seg[2] == "orgs" && seg[4] == "permissions":
		e.permissions(w, r, tok, u, seg[1], seg[3])
	case len(seg) == 2 && seg[0] == "orgs" && get:
		if !requireScope(w, r, tok, "organization") {
			return
		}
		if !e.orgVisible(seg[1], u) {
			giteaErr(w, r, http.StatusNotFound, "not found")
			return
		}
		WriteJSON(w, http.StatusOK, e.orgJSON(r))
	case len(seg) == 3 && seg[0] == "orgs" && seg[2] == "repos":
		e.orgRepos(w, r, tok, u, seg[1])
	case len(seg) == 3 && seg[0] == "repos" && (get || r.Method == http.MethodDelete):
		e.repo(w, r, tok, u, seg[1], seg[2])
	default:
		giteaErr(w, r, http.StatusNotFound, "not found")
	}
}

// authenticate returns the request's token and its user, or nils for a missing, unknown or
// deleted token.
func (e *giteaEmulator) authenticate(r *http.Request) (*giteaTokenRec, *giteaAccount) {
	e.mu.Lock()
	defer e.mu.Unlock()
	tok := e.tokens[RequestToken(r)]
	if tok == nil || tok.deleted {
		return nil, nil
	}
	return tok, e.users[tok.user]
}

func (e *giteaEmulator) userJSON(r *http.Request, u *giteaAccount) map[string]any {
	root := "http://" + r.Host + "/"
	return map[string]any{
		"id": u.ID, "login": u.Login, "login_name": "", "source_id": 0, "full_name": "", "email": u.Login + "@example.com",
		"avatar_url": root + "avatars/" + u.Login, "html_url": root + u.Login, "language": "", "is_admin": u.Admin,
		"last_login": "1970-01-01T00:00:00Z", "created": "2026-12-01T21:14:34Z", "restricted": false, "active": true,
		"prohibit_login": false, "location": "", "website": "", "description": "", "visibility": "public",
		"followers_count": 0, "following_count": 0, "starred_repos_count": 0, "username": u.Login,
	}
}

func (e *giteaEmulator) orgJSON(r *http.Request) map[string]any {
	return map[string]any{
		"id": 100, "name": GiteaOrg, "full_name": "", "email": "", "avatar_url": "http://" + r.Host + "/avatars/" + GiteaOrg,
		"description": "", "website": "", "location": "", "visibility": "private", "repo_admin_change_team_access": false,
		"username": GiteaOrg,
	}
}

// teamsOf returns the teams of acme that login is in.
func (e *giteaEmulator) teamsOf(login string) []*giteaTeam {
	var out []*giteaTeam
	for _, t := range e.teams {
		if slices.ContainsFunc(t.members, func(m string) bool { return strings.EqualFold(m, login) }) {
			out = append(out, t)
		}
	}
	return out
}

// orgVisible reports whether the private organisation exists under that name and u may see it
// (members and site administrators).
func (e *giteaEmulator) orgVisible(name string, u *giteaAccount) bool {
	if !strings.EqualFold(name, GiteaOrg) {
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return u.Admin || len(e.teamsOf(u.Login)) > 0
}
