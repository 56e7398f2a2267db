package fake

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"gitopscfg/config"
	"gitopscfg/providers"
)

func init() {
	register(emulator{id: providers.Bitbucket, handler: newBitbucket, hostPath: "/", apiPath: "/2.0",
		demo: providers.Credentials{Provider: providers.Bitbucket, Settings: config.Settings{Org: BitbucketWorkspace, ProjectKey: BitbucketProjectKey, Username: BitbucketEmail, Token: BitbucketTokenFull}}})
}

// Bitbucket Cloud emulator identities and tokens. The API lives under /2.0/ (as at
// https://api.bitbucket.org/2.0/). The token of a request selects its scenario.
//
// API tokens (ATATT…) authenticate with HTTP Basic and the Atlassian account e-mail as username;
// they send no x-oauth-scopes header (Atlassian documents it for access tokens only), and a
// request they lack a scope for gets 403 "Your credentials lack one or more required privilege
// scopes." with detail.required and detail.granted. Access tokens (ATCTT…) authenticate as Bearer
// and answer with x-oauth-scopes, x-accepted-oauth-scopes and x-credential-type. App passwords
// (ATBB…) get 401: Bitbucket removed them on 2026-07-28.
const (
	BitbucketWorkspace     = "acme"
	BitbucketWorkspaceName = "Acme Inc."
	// BitbucketForeignWorkspace exists, but the emulated user is not a member (403).
	BitbucketForeignWorkspace = "globex"
	BitbucketProjectKey       = "GITOPS"
	// BitbucketOldestProjectKey is the workspace's oldest project, used when no key is given.
	BitbucketOldestProjectKey  = "OPS"
	BitbucketOldestProjectName = "Operations"
	BitbucketEmail             = "jdoe@example.com"
	BitbucketUsername          = "jdoe"
	BitbucketDisplayName       = "Jane Doe"

	// BitbucketTokenFull is an API token with every scope gitopscfg asks for (and read:user).
	BitbucketTokenFull = "ATATT3xFfGF0WZ43BZAOBDHKYT4NHFB3MWCTK27QLNXU5MACJUBH"
	// One API token per missing required scope.
	BitbucketTokenNoReadRepo      = "ATATT3xFfGF0J3KW2JVASOJDO5AXXKY4FBJXEP3L4HNEFVEXWXYX"
	BitbucketTokenNoWriteRepo     = "ATATT3xFfGF0NT3LWTGEGQIVTMC5IEDJ63N3ZBFR66ZPMO442YIM"
	BitbucketTokenNoAdminRepo     = "ATATT3xFfGF0QJNLIGBJ6GRKLR5MVDPUV6GZFBK552EQT6N2ANR2"
	BitbucketTokenNoDeleteRepo    = "ATATT3xFfGF0XF7UDWSXJ7UILSIDIOORHAETAWFFUKVWHAW3FPEL"
	BitbucketTokenNoReadWorkspace = "ATATT3xFfGF0ATEWNCF5VVFRLZ5XH33VZ7WNRP4UXUP6ANP6ZZHA"
	BitbucketTokenNoReadProject   = "ATATT3xFfGF0YOZUFH5BUBPNLTYFZP3FE7VG2RRDZOWEMCBJBXBA"
	// BitbucketTokenMember has every scope, but its user is a plain member of the workspace.
	BitbucketTokenMember = "ATATT3xFfGF0QQGL3BE34WA4KVRPVSVT5GRLPVGSZIDIUCAF7HFS"
	// BitbucketTokenExpired and BitbucketTokenRevoked get 401 "Token is invalid, expired, or not
	// supported for this endpoint." (Bitbucket does not tell the two apart.)
	BitbucketTokenExpired = "ATATT3xFfGF0MCZJF5UUFMVUAYW6INSCNAW472KKXCVD5PVPCVI7"
	BitbucketTokenRevoked = "ATATT3xFfGF0XR2TCBSUT5CMXQJZH5P4IU2K4IHTJHXY7TWF2RWA"
	// BitbucketAppPassword is a legacy app password, used with BitbucketUsername: 401.
	BitbucketAppPassword = "ATBB4OSCAJRKOILKZN7JEHDROUSB3ESN"
	// BitbucketAccessToken is a workspace access token (Bearer) with the scopes gitopscfg needs.
	BitbucketAccessToken = "ATCTT3xFfGN0NPVLSTJKTVQPHMVQQKFJXQQ4NGUWGW344YWG4THC"
	// BitbucketAccessTokenNoDelete is a workspace access token without repository:delete.
	BitbucketAccessTokenNoDelete = "ATCTT3xFfGN0HQSOVGFKELUTTZFHMZOU45VRY6CNJ62OHLBYHMZT"

	// Round-trip scenarios (see bitbucket_repos.go): BitbucketTokenNoAdminRepo cannot create a
	// repository (403), BitbucketTokenNoWriteRepo cannot push (Git 403), BitbucketTokenNoDeleteRepo
	// cannot delete (403), and:

	// BitbucketTokenNoCreatePrivilege is an API token with every scope whose user may not create
	// repositories in the workspace: POST answers 400, as the API description says it does when
	// "the caller lacks the privilege to create repositories under the targeted account".
	BitbucketTokenNoCreatePrivilege = "ATATT3xFfGF0L6QW2RXN7KPDZ4HVJ5TMC3BYSGE8FUAO9NIKQXPW"

	// BitbucketTokenLaggy is an API token with every scope; a repository it creates is answered 404
	// by GET for the first BitbucketLagPolls reads (the API is slow to show it).
	BitbucketTokenLaggy = "ATATT3xFfGF045784NYJ3AV0QUISXXOATLF0OFMY0IJ7D775XVYR"

	// BitbucketTokenSSHKeys is an API token with every scope and the SSH-key scopes
	// (read:ssh-key, write:ssh-key, delete:ssh-key): it may register the account's keys.
	BitbucketTokenSSHKeys = "ATATT3xFfGF0S5HK3YSQ7JW2MNB4VXCZ6TDR8EPLUGA9FKOIWNYQ"
)

// BitbucketLagPolls is how many reads miss a repository created with BitbucketTokenLaggy.
const BitbucketLagPolls = 2

// API-token scope names, and the legacy (OAuth / access-token) names Bitbucket reports in
// x-oauth-scopes and x-accepted-oauth-scopes.
const (
	bbReadUser   = "read:user:bitbucket"
	bbReadWS     = "read:workspace:bitbucket"
	bbReadProj   = "read:project:bitbucket"
	bbReadRepo   = "read:repository:bitbucket"
	bbWriteRepo  = "write:repository:bitbucket"
	bbAdminRepo  = "admin:repository:bitbucket"
	bbDeleteRepo = "delete:repository:bitbucket"
)

// bbLegacy maps each API-token scope to the legacy scope that grants it.
var bbLegacy = map[string]string{
	bbReadUser: "account", bbReadWS: "account", bbReadProj: "project", bbReadRepo: "repository",
	bbWriteRepo: "repository:write", bbAdminRepo: "repository:admin", bbDeleteRepo: "repository:delete",
}

type bbCredential struct {
	email  string // Basic-auth username an API token needs; "" for access tokens
	user   *bbAccount
	scopes []string // API-token scope names
	bearer bool     // access token
	kind   string   // x-credential-type of access tokens
	dead   bool     // expired or revoked
	appPwd bool     // legacy app password
	laggy  bool     // repositories it creates stay hidden for BitbucketLagPolls reads
	// noCreate: the user lacks the privilege to create repositories (POST answers 400).
	noCreate bool
}

func (c *bbCredential) has(scope string) bool {
	for _, s := range c.scopes {
		if s == scope {
			return true
		}
	}
	return false
}

type bbAccount struct {
	UUID, AccountID, Nickname, DisplayName string
}

// bbRepo is one repository.
type bbRepo struct {
	UUID, Slug, Name, ProjectKey string
	Private                      bool
	// Created is when the repository was made; it is answered as an RFC 3339 time in UTC with a
	// "Z", which the API's description allows (format date-time), though bitbucket.org writes
	// "+00:00": the round trip must read both.
	Created time.Time
	// hiddenReads is how many more GETs answer 404 (BitbucketTokenLaggy).
	hiddenReads int
}

type bbProject struct {
	UUID, Key, Name, CreatedOn string
}

type bbWorkspace struct {
	UUID, Slug, Name string
	projects         []*bbProject          // in creation order
	repos            []*bbRepo             // in creation order
	admins           map[string]bool       // account UUID → administrator
	members          map[string]*bbAccount // account UUID → member
}

// bitbucketEmulator is the state of the Bitbucket Cloud emulator: workspaces with their projects
// and repositories, accounts and credentials. Its mutex guards every field.
type bitbucketEmulator struct {
	mu          sync.Mutex
	workspaces  map[string]*bbWorkspace
	credentials map[string]*bbCredential
	git         *gitBackend // set by Start (useGit) before serving
	keys        bbKeys      // the accounts' SSH keys (bitbucket_keys.go)
}

func newBitbucket() http.Handler {
	jdoe := &bbAccount{UUID: "{c4f1e0d2-7b3a-4e59-8d61-2a9f0b7c3e15}", AccountID: "557058:0f3b2c1d-aaaa-4bbb-8ccc-1234567890ab",
		Nickname: BitbucketUsername, DisplayName: BitbucketDisplayName}
	member := &bbAccount{UUID: "{9a8b7c6d-1e2f-4a3b-9c4d-5e6f7a8b9c0d}", AccountID: "557058:11112222-3333-4444-5555-666677778888",
		Nickname: "msmith", DisplayName: "Mary Smith"}
	bot := &bbAccount{UUID: "{0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6}", AccountID: "", Nickname: "gitops-bot", DisplayName: "gitops-bot"}
	all := []string{bbReadUser, bbReadWS, bbReadProj, bbReadRepo, bbWriteRepo, bbAdminRepo, bbDeleteRepo}
	without := func(drop string) []string {
		var out []string
		for _, s := range all {
			if s != drop {
				out = append(out, s)
			}
		}
		return out
	}
	api := func(scopes []string) *bbCredential {
		return &bbCredential{email: BitbucketEmail, user: jdoe, scopes: scopes}
	}
	e := &bitbucketEmulator{
		workspaces: map[string]*bbWorkspace{
			BitbucketWorkspace: {
				UUID: "{5a1c2e3f-8d7b-4c6a-9e0f-1b2d3c4e5f60}", Slug: BitbucketWorkspace, Name: BitbucketWorkspaceName,
				projects: []*bbProject{
					{UUID: "{1c0b5a7e-2d3f-4a1b-8c9d-0e1f2a3b4c5d}", Key: BitbucketOldestProjectKey, Name: BitbucketOldestProjectName, CreatedOn: "2019-03-04T10:11:12.000000+00:00"},
					{UUID: "{7e6d5c4b-3a2f-4e1d-9c0b-8a7f6e5d4c3b}", Key: BitbucketProjectKey, Name: "GitOps", CreatedOn: "2023-06-07T08:09:10.000000+00:00"},
				},
				repos:   []*bbRepo{{UUID: "{2b3c4d5e-6f70-4819-a2b3-c4d5e6f70819}", Slug: "gitops-bootstrap", Name: "gitops-bootstrap", ProjectKey: BitbucketProjectKey, Private: true}},
				admins:  map[string]bool{jdoe.UUID: true, bot.UUID: true},
				members: map[string]*bbAccount{jdoe.UUID: jdoe, member.UUID: member, bot.UUID: bot},
			},
			BitbucketForeignWorkspace: {UUID: "{6b5a4f3e-2d1c-4b0a-9f8e-7d6c5b4a3f2e}", Slug: BitbucketForeignWorkspace, Name: "Globex",
				admins: map[string]bool{}, members: map[string]*bbAccount{}},
		},
		credentials: map[string]*bbCredential{
			BitbucketTokenFull:              api(all),
			BitbucketTokenNoReadRepo:        api(without(bbReadRepo)),
			BitbucketTokenNoWriteRepo:       api(without(bbWriteRepo)),
			BitbucketTokenNoAdminRepo:       api(without(bbAdminRepo)),
			BitbucketTokenNoDeleteRepo:      api(without(bbDeleteRepo)),
			BitbucketTokenNoReadWorkspace:   api(without(bbReadWS)),
			BitbucketTokenNoReadProject:     api(without(bbReadProj)),
			BitbucketTokenMember:            {email: "msmith@example.com", user: member, scopes: all},
			BitbucketTokenExpired:           {email: BitbucketEmail, user: jdoe, scopes: all, dead: true},
			BitbucketTokenRevoked:           {email: BitbucketEmail, user: jdoe, scopes: all, dead: true},
			BitbucketAppPassword:            {user: jdoe, appPwd: true},
			BitbucketAccessToken:            {user: bot, scopes: all, bearer: true, kind: "workspace_access_token"},
			BitbucketAccessTokenNoDelete:    {user: bot, scopes: without(bbDeleteRepo), bearer: true, kind: "workspace_access_token"},
			BitbucketTokenLaggy:             {email: BitbucketEmail, user: jdoe, scopes: all, laggy: true},
			BitbucketTokenNoCreatePrivilege: {email: BitbucketEmail, user: jdoe, scopes: all, noCreate: true},
			BitbucketTokenSSHKeys:           api(slices.Concat(all, []string{bbReadSSHKey, bbWriteSSHKey, bbDeleteSSHKey})),
		},
	}
	return e
}

// bbError writes Bitbucket's error body: {"type": "error", "error": {"message": …}}.
func bbError(w http.ResponseWriter, status int, msg string, detail map[string]any) {
	body := map[string]any{"message": msg}
	if detail != nil {
		body["detail"] = detail
	}
	WriteJSON(w, status, map[string]any{"type": "error", "error": body})
}

func (e *bitbucketEmulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.Path, "/2.0/")
	if !ok {
		if repo, pathInfo, isGit := splitGitPath(r.URL.Path); isGit {
			e.serveGit(w, r, repo, pathInfo)
			return
		}
		bbError(w, http.StatusNotFound, "Resource not found", nil)
		return
	}
	cred, ok := e.authenticate(w, r)
	if !ok {
		return
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if e.serveKeys(w, r, cred, segs) {
		return
	}
	if len(segs) == 3 && segs[0] == "repositories" {
		e.repositoryLifecycle(w, r, cred, segs[1], segs[2])
		return
	}
	if r.Method != http.MethodGet {
		bbError(w, http.StatusMethodNotAllowed, "Method not allowed", nil)
		return
	}
	switch {
	case path == "user":
		if e.require(w, cred, bbReadUser) {
			e.user(w, cred)
		}
	case path == "user/workspaces":
		if e.require(w, cred, bbReadWS) {
			e.userWorkspaces(w, r, cred)
		}
	case path == "workspaces" || path == "user/permissions/workspaces":
		// Cross-workspace listings removed by CHANGE-2770: a client must not depend on them.
		bbError(w, http.StatusGone, "This API is no longer supported (CHANGE-2770): use /2.0/user/workspaces.", nil)
	case len(segs) == 2 && segs[0] == "workspaces":
		if ws, ok := e.workspace(w, cred, segs[1], bbReadWS); ok {
			WriteJSON(w, http.StatusOK, e.workspaceJSON(ws))
		}
	case len(segs) == 3 && segs[0] == "workspaces" && segs[2] == "projects":
		if ws, ok := e.workspace(w, cred, segs[1], bbReadProj); ok {
			e.projects(w, r, ws)
		}
	case len(segs) == 4 && segs[0] == "workspaces" && segs[2] == "projects":
		if ws, ok := e.workspace(w, cred, segs[1], bbReadProj); ok {
			e.project(w, ws, segs[3])
		}
	case len(segs) == 2 && segs[0] == "repositories":
		if ws, ok := e.workspace(w, cred, segs[1], bbReadRepo); ok {
			e.repositories(w, r, ws)
		}
	default:
		bbError(w, http.StatusNotFound, "Resource not found", nil)
	}
}

// authenticate answers 401 for a missing, unknown, dead or removed credential, or for a
// credential sent the wrong way (an API token as Bearer, an access token with Basic auth).
func (e *bitbucketEmulator) authenticate(w http.ResponseWriter, r *http.Request) (*bbCredential, bool) {
	e.mu.Lock()
	cred := e.credentials[RequestToken(r)]
	e.mu.Unlock()
	scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	bearer := strings.EqualFold(scheme, "bearer")
	switch {
	case cred == nil || cred.dead || cred.bearer != bearer:
		w.Header().Set("WWW-Authenticate", `Basic realm="Bitbucket.org HTTP"`)
		bbError(w, http.StatusUnauthorized, "Token is invalid, expired, or not supported for this endpoint.", nil)
		return nil, false
	case cred.appPwd:
		w.Header().Set("WWW-Authenticate", `Basic realm="Bitbucket.org HTTP"`)
		bbError(w, http.StatusUnauthorized, "Unauthorized", nil)
		return nil, false
	case !bearer && !strings.EqualFold(RequestUser(r), cred.email):
		// An API token authenticates the REST API only with its owner's Atlassian account e-mail.
		w.Header().Set("WWW-Authenticate", `Basic realm="Bitbucket.org HTTP"`)
		bbError(w, http.StatusUnauthorized, "Unauthorized", nil)
		return nil, false
	}
	if cred.bearer {
		legacy := map[string]bool{}
		for _, s := range cred.scopes {
			legacy[bbLegacy[s]] = true
		}
		names := make([]string, 0, len(legacy))
		for s := range legacy {
			names = append(names, s)
		}
		sort.Strings(names)
		w.Header().Set("X-Oauth-Scopes", strings.Join(names, ", "))
		w.Header().Set("X-Credential-Type", cred.kind)
	}
	return cred, true
}

// require answers 403 when the credential lacks scope, naming it as Bitbucket does.
func (e *bitbucketEmulator) require(w http.ResponseWriter, cred *bbCredential, scope string) bool {
	w.Header().Set("X-Accepted-Oauth-Scopes", bbLegacy[scope])
	if cred.has(scope) {
		return true
	}
	granted := append([]string{}, cred.scopes...)
	if cred.bearer {
		granted = granted[:0]
		for _, s := range cred.scopes {
			granted = append(granted, bbLegacy[s])
		}
		scope = bbLegacy[scope]
	}
	bbError(w, http.StatusForbidden, "Your credentials lack one or more required privilege scopes.",
		map[string]any{"required": []string{scope}, "granted": granted})
	return false
}

// workspace resolves a workspace the credential may read with scope: 403 for a missing scope or
// a workspace the user is not a member of, 404 for an unknown one.
func (e *bitbucketEmulator) workspace(w http.ResponseWriter, cred *bbCredential, slug, scope string) (*bbWorkspace, bool) {
	if !e.require(w, cred, scope) {
		return nil, false
	}
	slug, _ = url.PathUnescape(slug)
	e.mu.Lock()
	ws := e.workspaces[strings.ToLower(slug)]
	member := ws != nil && ws.members[cred.user.UUID] != nil
	e.mu.Unlock()
	switch {
	case ws == nil:
		bbError(w, http.StatusNotFound, "No workspace with identifier '"+slug+"'.", nil)
		return nil, false
	case !member:
		bbError(w, http.StatusForbidden, "Forbidden", nil)
		return nil, false
	}
	return ws, true
}
