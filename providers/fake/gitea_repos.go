package fake

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// The Gitea emulator's repository lifecycle and Git over smart HTTP, as Gitea 1.27.3 answers:
//
//	POST   /api/v1/orgs/{org}/repos  write:organization, then the organisation (404 "not found"),
//	                                 then write:repository; 403 "User is not allowed to create
//	                                 repositories in this organization."; 409 "The repository with
//	                                 the same name already exists."; 201 repository JSON (empty,
//	                                 default_branch main, clone_url http://<host>/acme/<name>.git)
//	GET    /api/v1/repos/{org}/{name} read:repository; 200, 404 {"message":"not found"}
//	DELETE /api/v1/repos/{org}/{name} write:repository; 404; 403 "user should be the owner of the
//	                                 repo" (only owners and site administrators); 204
//	/{org}/{name}.git/…              Git: Basic auth, any username, the token as password; no or a
//	                                 bad credential → 401 (a bad one: "Failed to authenticate
//	                                 user"); a repository the user cannot see → 404 "Repository not
//	                                 found"; a token without the repository scope the operation needs
//	                                 → 403 "Forbidden"; a push by a user without write access is
//	                                 taken, then refused in the pre-receive hook ("pre-receive hook
//	                                 declined", "error: User permission denied for writing.").

var giteaRepoNameRe = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

func (e *giteaEmulator) useGit(b *gitBackend) { e.git = b }

func giteaGitPath(name string) string {
	return "gitea/" + GiteaOrg + "/" + strings.ToLower(name) + ".git"
}

func (e *giteaEmulator) addRepo(name string) error {
	_, err := e.create(giteaCreateBody{Name: name, Private: true})
	return err
}

func (e *giteaEmulator) repoNames() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	names := make([]string, 0, len(e.repos))
	for _, rp := range e.repos {
		names = append(names, rp.Name)
	}
	slices.Sort(names)
	return names
}

type giteaCreateBody struct {
	Name    string `json:"name"`
	Private bool   `json:"private"`
}

func decodeGiteaCreate(w http.ResponseWriter, r *http.Request) (giteaCreateBody, bool) {
	var b giteaCreateBody
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		giteaErr(w, r, http.StatusUnprocessableEntity, "[]: "+err.Error())
		return b, false
	}
	if b.Name == "" || len(b.Name) > 100 || !giteaRepoNameRe.MatchString(b.Name) || strings.HasSuffix(b.Name, ".git") {
		giteaErr(w, r, http.StatusUnprocessableEntity, "[Name]: Required")
		return b, false
	}
	return b, true
}

func (e *giteaEmulator) create(b giteaCreateBody) (*giteaRepoRec, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	key := strings.ToLower(b.Name)
	if _, taken := e.repos[key]; taken {
		return nil, errRepoExists
	}
	if e.git != nil {
		if err := e.git.Create(giteaGitPath(b.Name), false); err != nil {
			return nil, err
		}
	}
	e.nextID++
	rp := &giteaRepoRec{ID: e.nextID, Name: b.Name, Created: time.Now().UTC()}
	e.repos[key] = rp
	return rp, nil
}

// repoJSON is the repository as the API shows it to u (e.mu held).
func (e *giteaEmulator) repoJSON(r *http.Request, rp *giteaRepoRec, u *giteaAccount) map[string]any {
	web := giteaRepoURL(r, rp.Name)
	api := "http://" + r.Host + "/api/v1/repos/" + GiteaOrg + "/" + rp.Name
	var perm giteaPerms
	for _, t := range e.teamsOf(u.Login) {
		perm.owner, perm.write, perm.read = perm.owner || t.Owner, perm.write || t.Write, true
	}
	created := rp.Created.Format(time.RFC3339)
	return map[string]any{
		"id": rp.ID, "owner": e.orgJSON(r), "name": rp.Name, "full_name": GiteaOrg + "/" + rp.Name, "description": "",
		"empty": true, "private": true, "fork": false, "template": false, "mirror": false, "size": 25,
		"html_url": web, "url": api, "ssh_url": "git@" + r.Host + ":" + GiteaOrg + "/" + rp.Name + ".git",
		"clone_url": web + ".git", "default_branch": GitDefaultBranch, "archived": false,
		"created_at": created, "updated_at": created,
		"permissions":        map[string]any{"admin": perm.owner || perm.write || u.Admin, "push": perm.write || u.Admin, "pull": perm.read || u.Admin},
		"object_format_name": "sha1",
	}
}

func (e *giteaEmulator) lookup(owner, name string) *giteaRepoRec {
	if !strings.EqualFold(owner, GiteaOrg) {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.repos[strings.ToLower(strings.TrimSuffix(name, ".git"))]
}

func (e *giteaEmulator) repo(w http.ResponseWriter, r *http.Request, tok *giteaTokenRec, u *giteaAccount, owner, name string) {
	if !requireScope(w, r, tok, "repository") {
		return
	}
	rp := e.lookup(owner, name)
	if rp == nil || !e.orgVisible(owner, u) {
		giteaErr(w, r, http.StatusNotFound, "not found")
		return
	}
	if r.Method == http.MethodGet {
		e.mu.Lock()
		out := e.repoJSON(r, rp, u)
		e.mu.Unlock()
		WriteJSON(w, http.StatusOK, out)
		return
	}
	if !u.Admin && !e.permsOf(u.Login).owner {
		giteaErr(w, r, http.StatusForbidden, "user should be the owner of the repo")
		return
	}
	e.mu.Lock()
	delete(e.repos, strings.ToLower(rp.Name))
	e.mu.Unlock()
	if e.git != nil {
		_ = e.git.Delete(giteaGitPath(rp.Name))
	}
	w.WriteHeader(http.StatusNoContent)
}

// serveGit answers Git smart HTTP for /{org}/{name}.git.
func (e *giteaEmulator) serveGit(w http.ResponseWriter, r *http.Request, repoPath, pathInfo string) {
	owner, name, ok := strings.Cut(repoPath, "/")
	if !ok || strings.Contains(name, "/") {
		http.Error(w, "Not found.", http.StatusNotFound)
		return
	}
	if r.Header.Get("Authorization") == "" {
		w.Header().Set("Www-Authenticate", `Basic realm="Gitea"`)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte("Unauthorized\n"))
		return
	}
	tok, u := e.authenticate(r)
	if tok == nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte("Failed to authenticate user\n"))
		return
	}
	rp := e.lookup(owner, name)
	if rp == nil || !e.orgVisible(owner, u) {
		w.Header().Set("Content-Type", "text/plain;charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("Repository not found\n"))
		return
	}
	push := isGitPush(r, pathInfo)
	level := "read"
	if push {
		level = "write"
	}
	if !giteaScopeHas(tok.scope, level, "repository") {
		rejectGit(w, http.StatusForbidden, "Forbidden")
		return
	}
	if e.git == nil {
		http.Error(w, "Git is not served by this emulator", http.StatusNotImplemented)
		return
	}
	if push && !u.Admin && !e.permsOf(u.Login).write {
		e.git.ServeHTTPRefusing(w, r, giteaGitPath(rp.Name), pathInfo, "User permission denied for writing.")
		return
	}
	e.git.ServeHTTP(w, r, giteaGitPath(rp.Name), pathInfo)
}
