package fake

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The GitHub emulator's Apps, as GitHub documents them (REST API "Apps", "Installations"):
//
//	GET  /app                                   (JWT) 200 the App ("integration")
//	GET  /orgs/{org}/installation               (JWT) 200 the App's installation on org, 404
//	GET  /app/installations/{id}                (JWT) 200 the installation, 404
//	POST /app/installations/{id}/access_tokens  (JWT) 201 an installation token (ghs_…, one
//	                                            hour), 403 "This installation has been suspended", 404
//	GET  /installation/repositories             (installation token) 200 {total_count, repositories,
//	                                            repository_selection}
//	DELETE /installation/token                  (installation token) 204, no body: the token is
//	                                            revoked (a revoked token is then 401 "Bad credentials")
//
// A JWT is verified as GitHub does: RS256 with the App's public key, its iss the App's ID. A
// signature that does not verify (another key), or an unknown App, is 401 "A JSON web token could
// not be decoded"; an iat in the future, an exp more than 10 minutes ahead or in the past are 401
// with GitHub's own messages. An installation token works as a token of the App's bot on the
// repository endpoints and over Git (any username, x-access-token by convention); GET /user
// refuses it (403 "Resource not accessible by integration"), as GitHub does.

// The emulator's Apps, by ID. Every one signs with GitHubAppKey; each is installed on both
// organisations (GitHubAppInstallation), except GitHubAppNotInstalled.
const (
	// GitHubAppFull is installed on all repositories with Administration and Contents write.
	GitHubAppFull = "100001"
	// GitHubAppSelected is installed on selected repositories only.
	GitHubAppSelected = "100002"
	// GitHubAppNoAdministration has Contents write and Metadata read, no Administration.
	GitHubAppNoAdministration = "100003"
	// GitHubAppSuspended's installations are suspended: minting a token is 403.
	GitHubAppSuspended = "100004"
	// GitHubAppNotInstalled is installed nowhere.
	GitHubAppNotInstalled = "100005"
	// GitHubAppSuspendedUnseen's installations read as active, but minting a token is 403
	// "This installation has been suspended" (GitHub reports a suspension at the token's POST).
	GitHubAppSuspendedUnseen = "100006"
)

// GitHubAppInstallTokenLife is how long an installation token lives, as on GitHub.
const GitHubAppInstallTokenLife = time.Hour

type gitHubApp struct {
	id                     int64
	slug, name             string
	selected, suspended    bool
	suspendedUnseen        bool // suspended, but its installation JSON does not say so
	notInstalled           bool
	administration, commit string // the permissions' levels ("" none)
}

var gitHubApps = map[string]gitHubApp{
	GitHubAppFull:             {id: 100001, slug: "acme-gitops", name: "Acme GitOps", administration: "write", commit: "write"},
	GitHubAppSelected:         {id: 100002, slug: "acme-selected", name: "Acme Selected", selected: true, administration: "write", commit: "write"},
	GitHubAppNoAdministration: {id: 100003, slug: "acme-pusher", name: "Acme Pusher", commit: "write"},
	GitHubAppSuspended:        {id: 100004, slug: "acme-suspended", name: "Acme Suspended", suspended: true, administration: "write", commit: "write"},
	GitHubAppNotInstalled:     {id: 100005, slug: "acme-nowhere", name: "Acme Nowhere", notInstalled: true, administration: "write", commit: "write"},
	GitHubAppSuspendedUnseen:  {id: 100006, slug: "acme-paused", name: "Acme Paused", suspendedUnseen: true, administration: "write", commit: "write"},
}

func (a gitHubApp) permissions() map[string]string {
	p := map[string]string{"metadata": "read"}
	if a.administration != "" {
		p["administration"] = a.administration
	}
	if a.commit != "" {
		p["contents"] = a.commit
	}
	return p
}

// GitHubAppInstallation is the ID of App appID's installation on organisation org.
func GitHubAppInstallation(appID, org string) string {
	for i, o := range gitHubOrgs {
		if strings.EqualFold(o.login, org) {
			return appID + strconv.Itoa(i+1)
		}
	}
	return ""
}

// The private keys: every App of the emulator signs with the first; the second belongs to none.
var gitHubAppKeys = sync.OnceValue(func() [2]*rsa.PrivateKey {
	var keys [2]*rsa.PrivateKey
	for i := range keys {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		keys[i] = k
	}
	return keys
})

func keyPEM(k *rsa.PrivateKey) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
}

// GitHubAppKey is the private key (PEM) of every App of the emulator.
func GitHubAppKey() string { return keyPEM(gitHubAppKeys()[0]) }

// GitHubAppOtherKey is a private key (PEM) of no App: a JWT it signs does not verify.
func GitHubAppOtherKey() string { return keyPEM(gitHubAppKeys()[1]) }

// gitHubInstallToken is an installation token the emulator minted.
type gitHubInstallToken struct {
	app     gitHubApp
	org     gitHubOrgInfo
	expires time.Time
	revoked bool
}

// installation finds an installation by its ID.
func installationByID(id string) (gitHubApp, gitHubOrgInfo, bool) {
	for appID, a := range gitHubApps {
		for _, o := range gitHubOrgs {
			if !a.notInstalled && GitHubAppInstallation(appID, o.login) == id {
				return a, o, true
			}
		}
	}
	return gitHubApp{}, gitHubOrgInfo{}, false
}

// serveAppJWT answers the requests a JWT authenticates; it reports false when tok is no JWT.
func (g *gitHub) serveAppJWT(w http.ResponseWriter, r *http.Request, path, base, tok string) bool {
	if strings.Count(tok, ".") != 2 || !strings.HasPrefix(tok, "eyJ") {
		return false
	}
	appID, msg := g.verifyJWT(tok)
	if msg != "" {
		gitHubError(w, http.StatusUnauthorized, msg, "https://docs.github.com/rest")
		return true
	}
	a := gitHubApps[appID]
	seg := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case r.Method == http.MethodGet && path == "/app":
		WriteJSON(w, http.StatusOK, g.appJSON(base, a))
	case r.Method == http.MethodGet && len(seg) == 3 && seg[0] == "orgs" && seg[2] == "installation":
		o, ok := gitHubOrgNamed(seg[1])
		if !ok || a.notInstalled {
			gitHubError(w, http.StatusNotFound, "Not Found", "https://docs.github.com/rest/apps/apps#get-an-organization-installation-for-the-authenticated-app")
			return true
		}
		WriteJSON(w, http.StatusOK, g.installationJSON(base, appID, a, o))
	case r.Method == http.MethodGet && len(seg) == 3 && seg[0] == "app" && seg[1] == "installations":
		ia, o, ok := installationByID(seg[2])
		if !ok || ia.id != a.id {
			gitHubError(w, http.StatusNotFound, "Not Found", "https://docs.github.com/rest/apps/apps#get-an-installation-for-the-authenticated-app")
			return true
		}
		WriteJSON(w, http.StatusOK, g.installationJSON(base, appID, a, o))
	case r.Method == http.MethodPost && len(seg) == 4 && seg[0] == "app" && seg[1] == "installations" && seg[3] == "access_tokens":
		g.mintInstallToken(w, seg[2], a)
	default:
		gitHubError(w, http.StatusNotFound, "Not Found", "https://docs.github.com/rest")
	}
	return true
}

// mintInstallToken is POST /app/installations/{id}/access_tokens.
func (g *gitHub) mintInstallToken(w http.ResponseWriter, id string, a gitHubApp) {
	const doc = "https://docs.github.com/rest/reference/apps#create-an-installation-access-token-for-an-app" // as GitHub answers
	ia, o, ok := installationByID(id)
	switch {
	case !ok || ia.id != a.id:
		gitHubError(w, http.StatusNotFound, "Not Found", doc)
		return
	case a.suspended || a.suspendedUnseen:
		gitHubError(w, http.StatusForbidden, "This installation has been suspended", doc)
		return
	}
	tok := "ghs_" + (rand.Text() + rand.Text())[:36]
	exp := g.now().Add(GitHubAppInstallTokenLife).UTC().Truncate(time.Second)
	g.mu.Lock()
	if g.installTokens == nil {
		g.installTokens = map[string]gitHubInstallToken{}
	}
	g.installTokens[tok] = gitHubInstallToken{app: a, org: o, expires: exp}
	g.mu.Unlock()
	WriteJSON(w, http.StatusCreated, map[string]any{
		"token": tok, "expires_at": exp.Format(time.RFC3339),
		"permissions": a.permissions(), "repository_selection": a.selection(),
	})
}

func (a gitHubApp) selection() string {
	if a.selected {
		return "selected"
	}
	return "all"
}

// installToken finds a live installation token the emulator minted.
func (g *gitHub) installToken(tok string) (gitHubInstallToken, bool) {
	if !strings.HasPrefix(tok, "ghs_") {
		return gitHubInstallToken{}, false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	it, ok := g.installTokens[tok]
	return it, ok && !it.revoked && g.now().Before(it.expires)
}

// installScenario is how the repository endpoints and Git treat an installation token: a token
// of the App's bot, whose permissions are the installation's.
func (it gitHubInstallToken) scenario() gitHubScenario {
	sc := gitHubScenario{valid: true, login: it.app.slug + "[bot]", fineGrained: true, state: "active", role: "member",
		createForbidden: it.app.administration != "write", pushRejected: it.app.commit != "write"}
	if it.app.administration == "write" {
		sc.role = "admin"
	}
	return sc
}

// serveInstallToken answers a request an installation token authenticates; it reports false
// when tok is none, or the request is for the repository endpoints (sc then serves it).
func (g *gitHub) serveInstallToken(w http.ResponseWriter, r *http.Request, path, base string, it gitHubInstallToken) bool {
	switch {
	case r.Method == http.MethodDelete && path == "/installation/token":
		g.revokeInstallToken(w, RequestToken(r))
		return true
	case r.Method == http.MethodGet && path == "/installation/repositories":
		var repos []any
		g.mu.Lock()
		all := make([]*gitHubRepo, 0, len(g.repos))
		for _, rp := range g.repos {
			if rp.Org == it.org.login {
				all = append(all, rp)
			}
		}
		g.mu.Unlock()
		perPage := 30
		if n, err := strconv.Atoi(r.URL.Query().Get("per_page")); err == nil && n > 0 && n <= 100 {
			perPage = n
		}
		for i, rp := range all {
			if i < perPage {
				repos = append(repos, g.repoJSON(base, r.Host, rp, it.scenario()))
			}
		}
		if repos == nil {
			repos = []any{}
		}
		WriteJSON(w, http.StatusOK, map[string]any{"total_count": len(all), "repositories": repos, "repository_selection": it.app.selection()})
		return true
	case path == "/user":
		gitHubError(w, http.StatusForbidden, "Resource not accessible by integration", "https://docs.github.com/rest/users/users#get-the-authenticated-user")
		return true
	}
	return false
}

// revokeInstallToken is DELETE /installation/token: 204 and the token is dead, or the status
// SetGitHubRevokeFault set (a server-side failure, the token left alive).
func (g *gitHub) revokeInstallToken(w http.ResponseWriter, tok string) {
	g.mu.Lock()
	fault := g.revokeFault
	if fault == 0 {
		it := g.installTokens[tok]
		it.revoked = true
		g.installTokens[tok] = it
	}
	g.mu.Unlock()
	if fault != 0 {
		gitHubError(w, fault, http.StatusText(fault), "https://docs.github.com/rest/apps/installations#revoke-an-installation-access-token")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// liveTokens lists the installation tokens minted and neither revoked nor expired.
func (g *gitHub) liveTokens() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for tok, it := range g.installTokens {
		if !it.revoked && g.now().Before(it.expires) {
			out = append(out, tok)
		}
	}
	return out
}

// LiveGitHubInstallTokens lists the installation tokens the GitHub emulator minted that are
// still alive: neither revoked nor expired.
func (e *Emulators) LiveGitHubInstallTokens() []string {
	if g, ok := e.handlers["github"].(*gitHub); ok {
		return g.liveTokens()
	}
	return nil
}

// SetGitHubRevokeFault makes the GitHub emulator answer DELETE /installation/token with status
// (e.g. 503) and keep the token alive; 0 restores GitHub's 204.
func (e *Emulators) SetGitHubRevokeFault(status int) {
	if g, ok := e.handlers["github"].(*gitHub); ok {
		g.mu.Lock()
		g.revokeFault = status
		g.mu.Unlock()
	}
}

// mintedTokens lists the installation tokens minted so far.
func (g *gitHub) mintedTokens() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]string, 0, len(g.installTokens))
	for tok := range g.installTokens {
		out = append(out, tok)
	}
	return out
}

// GitHubInstallTokens lists the installation tokens the GitHub emulator has minted, so that tests
// can assert that none shows anywhere.
func (e *Emulators) GitHubInstallTokens() []string {
	if g, ok := e.handlers["github"].(*gitHub); ok {
		return g.mintedTokens()
	}
	return nil
}
