package fake

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// The Azure DevOps repository lifecycle and Git over smart HTTP:
//   - POST {org}/{project}/_apis/git/repositories {"name","project":{"id"}} → 201 with id,
//     remoteUrl (http://{org}@host/{org}/{project}/_git/{name}, the organisation as userinfo, as
//     dev.azure.com answers) and webUrl; a taken name → 409 TF400948; a PAT without Code (read,
//     write & manage) → 401 TF400813;
//   - GET {org}/{project}/_apis/git/repositories/{id} → 200, or 404 TF401019;
//   - DELETE the same → 204; without the Delete repository permission → 403 TF401027;
//   - Git at {org}/{project}/_git/{name}: Basic auth with any user name and the PAT as password;
//     fetch needs Code (read), push Code (read & write) and the Contribute permission (else 403).
//
// Repositories live in the Git backend at azure/{project id}/{repository id}.git.

func (e *azureEmulator) useGit(b *gitBackend) { e.git = b }

func (e *azureEmulator) addRepo(name string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.projects[strings.ToLower(AzureProject)]
	_, err := e.createLocked(p, name, false)
	return err
}

func (e *azureEmulator) repoNames() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var names []string
	for _, p := range e.projects {
		for _, r := range p.repos {
			names = append(names, r.Name)
		}
	}
	sort.Strings(names)
	return names
}

func azureGitPath(p *azureProject, r *azureRepo) string { return "azure/" + p.ID + "/" + r.ID + ".git" }

// createLocked adds a repository to p (e.mu held); it fails when the name is taken.
func (e *azureEmulator) createLocked(p *azureProject, name string, laggy bool) (*azureRepo, error) {
	for _, r := range p.repos {
		if strings.EqualFold(r.Name, name) {
			return nil, errAzureNameTaken
		}
	}
	r := &azureRepo{ID: newUUID(), Name: name}
	if laggy {
		r.hiddenReads = AzureLagPolls
	}
	if e.git != nil {
		if err := e.git.Create(azureGitPath(p, r), false); err != nil {
			return nil, err
		}
	}
	p.repos = append(p.repos, r)
	return r, nil
}

var errAzureNameTaken = fmt.Errorf("name taken")

// newUUID returns a random version-4 UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// findProjectLocked returns the project with the given name or id (e.mu held).
func (e *azureEmulator) findProjectLocked(nameOrID string) *azureProject {
	name, _ := url.PathUnescape(nameOrID)
	if p, ok := e.projects[strings.ToLower(name)]; ok {
		return p
	}
	for _, p := range e.projects {
		if strings.EqualFold(p.ID, name) {
			return p
		}
	}
	return nil
}

// repoJSON is a GitRepository as the API answers it (e.mu held by the caller or p a copy); its
// URLs point at the emulator the request reached.
func (e *azureEmulator) repoJSON(r *http.Request, p azureProject, repo *azureRepo) map[string]any {
	host := r.Host
	path := "/" + e.org + "/" + url.PathEscape(p.Name) + "/_git/" + url.PathEscape(repo.Name)
	out := map[string]any{
		"id": repo.ID, "name": repo.Name, "url": "http://" + host + "/" + e.org + "/" + p.ID + "/_apis/git/repositories/" + repo.ID,
		"project": e.projectJSON(p), "size": 0,
		"remoteUrl":  "http://" + e.org + "@" + host + path,
		"sshUrl":     "git@ssh.dev.azure.com:v3/" + e.org + "/" + url.PathEscape(p.Name) + "/" + url.PathEscape(repo.Name),
		"webUrl":     "http://" + host + path,
		"isDisabled": false, "isInMaintenance": false,
	}
	if repo.DefaultBranch != "" {
		out["defaultBranch"] = repo.DefaultBranch
	}
	return out
}

// repositoryLifecycle answers POST …/repositories (tail empty) and GET or DELETE
// …/repositories/{id} (tail = [id]).
func (e *azureEmulator) repositoryLifecycle(w http.ResponseWriter, r *http.Request, tok *azureToken, project string, tail []string) {
	switch {
	case len(tail) == 0 && r.Method == http.MethodPost:
		e.createRepository(w, r, tok, project)
	case len(tail) == 1 && r.Method == http.MethodGet:
		e.getRepository(w, r, tok, project, tail[0])
	case len(tail) == 1 && r.Method == http.MethodDelete:
		e.deleteRepository(w, tok, project, tail[0])
	default:
		azureMethodNotAllowed(w, r)
	}
}

func (e *azureEmulator) createRepository(w http.ResponseWriter, r *http.Request, tok *azureToken, project string) {
	if !tok.can(azScopeCodeManage) {
		azureNotAuthorized(w, tok)
		return
	}
	var body struct {
		Name    string `json:"name"`
		Project struct {
			ID string `json:"id"`
		} `json:"project"`
	}
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err := json.Unmarshal(raw, &body); err != nil || strings.TrimSpace(body.Name) == "" {
		azureError(w, http.StatusBadRequest, "", "TF400898: An Internal Error Occurred. The repository name must be given.",
			"Microsoft.TeamFoundation.SourceControl.WebServer.InvalidArgumentValueException, Microsoft.TeamFoundation.SourceControl.WebServer",
			"InvalidArgumentValueException")
		return
	}
	e.mu.Lock()
	p := e.findProjectLocked(project)
	if p == nil {
		e.mu.Unlock()
		azureProjectNotFound(w, project)
		return
	}
	if body.Project.ID != "" && !strings.EqualFold(body.Project.ID, p.ID) {
		e.mu.Unlock()
		azureError(w, http.StatusBadRequest, "", "The project id in the request body does not match the project in the URL.",
			"Microsoft.TeamFoundation.SourceControl.WebServer.InvalidArgumentValueException, Microsoft.TeamFoundation.SourceControl.WebServer",
			"InvalidArgumentValueException")
		return
	}
	repo, err := e.createLocked(p, body.Name, tok.laggy)
	var out map[string]any
	if err == nil {
		out = e.repoJSON(r, *p, repo)
	}
	e.mu.Unlock()
	switch {
	case err == errAzureNameTaken:
		azureError(w, http.StatusConflict, "", "TF400948: A Git repository with the name "+body.Name+" already exists.",
			"Microsoft.TeamFoundation.Git.Server.GitRepositoryNameAlreadyExistsException, Microsoft.TeamFoundation.Git.Server",
			"GitRepositoryNameAlreadyExistsException")
	case err != nil:
		azureError(w, http.StatusInternalServerError, "", "TF400898: An Internal Error Occurred.", "System.Exception", "Exception")
	default:
		WriteJSON(w, http.StatusCreated, out)
	}
}

func azureRepoNotFound(w http.ResponseWriter, id string) {
	azureError(w, http.StatusNotFound, "", "TF401019: The Git repository with name or identifier "+id+" does not exist or you "+
		"do not have permissions for the operation you are attempting.",
		"Microsoft.TeamFoundation.Git.Server.GitRepositoryNotFoundException, Microsoft.TeamFoundation.Git.Server",
		"GitRepositoryNotFoundException")
}

// findRepoLocked returns the project and its repository with the given id or, when byName, name
// (e.mu held).
func (e *azureEmulator) findRepoLocked(project, idOrName string, byName bool) (*azureProject, *azureRepo, int) {
	p := e.findProjectLocked(project)
	if p == nil {
		return nil, nil, -1
	}
	idOrName, _ = url.PathUnescape(idOrName)
	for i, r := range p.repos {
		if strings.EqualFold(r.ID, idOrName) || byName && strings.EqualFold(r.Name, idOrName) {
			return p, r, i
		}
	}
	return p, nil, -1
}

func (e *azureEmulator) getRepository(w http.ResponseWriter, r *http.Request, tok *azureToken, project, id string) {
	if !tok.can(azScopeCode) {
		azureNotAuthorized(w, tok)
		return
	}
	e.mu.Lock()
	p, repo, _ := e.findRepoLocked(project, id, true)
	var out map[string]any
	if repo != nil && repo.hiddenReads > 0 {
		repo.hiddenReads--
		repo = nil
	}
	if repo != nil {
		out = e.repoJSON(r, *p, repo)
	}
	e.mu.Unlock()
	switch {
	case p == nil:
		azureProjectNotFound(w, project)
	case repo == nil:
		azureRepoNotFound(w, id)
	default:
		WriteJSON(w, http.StatusOK, out)
	}
}

// azurePermissionDenied is the 403 a user without a Git permission gets.
func azurePermissionDenied(w http.ResponseWriter, tok *azureToken, permission string) {
	azureError(w, http.StatusForbidden, "", "TF401027: You need the Git '"+permission+"' permission to perform this action. "+
		"Details: identity '"+tok.user.DisplayName+"', scope 'repository'.",
		"Microsoft.TeamFoundation.Git.Server.GitNeedsPermissionException, Microsoft.TeamFoundation.Git.Server",
		"GitNeedsPermissionException")
}

func (e *azureEmulator) deleteRepository(w http.ResponseWriter, tok *azureToken, project, id string) {
	if !tok.can(azScopeCodeManage) {
		azureNotAuthorized(w, tok)
		return
	}
	e.mu.Lock()
	p, repo, i := e.findRepoLocked(project, id, false) // DELETE takes the GUID only
	switch {
	case p == nil:
		e.mu.Unlock()
		azureProjectNotFound(w, project)
		return
	case repo == nil:
		e.mu.Unlock()
		azureRepoNotFound(w, id)
		return
	case tok.noDelete:
		e.mu.Unlock()
		azurePermissionDenied(w, tok, "DeleteRepository")
		return
	}
	p.repos = append(p.repos[:i:i], p.repos[i+1:]...)
	path := azureGitPath(p, repo)
	e.mu.Unlock()
	if e.git != nil {
		_ = e.git.Delete(path)
	}
	w.WriteHeader(http.StatusNoContent)
}

// serveGit answers Git smart HTTP for {org}/{project}/_git/{name}{pathInfo}: Basic auth with the PAT
// as password (any user name), then the shared backend.
func (e *azureEmulator) serveGit(w http.ResponseWriter, r *http.Request, project, name, pathInfo string) {
	switch pathInfo {
	case "/info/refs", "/git-upload-pack", "/git-receive-pack":
	default:
		rejectGit(w, http.StatusNotFound, "Not found")
		return
	}
	if _, _, ok := r.BasicAuth(); !ok && !isBearer(r) {
		rejectGit(w, http.StatusUnauthorized, "Authentication required")
		return
	}
	e.mu.Lock()
	tok := e.tokens[RequestToken(r)]
	e.mu.Unlock()
	if tok != nil && (tok.entra && !isBearer(r) || tok.notMember) {
		tok = nil // Git takes an Entra token as Bearer, from a user of the organisation
	}
	if tok == nil || tok.expired || tok.revoked {
		rejectGit(w, http.StatusUnauthorized, "TF400813: Resource not available for anonymous access. Client authentication required.")
		return
	}
	if !tok.can(azScopeCode) {
		rejectGit(w, http.StatusUnauthorized, "TF400813: The user '"+tok.user.ID+"' is not authorized to access this resource.")
		return
	}
	e.mu.Lock()
	p, repo, _ := e.findRepoLocked(project, name, true)
	path := ""
	if repo != nil {
		path = azureGitPath(p, repo)
	}
	e.mu.Unlock()
	if repo == nil || e.git == nil {
		rejectGit(w, http.StatusNotFound, "TF401019: The Git repository with name or identifier "+name+" does not exist or you "+
			"do not have permissions for the operation you are attempting.")
		return
	}
	if isGitPush(r, pathInfo) {
		switch {
		case !tok.can(azScopeCodeWrite):
			rejectGit(w, http.StatusForbidden, "TF400813: The user '"+tok.user.ID+"' is not authorized to access this resource.")
			return
		case tok.noContribute:
			rejectGit(w, http.StatusForbidden, "TF401027: You need the Git 'GenericContribute' permission to perform this action. "+
				"Details: identity '"+tok.user.DisplayName+"', scope 'repository'.")
			return
		}
	}
	e.git.ServeHTTP(w, r, path, pathInfo)
}
