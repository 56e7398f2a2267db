package fake

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// The GitHub emulator's repository lifecycle (REST) and Git smart HTTP:
//
//	POST   /api/v3/orgs/{org}/repos     201 repository JSON (clone_url http://<emulator>/<org>/<name>.git)
//	                                    422 "name already exists on this account", 403 org forbids / scope
//	GET    /api/v3/repos/{owner}/{repo} 200 repository JSON, 404
//	DELETE /api/v3/repos/{owner}/{repo} 204, 403 "Must have admin rights to Repository." (no delete_repo
//	                                    scope, or not an owner)
//	/{org}/{repo}[.git]/info/refs, /git-upload-pack, /git-receive-pack: Git, Basic auth with any
//	                                    non-empty username and a known token as password; the
//	                                    repositories are private, so a user who is not an active
//	                                    member, or a classic token without repo, gets 404
//	                                    "Repository not found." as from GitHub
//
// {org} is GitHubOrg or GitHubOrgInfra (any case); each has its own repositories.

// gitHubRepoName is a valid repository name (at most 100 characters, checked apart: a counted
// repetition makes a large regexp program, compiled at every start of the binary).
var gitHubRepoName = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

func (g *gitHub) useGit(b *gitBackend) { g.git = b }

// gitPath is where the Git repository of org's repository name lives in the backend.
func (g *gitHub) gitPath(org, name string) string { return "github/" + org + "/" + name + ".git" }

func (g *gitHub) addRepo(name string) error { return g.addOrgRepo(GitHubOrg, name) }

// addOrgRepo creates the repository name of organisation org, as if it existed before.
func (g *gitHub) addOrgRepo(org, name string) error {
	o, ok := gitHubOrgNamed(org)
	if !ok {
		return fmt.Errorf("the GitHub emulator has no organisation %q", org)
	}
	_, err := g.create(o.login, name, false, false)
	return err
}

// repoNames names GitHubOrg's repositories by name and the others' as org/name.
func (g *gitHub) repoNames() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	names := make([]string, 0, len(g.repos))
	for _, rp := range g.repos {
		if rp.Org == GitHubOrg {
			names = append(names, rp.Name)
		} else {
			names = append(names, rp.Org+"/"+rp.Name)
		}
	}
	return names
}

// create adds a repository of org (a login of gitHubOrgs, as spelt there) and its bare Git
// repository; it fails when the name is taken in org. A slow one is hidden from the first
// GitHubHiddenReads reads; a hidden one from every read.
func (g *gitHub) create(org, name string, slow, hidden bool) (*gitHubRepo, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	key := strings.ToLower(org + "/" + name)
	if _, taken := g.repos[key]; taken {
		return nil, errRepoExists
	}
	if g.git != nil {
		if err := g.git.Create(g.gitPath(org, name), false); err != nil {
			return nil, err
		}
	}
	g.nextID++
	rp := &gitHubRepo{ID: g.nextID, Org: org, Name: name, Private: true, Created: g.now()}
	if slow {
		rp.hiddenReads = GitHubHiddenReads
	}
	if hidden {
		rp.hiddenReads = math.MaxInt
	}
	g.repos[key] = rp
	return rp, nil
}

// lookup finds a repository of an organisation; a read may be hidden (slow visibility).
func (g *gitHub) lookup(owner, name string, read bool) *gitHubRepo {
	g.mu.Lock()
	defer g.mu.Unlock()
	rp := g.repos[strings.ToLower(owner+"/"+strings.TrimSuffix(name, ".git"))]
	if rp != nil && read && rp.hiddenReads > 0 {
		rp.hiddenReads--
		return nil
	}
	return rp
}

// serveRepos answers the repository endpoints; it reports false for any other path.
func (g *gitHub) serveRepos(w http.ResponseWriter, r *http.Request, path, base string, sc gitHubScenario) bool {
	const (
		docCreate = "https://docs.github.com/rest/repos/repos#create-an-organization-repository"
		docGet    = "https://docs.github.com/rest/repos/repos#get-a-repository"
		docDelete = "https://docs.github.com/rest/repos/repos#delete-a-repository"
	)
	seg := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(seg) == 3 && seg[0] == "orgs" && seg[2] == "repos" && r.Method == http.MethodPost:
		g.accepted(w.Header(), sc, "public_repo, repo", "administration=write")
		org, ok := gitHubOrgNamed(seg[1])
		if !ok {
			gitHubError(w, http.StatusNotFound, "Not Found", docCreate)
			return true
		}
		var body struct {
			Name    string `json:"name"`
			Private *bool  `json:"private"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			gitHubError(w, http.StatusBadRequest, "Problems parsing JSON", docCreate)
			return true
		}
		private := body.Private != nil && *body.Private
		switch {
		case sc.sso:
			g.ssoRequired(w, r, org.login)
		case !sc.fineGrained && private && !gitHubHas(sc, "repo"):
			gitHubError(w, http.StatusForbidden, "You'll need a different OAuth scope to create a private repository. Please see "+
				"the documentation for full details.", docCreate)
		case !sc.fineGrained && !gitHubHas(sc, "repo") && !gitHubHas(sc, "public_repo"):
			gitHubError(w, http.StatusNotFound, "Not Found", docCreate)
		case sc.createForbidden || sc.state != "active" || sc.role == "billing_manager":
			gitHubError(w, http.StatusForbidden, "You need admin access to the organization before adding a repository to it.", docCreate)
		case len(body.Name) > 100 || !gitHubRepoName.MatchString(body.Name):
			gitHubValidation(w, "name", "missing_field", "", docCreate)
		default:
			rp, err := g.create(org.login, body.Name, sc.slowVisibility, sc.neverVisible)
			switch {
			case err == errRepoExists:
				gitHubValidation(w, "name", "custom", "name already exists on this account", docCreate)
			case err != nil:
				gitHubError(w, http.StatusInternalServerError, err.Error(), docCreate)
			default:
				w.Header().Set("Location", base+"/repos/"+rp.Org+"/"+rp.Name)
				WriteJSON(w, http.StatusCreated, g.repoJSON(base, r.Host, rp, sc))
			}
		}
		return true
	case len(seg) == 3 && seg[0] == "repos" && r.Method == http.MethodGet:
		g.accepted(w.Header(), sc, "repo", "metadata=read")
		rp := g.lookup(seg[1], seg[2], true)
		if rp == nil || !g.canRead(sc, rp) {
			gitHubError(w, http.StatusNotFound, "Not Found", docGet)
			return true
		}
		WriteJSON(w, http.StatusOK, g.repoJSON(base, r.Host, rp, sc))
		return true
	case len(seg) == 3 && seg[0] == "repos" && r.Method == http.MethodDelete:
		g.accepted(w.Header(), sc, "delete_repo", "administration=write")
		rp := g.lookup(seg[1], seg[2], false)
		switch {
		case rp == nil:
			gitHubError(w, http.StatusNotFound, "Not Found", docDelete)
		case sc.sso:
			g.ssoRequired(w, r, rp.Org)
		case !sc.fineGrained && !gitHubHas(sc, "delete_repo"), sc.role != "admin":
			gitHubError(w, http.StatusForbidden, "Must have admin rights to Repository.", docDelete)
		default:
			g.mu.Lock()
			delete(g.repos, strings.ToLower(rp.Org+"/"+rp.Name))
			g.mu.Unlock()
			if g.git != nil {
				_ = g.git.Delete(g.gitPath(rp.Org, rp.Name))
			}
			w.WriteHeader(http.StatusNoContent)
		}
		return true
	}
	return false
}

// canRead reports whether sc's user may see rp: a private repository only an active member of its
// organisation may, and with a classic token only one with the repo scope; to anyone else GitHub
// answers as if it did not exist.
func (g *gitHub) canRead(sc gitHubScenario, rp *gitHubRepo) bool {
	if !rp.Private {
		return true
	}
	return sc.state == "active" && (sc.fineGrained || gitHubHas(sc, "repo"))
}

func gitHubHas(sc gitHubScenario, scope string) bool {
	if sc.scopes == nil {
		return false
	}
	for _, s := range strings.Split(*sc.scopes, ",") {
		if strings.TrimSpace(s) == scope {
			return true
		}
	}
	return false
}

// gitHubValidation is GitHub's 422 for a failed repository creation.
func gitHubValidation(w http.ResponseWriter, field, code, msg, doc string) {
	e := map[string]any{"resource": "Repository", "code": code, "field": field}
	if msg != "" {
		e["message"] = msg
	}
	WriteJSON(w, http.StatusUnprocessableEntity, map[string]any{
		"message": "Repository creation failed.", "errors": []any{e}, "documentation_url": doc, "status": "422",
	})
}

func (g *gitHub) repoJSON(base, host string, rp *gitHubRepo, sc gitHubScenario) map[string]any {
	org, _ := gitHubOrgNamed(rp.Org)
	full := rp.Org + "/" + rp.Name
	web := strings.TrimSuffix(base, "/api/v3") + "/" + full // http(s)://host/org/repo
	created := rp.Created.UTC().Format(time.RFC3339)
	owner := simpleUser(base, org.login, org.id, "Organization")
	owner["node_id"] = org.nodeID
	j := map[string]any{
		"id": rp.ID, "node_id": fmt.Sprintf("R_kgDO%08d", rp.ID), "name": rp.Name, "full_name": full,
		"private": rp.Private, "visibility": "private", "owner": owner, "html_url": web,
		"description": nil, "fork": false, "url": base + "/repos/" + full,
		"clone_url": web + ".git", "git_url": "git://" + host + "/" + full + ".git",
		"ssh_url":        "git@" + strings.Split(host, ":")[0] + ":" + full + ".git",
		"default_branch": GitDefaultBranch, "size": 0, "archived": false, "disabled": false,
		"created_at": created, "updated_at": created, "pushed_at": created,
		"permissions": map[string]any{"admin": sc.role == "admin", "maintain": sc.role == "admin", "push": true, "triage": true, "pull": true},
	}
	gitHubRepoLinks(j, base+"/repos/"+full, web)
	return j
}

// gitHubRepoLinks adds to a repository's JSON the links, counts and flags GitHub's description
// of a full repository requires (api is its API URL, web its page).
func gitHubRepoLinks(j map[string]any, api, web string) {
	for _, l := range []string{"archive_url:/{archive_format}{/ref}", "assignees_url:/assignees{/user}", "blobs_url:/git/blobs{/sha}",
		"branches_url:/branches{/branch}", "collaborators_url:/collaborators{/collaborator}", "comments_url:/comments{/number}",
		"commits_url:/commits{/sha}", "compare_url:/compare/{base}...{head}", "contents_url:/contents/{+path}",
		"contributors_url:/contributors", "deployments_url:/deployments", "downloads_url:/downloads", "events_url:/events",
		"forks_url:/forks", "git_commits_url:/git/commits{/sha}", "git_refs_url:/git/refs{/sha}", "git_tags_url:/git/tags{/sha}",
		"hooks_url:/hooks", "issue_comment_url:/issues/comments{/number}", "issue_events_url:/issues/events{/number}",
		"issues_url:/issues{/number}", "keys_url:/keys{/key_id}", "labels_url:/labels{/name}", "languages_url:/languages",
		"merges_url:/merges", "milestones_url:/milestones{/number}", "notifications_url:/notifications{?since,all,participating}",
		"pulls_url:/pulls{/number}", "releases_url:/releases{/id}", "stargazers_url:/stargazers", "statuses_url:/statuses/{sha}",
		"subscribers_url:/subscribers", "subscription_url:/subscription", "tags_url:/tags", "teams_url:/teams",
		"trees_url:/git/trees{/sha}"} {
		k, path, _ := strings.Cut(l, ":")
		j[k] = api + path
	}
	j["svn_url"], j["homepage"], j["mirror_url"], j["language"], j["license"] = web, nil, nil, nil, nil
	for _, k := range []string{"forks", "forks_count", "open_issues", "open_issues_count", "stargazers_count", "watchers",
		"watchers_count", "network_count", "subscribers_count"} {
		j[k] = 0
	}
	for _, k := range []string{"has_issues", "has_projects", "has_wiki"} {
		j[k] = true
	}
	j["has_pages"], j["has_discussions"], j["has_downloads"] = false, false, true
}

// serveGit answers Git smart HTTP for /{org}/{repo}[.git]/…, after GitHub's Basic-auth rules:
// any non-empty username with a known token; unknown repositories are 404 "Repository not found.",
// and so are the (private) repositories of an organisation the user is not an active member of,
// and any to a classic token without the repo scope: GitHub does not tell them from missing ones.
func (g *gitHub) serveGit(w http.ResponseWriter, r *http.Request, repo, info string) {
	sc, known := gitHubScenarios[RequestToken(r)]
	if it, ok := g.installToken(RequestToken(r)); ok {
		// GitHub documents an installation token over Git as the password of x-access-token.
		sc, known = it.scenario(), RequestUser(r) == "x-access-token"
	}
	if !known || !sc.valid || RequestUser(r) == "" {
		rejectGit(w, http.StatusUnauthorized, "Invalid username or token. Password authentication is not supported for Git operations.")
		return
	}
	owner, name, ok := strings.Cut(repo, "/")
	var rp *gitHubRepo
	if ok && !strings.Contains(name, "/") {
		rp = g.lookup(owner, name, false)
	}
	if rp == nil || g.git == nil || !g.canRead(sc, rp) {
		rejectGit(w, http.StatusNotFound, "Repository not found.")
		return
	}
	if sc.pushRejected && isGitPush(r, info) {
		login := sc.login
		if login == "" {
			login = GitHubUser
		}
		rejectGit(w, http.StatusForbidden, fmt.Sprintf("Permission to %s/%s.git denied to %s.", rp.Org, rp.Name, login))
		return
	}
	g.git.ServeHTTP(w, r, g.gitPath(rp.Org, rp.Name), info)
}
