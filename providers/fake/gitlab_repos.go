package fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// The GitLab emulator's project lifecycle (REST) and Git smart HTTP:
//
//	POST   /api/v4/projects       201 project JSON (http_url_to_repo http://<emulator>/acme/gitops/<path>.git);
//	                              400 {"message":{"name":["has already been taken"],…}}; 403 insufficient_scope
//	                              or "403 Forbidden"; 400 {"message":{"namespace":["is not valid"]}} below
//	                              the group's project_creation_level
//	GET    /api/v4/projects/:id   200 project JSON (marked_for_deletion_on once marked), 404 Project Not Found
//	DELETE /api/v4/projects/:id   202 {"message":"202 Accepted"}: marks the project for deletion and renames
//	                              it (GitLab 18); with permanently_remove=true&full_path=<current path> on
//	                              a marked project, removes it. 403 below Owner.
//	/acme/gitops/<path>.git/…     Git: Basic auth, any non-empty username, a known token as password

// gitLabProjectPath is a valid project path (at most 255 characters, checked apart: a counted
// repetition makes a large regexp program, compiled at every start of the binary).
var gitLabProjectPath = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

func (g *gitLab) useGit(b *gitBackend) { g.git = b }

func (g *gitLab) addRepo(name string) error {
	_, err := g.create(name, false, false)
	return err
}

func (g *gitLab) repoNames() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	names := make([]string, 0, len(g.projects))
	for _, p := range g.projects {
		names = append(names, p.Path)
	}
	return names
}

func (g *gitLab) create(path string, readme, slow bool) (*gitLabProject, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	key := strings.ToLower(GitLabGroupPath + "/" + path)
	if _, taken := g.projects[key]; taken {
		return nil, errRepoExists
	}
	g.nextID++
	p := &gitLabProject{ID: g.nextID, Path: path, Created: g.now(), readme: readme,
		gitDir: "gitlab/" + GitLabGroupPath + "/" + path + ".git"}
	if g.git != nil {
		if err := g.git.Create(p.gitDir, readme); err != nil {
			return nil, err
		}
	}
	if slow {
		p.hiddenReads = GitLabHiddenReads
	}
	g.projects[key] = p
	return p, nil
}

// find returns the project with the given id (numeric or full path) and its map key.
func (g *gitLab) find(id string) (string, *gitLabProject) {
	for key, p := range g.projects {
		if strconv.FormatInt(p.ID, 10) == id || strings.EqualFold(key, id) {
			return key, p
		}
	}
	return "", nil
}

// serveProjects answers the project endpoints; it reports false for any other path.
func (g *gitLab) serveProjects(w http.ResponseWriter, r *http.Request, seg []string, base string, sc gitLabScenario) bool {
	switch {
	case len(seg) == 1 && seg[0] == "projects" && r.Method == http.MethodPost:
		g.createProject(w, r, base, sc)
		return true
	case len(seg) == 2 && seg[0] == "projects" && r.Method == http.MethodGet:
		if !g.allowed(w, sc, "api", "read_api") {
			return true
		}
		g.mu.Lock()
		_, p := g.find(seg[1])
		hidden := p != nil && p.hiddenReads > 0
		if hidden {
			p.hiddenReads--
		}
		var body map[string]any
		if p != nil && !hidden {
			body = g.projectJSON(base, p)
		}
		g.mu.Unlock()
		if body == nil && !hidden && g.botOwnProject(w, base, seg[1], sc) {
			return true
		}
		if body == nil {
			g.message(w, http.StatusNotFound, "404 Project Not Found")
			return true
		}
		WriteJSON(w, http.StatusOK, body)
		return true
	case len(seg) == 5 && seg[0] == "projects" && seg[2] == "members" && seg[3] == "all" && r.Method == http.MethodGet:
		g.projectMember(w, seg[1], seg[4], base, sc)
		return true
	case len(seg) == 3 && seg[0] == "groups" && seg[2] == "projects" && r.Method == http.MethodGet:
		if !g.allowed(w, sc, "api", "read_api") {
			return true
		}
		if !gitLabKnownGroup(seg[1]) {
			g.message(w, http.StatusNotFound, "404 Group Not Found")
			return true
		}
		WriteJSON(w, http.StatusOK, g.groupProjects(base, r.URL.Query().Get("search")))
		return true
	case len(seg) == 2 && seg[0] == "projects" && r.Method == http.MethodDelete:
		if !g.allowed(w, sc, "api") {
			return true
		}
		g.deleteProject(w, r, seg[1], sc)
		return true
	}
	return false
}

func (g *gitLab) createProject(w http.ResponseWriter, r *http.Request, base string, sc gitLabScenario) {
	if !g.allowed(w, sc, "api") {
		return
	}
	var body struct {
		Name                 string `json:"name"`
		Path                 string `json:"path"`
		NamespaceID          any    `json:"namespace_id"`
		Visibility           string `json:"visibility"`
		InitializeWithReadme bool   `json:"initialize_with_readme"`
	}
	dec := json.NewDecoder(r.Body)
	dec.UseNumber() // namespace_id may be a number or a path
	if err := dec.Decode(&body); err != nil {
		g.message(w, http.StatusBadRequest, "400 Bad request")
		return
	}
	if body.Path == "" {
		body.Path = body.Name
	}
	ns := fmt.Sprint(body.NamespaceID)
	switch {
	case body.Name == "" && body.Path == "":
		g.message(w, http.StatusBadRequest, "400 Bad request - name, path are missing, at least one parameter must be provided")
		return
	case ns != strconv.Itoa(GitLabGroupID) && !strings.EqualFold(ns, GitLabGroupPath):
		g.message(w, http.StatusNotFound, "404 Namespace Not Found")
		return
	case sc.createForbidden:
		g.message(w, http.StatusForbidden, "403 Forbidden")
		return
	case sc.access < 40: // the group's project_creation_level is maintainer
		WriteJSON(w, http.StatusBadRequest, map[string]any{"message": map[string]any{"namespace": []string{"is not valid"}}})
		return
	case len(body.Path) > 255 || !gitLabProjectPath.MatchString(body.Path):
		WriteJSON(w, http.StatusBadRequest, map[string]any{"message": map[string]any{"path": []string{"can contain only letters, digits, '_', '-' and '.'."}}})
		return
	}
	p, err := g.create(body.Path, body.InitializeWithReadme, sc.slowVisibility)
	switch {
	case err == errRepoExists:
		WriteJSON(w, http.StatusBadRequest, map[string]any{"message": map[string]any{
			"project_namespace.name": []string{"has already been taken"},
			"name":                   []string{"has already been taken"},
			"path":                   []string{"has already been taken"},
		}})
	case err != nil:
		g.message(w, http.StatusInternalServerError, "500 Internal Server Error")
	default:
		g.mu.Lock()
		body := g.projectJSON(base, p)
		g.mu.Unlock()
		WriteJSON(w, http.StatusCreated, body)
	}
}

func (g *gitLab) deleteProject(w http.ResponseWriter, r *http.Request, id string, sc gitLabScenario) {
	q := r.URL.Query()
	g.mu.Lock()
	defer g.mu.Unlock()
	key, p := g.find(id)
	switch {
	case p == nil:
		g.message(w, http.StatusNotFound, "404 Project Not Found")
	case sc.access < 50:
		g.message(w, http.StatusForbidden, "403 Forbidden")
	case q.Get("permanently_remove") == "true":
		switch {
		case p.markedOn == nil:
			g.message(w, http.StatusBadRequest, "Project must be marked for deletion first.")
		case q.Get("full_path") != GitLabGroupPath+"/"+p.Path:
			g.message(w, http.StatusBadRequest, "full_path is incorrect. You must enter the complete path for the project.")
		case sc.noImmediateDeletion:
			g.message(w, http.StatusBadRequest, "Immediately deleting projects is not allowed on this instance.")
		default:
			delete(g.projects, key)
			if g.git != nil {
				_ = g.git.Delete(p.gitDir)
			}
			g.message(w, http.StatusAccepted, "202 Accepted")
		}
	case p.markedOn != nil:
		g.message(w, http.StatusBadRequest, "Project has been already marked for deletion")
	default:
		now := g.now()
		p.markedOn = &now
		// GitLab 18 renames a project when it is marked, so its name is free again at once.
		newPath := fmt.Sprintf("%s-deletion_scheduled-%d", p.Path, p.ID)
		delete(g.projects, key)
		p.Path = newPath
		g.projects[strings.ToLower(GitLabGroupPath+"/"+newPath)] = p
		g.message(w, http.StatusAccepted, "202 Accepted")
	}
}

// projectJSON is the project as the API shows it; the caller holds mu.
func (g *gitLab) projectJSON(base string, p *gitLabProject) map[string]any {
	full := GitLabGroupPath + "/" + p.Path
	created := p.Created.UTC().Format("2006-01-02T15:04:05.000Z")
	var marked, defaultBranch any
	if p.markedOn != nil {
		marked = p.markedOn.UTC().Format("2006-01-02")
	}
	if p.readme {
		defaultBranch = GitDefaultBranch
	}
	host := strings.TrimPrefix(base, "http://")
	return map[string]any{
		"id": p.ID, "description": nil, "name": p.Path, "name_with_namespace": "Acme / GitOps / " + p.Path,
		"path": p.Path, "path_with_namespace": full, "created_at": created, "last_activity_at": created,
		"default_branch": defaultBranch, "visibility": "private", "empty_repo": defaultBranch == nil,
		"ssh_url_to_repo":  "git@" + strings.Split(host, ":")[0] + ":" + full + ".git",
		"http_url_to_repo": base + "/" + full + ".git", "web_url": base + "/" + full,
		"namespace": map[string]any{"id": GitLabGroupID, "name": "GitOps", "path": "gitops", "kind": "group",
			"full_path": GitLabGroupPath, "parent_id": 81234560, "web_url": base + "/groups/" + GitLabGroupPath},
		"marked_for_deletion_at": marked, "marked_for_deletion_on": marked,
		"archived": false, "creator_id": GitLabUserID,
		"permissions": map[string]any{"project_access": nil, "group_access": map[string]any{"access_level": 50, "notification_level": 3}},
	}
}

// serveGit answers Git smart HTTP for /acme/gitops/<path>.git/…: any non-empty username with a
// known, valid token that may read (push: write) repositories.
func (g *gitLab) serveGit(w http.ResponseWriter, r *http.Request, repo, info string) {
	sc, known := g.scenario(RequestToken(r))
	if !known || sc.revoked || sc.expired || RequestUser(r) == "" {
		rejectGit(w, http.StatusUnauthorized, "HTTP Basic: Access denied. If a password was provided for Git authentication, the "+
			"password was incorrect or you're required to use a token instead of a password.")
		return
	}
	g.mu.Lock()
	_, p := g.find(strings.TrimSuffix(repo, ".git"))
	var dir string
	if p != nil && sc.access > 0 {
		dir = p.gitDir
	}
	g.mu.Unlock()
	if dir == "" || g.git == nil {
		rejectGit(w, http.StatusNotFound, "The project you were looking for could not be found or you don't have permission to view it.")
		return
	}
	has := func(scopes ...string) bool {
		for _, have := range sc.scopes {
			for _, want := range scopes {
				if have == want {
					return true
				}
			}
		}
		return false
	}
	push := isGitPush(r, info)
	switch {
	case push && (sc.pushRejected || !has("api", "write_repository")):
		rejectGit(w, http.StatusForbidden, "You are not allowed to push code to this project.")
		return
	case !push && !has("api", "read_repository", "write_repository"):
		rejectGit(w, http.StatusForbidden, "You are not allowed to download code from this project.")
		return
	}
	g.git.ServeHTTP(w, r, dir, info)
}

// groupProjects is GET /groups/:id/projects: the group's projects whose name or path contains
// search (case-insensitive; all without one), as the Groups API lists them.
func (g *gitLab) groupProjects(base, search string) []any {
	g.mu.Lock()
	defer g.mu.Unlock()
	list := []any{}
	for _, p := range g.projects {
		if p.hiddenReads > 0 || !strings.Contains(strings.ToLower(p.Path), strings.ToLower(search)) {
			continue
		}
		list = append(list, g.projectJSON(base, p))
	}
	return list
}
