package fake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// The Bitbucket Cloud repository lifecycle and Git over smart HTTP:
//   - POST /2.0/repositories/{ws}/{slug} {"scm","is_private","project":{"key"}} → 200 with
//     links.clone[name=https].href (http://{nickname}@host/{ws}/{slug}.git: the caller's Bitbucket
//     username as userinfo, as bitbucket.org answers) and links.html; without a project, the
//     workspace's oldest project; a taken slug → 400 "Repository with this Slug and Owner already
//     exists."; without admin:repository:bitbucket → 403 naming the scope;
//   - GET → 200, or 404; DELETE → 204, without delete:repository:bitbucket → 403;
//   - Git at /{ws}/{slug}.git: Basic auth with the token as password. An API token's Git user name
//     must be the Bitbucket username or x-bitbucket-api-token-auth: the Atlassian account e-mail,
//     which the REST API wants, gets 401 (the failure of a GitOps tool that uses one user name for
//     both). Access tokens take x-token-auth. Fetch needs read:repository:bitbucket, push
//     write:repository:bitbucket (else 403).
//
// Repositories live in the Git backend at bitbucket/{ws}/{slug}.git.

const (
	bbGitAPITokenUser = "x-bitbucket-api-token-auth"
	bbGitAccessUser   = "x-token-auth"
)

func (e *bitbucketEmulator) useGit(b *gitBackend) { e.git = b }

func (e *bitbucketEmulator) addRepo(name string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	ws := e.workspaces[BitbucketWorkspace]
	_, err := e.createLocked(ws, strings.ToLower(name), BitbucketProjectKey, false)
	return err
}

func (e *bitbucketEmulator) repoNames() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var names []string
	for _, ws := range e.workspaces {
		for _, r := range ws.repos {
			names = append(names, r.Slug)
		}
	}
	sort.Strings(names)
	return names
}

func bbGitPath(ws *bbWorkspace, r *bbRepo) string {
	return "bitbucket/" + ws.Slug + "/" + r.Slug + ".git"
}

// createLocked adds a repository to ws (e.mu held); it returns nil when the slug is taken.
func (e *bitbucketEmulator) createLocked(ws *bbWorkspace, slug, projectKey string, laggy bool) (*bbRepo, error) {
	for _, r := range ws.repos {
		if r.Slug == slug {
			return nil, nil
		}
	}
	r := &bbRepo{UUID: "{" + newUUID() + "}", Slug: slug, Name: slug, ProjectKey: projectKey, Private: true, Created: time.Now().UTC()}
	if laggy {
		r.hiddenReads = BitbucketLagPolls
	}
	if e.git != nil {
		if err := e.git.Create(bbGitPath(ws, r), false); err != nil {
			return nil, err
		}
	}
	ws.repos = append(ws.repos, r)
	return r, nil
}

// repoJSON is a repository as the API answers it (e.mu held); user, when set, is the userinfo of
// the HTTPS clone link (the caller's Bitbucket username).
func (e *bitbucketEmulator) repoJSON(r *http.Request, ws *bbWorkspace, repo *bbRepo, user string) map[string]any {
	full := ws.Slug + "/" + repo.Slug
	userinfo := ""
	if user != "" {
		userinfo = url.PathEscape(user) + "@"
	}
	out := map[string]any{
		"type": "repository", "uuid": repo.UUID, "slug": repo.Slug, "name": repo.Name, "full_name": full,
		"is_private": repo.Private, "scm": "git", "mainbranch": map[string]any{"type": "branch", "name": GitDefaultBranch},
		"created_on": repo.Created.Format(time.RFC3339Nano), "updated_on": repo.Created.Format(time.RFC3339Nano),
		"fork_policy": "no_public_forks", "size": 0, "language": "", "has_issues": false, "has_wiki": false,
		"workspace": map[string]any{"type": "workspace", "uuid": ws.UUID, "slug": ws.Slug, "name": ws.Name},
		"owner":     map[string]any{"type": "team", "uuid": ws.UUID, "username": ws.Slug, "display_name": ws.Name},
		"links": map[string]any{
			"self": bbLink("http://" + r.Host + "/2.0/repositories/" + full),
			"html": bbLink("http://" + r.Host + "/" + full),
			"clone": []map[string]any{
				{"name": "https", "href": "http://" + userinfo + r.Host + "/" + full + ".git"},
				{"name": "ssh", "href": "git@bitbucket.org:" + full + ".git"},
			},
		},
	}
	for _, p := range ws.projects {
		if p.Key == repo.ProjectKey {
			out["project"] = map[string]any{"type": "project", "key": p.Key, "uuid": p.UUID, "name": p.Name}
		}
	}
	return out
}

// repositoryLifecycle answers POST, GET and DELETE /2.0/repositories/{ws}/{slug}.
func (e *bitbucketEmulator) repositoryLifecycle(w http.ResponseWriter, r *http.Request, cred *bbCredential, wsSlug, slug string) {
	scope := map[string]string{http.MethodPost: bbAdminRepo, http.MethodGet: bbReadRepo, http.MethodDelete: bbDeleteRepo}[r.Method]
	if scope == "" {
		bbError(w, http.StatusMethodNotAllowed, "Method not allowed", nil)
		return
	}
	ws, ok := e.workspace(w, cred, wsSlug, scope)
	if !ok {
		return
	}
	slug, _ = url.PathUnescape(slug)
	slug = strings.ToLower(slug)
	switch r.Method {
	case http.MethodPost:
		e.createRepository(w, r, cred, ws, slug)
	case http.MethodGet:
		e.mu.Lock()
		repo, _ := e.findRepoLocked(ws, slug)
		if repo != nil && repo.hiddenReads > 0 {
			repo.hiddenReads--
			repo = nil
		}
		var out map[string]any
		if repo != nil {
			out = e.repoJSON(r, ws, repo, cred.user.Nickname)
		}
		e.mu.Unlock()
		if repo == nil {
			bbRepoNotFound(w, ws, slug)
			return
		}
		WriteJSON(w, http.StatusOK, out)
	case http.MethodDelete:
		e.mu.Lock()
		repo, i := e.findRepoLocked(ws, slug)
		if repo != nil {
			ws.repos = append(ws.repos[:i:i], ws.repos[i+1:]...)
		}
		e.mu.Unlock()
		if repo == nil {
			bbRepoNotFound(w, ws, slug)
			return
		}
		if e.git != nil {
			_ = e.git.Delete(bbGitPath(ws, repo))
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func bbRepoNotFound(w http.ResponseWriter, ws *bbWorkspace, slug string) {
	bbError(w, http.StatusNotFound, "Repository "+ws.Slug+"/"+slug+" not found", nil)
}

func (e *bitbucketEmulator) findRepoLocked(ws *bbWorkspace, slug string) (*bbRepo, int) {
	for i, r := range ws.repos {
		if r.Slug == slug {
			return r, i
		}
	}
	return nil, -1
}

func (e *bitbucketEmulator) createRepository(w http.ResponseWriter, r *http.Request, cred *bbCredential, ws *bbWorkspace, slug string) {
	var body struct {
		Scm       string `json:"scm"`
		IsPrivate *bool  `json:"is_private"`
		Project   *struct {
			Key string `json:"key"`
		} `json:"project"`
	}
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if len(raw) > 0 && json.Unmarshal(raw, &body) != nil {
		bbError(w, http.StatusBadRequest, "Malformed JSON in the request body.", nil)
		return
	}
	if body.Scm != "" && body.Scm != "git" {
		bbError(w, http.StatusBadRequest, "Bad request", map[string]any{"scm": []string{"Only git is supported."}})
		return
	}
	if cred.noCreate {
		bbError(w, http.StatusBadRequest, "You do not have permission to create repositories in workspace "+ws.Slug+".", nil)
		return
	}
	e.mu.Lock()
	key := ""
	if body.Project != nil && body.Project.Key != "" {
		for _, p := range ws.projects {
			if strings.EqualFold(p.Key, body.Project.Key) {
				key = p.Key
			}
		}
		if key == "" {
			e.mu.Unlock()
			bbError(w, http.StatusBadRequest, "Bad request", map[string]any{"project": []string{"Project with key " +
				body.Project.Key + " does not exist in workspace " + ws.Slug + "."}})
			return
		}
	} else {
		// Without a project, Bitbucket files the repository in the workspace's oldest project.
		oldest := ""
		for _, p := range ws.projects {
			if oldest == "" || p.CreatedOn < oldest {
				oldest, key = p.CreatedOn, p.Key
			}
		}
	}
	repo, err := e.createLocked(ws, slug, key, cred.laggy)
	if repo != nil && body.IsPrivate != nil {
		repo.Private = *body.IsPrivate
	}
	var out map[string]any
	if repo != nil {
		out = e.repoJSON(r, ws, repo, cred.user.Nickname)
	}
	e.mu.Unlock()
	switch {
	case err != nil:
		bbError(w, http.StatusInternalServerError, "Something went wrong", nil)
	case repo == nil:
		WriteJSON(w, http.StatusBadRequest, map[string]any{"type": "error", "error": map[string]any{
			"message": "Repository with this Slug and Owner already exists.",
			"fields":  map[string]any{"name": []string{"You already have a repository with this name."}},
		}})
	default:
		WriteJSON(w, http.StatusOK, out)
	}
}

// serveGit answers Git smart HTTP for /{ws}/{slug}.git{pathInfo}, with Bitbucket's rules for the
// Git user name of each kind of credential.
func (e *bitbucketEmulator) serveGit(w http.ResponseWriter, r *http.Request, repoPath, pathInfo string) {
	wsSlug, file, ok := strings.Cut(repoPath, "/")
	slug, isGit := strings.CutSuffix(file, ".git")
	if !ok || !isGit || strings.Contains(slug, "/") {
		rejectGit(w, http.StatusNotFound, "Repository not found")
		return
	}
	user, _, basic := r.BasicAuth()
	if !basic {
		rejectGit(w, http.StatusUnauthorized, "Authentication required")
		return
	}
	e.mu.Lock()
	cred := e.credentials[RequestToken(r)]
	e.mu.Unlock()
	var userOK bool
	switch {
	case cred == nil || cred.dead || cred.appPwd:
	case cred.bearer:
		userOK = user == bbGitAccessUser
	default:
		// API tokens: the Bitbucket username or the static name; never the account e-mail.
		userOK = user == bbGitAPITokenUser || strings.EqualFold(user, cred.user.Nickname)
	}
	if !userOK {
		rejectGit(w, http.StatusUnauthorized, "Invalid credentials")
		return
	}
	e.mu.Lock()
	ws := e.workspaces[strings.ToLower(wsSlug)]
	var repo *bbRepo
	member := false
	if ws != nil {
		repo, _ = e.findRepoLocked(ws, strings.ToLower(slug))
		member = ws.members[cred.user.UUID] != nil
	}
	e.mu.Unlock()
	switch {
	case repo == nil || !member || e.git == nil:
		rejectGit(w, http.StatusNotFound, "Repository not found")
		return
	case !cred.has(bbReadRepo):
		rejectGit(w, http.StatusForbidden, "Your credentials lack one or more required privilege scopes.")
		return
	case isGitPush(r, pathInfo) && !cred.has(bbWriteRepo):
		rejectGit(w, http.StatusForbidden, "Your credentials lack one or more required privilege scopes.")
		return
	}
	e.git.ServeHTTP(w, r, bbGitPath(ws, repo), pathInfo)
}
