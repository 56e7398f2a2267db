package providers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Gitea repository lifecycle for the round-trip check (plain net/http, "Authorization: token"):
//   - GET  /users/{user}/orgs/{org}/permissions, once, before creating: only the organisation's
//     owners (and site administrators) may delete its repositories ("user should be the owner of
//     the repo"), so the round trip creates nothing it could not delete;
//   - POST /orgs/{org}/repos {"name","private":true} → 201 with clone_url and html_url; a taken
//     name → 409; needs write:organization (and write:repository), else 403 naming the scopes;
//     a user whose teams may not create repositories → 403 "User is not allowed to create
//     repositories in this organization.";
//   - GET, DELETE /repos/{org}/{name} → 200/404, 204 (DELETE needs write:repository and ownership).
//
// Git over HTTP: Basic auth, the username and the token as password (Gitea accepts any username
// with a valid token).
type giteaRepos struct {
	s *session
}

func newGiteaRepos(s *session) repoAPI { return &giteaRepos{s: s} }

func (g *giteaRepos) org() string { return strings.TrimSpace(g.s.Creds.Org) }

type giteaRepository struct {
	Name          string `json:"name"`
	FullName      string `json:"full_name"`
	CloneURL      string `json:"clone_url"`
	HTMLURL       string `json:"html_url"`
	DefaultBranch string `json:"default_branch"`
	Private       *bool  `json:"private"`
}

func (r giteaRepository) repo() Repo {
	vis := ""
	if r.Private != nil {
		vis = "public"
		if *r.Private {
			vis = "private"
		}
	}
	return Repo{ID: r.FullName, Name: r.Name, FullName: r.FullName, CloneURL: r.CloneURL, WebURL: r.HTMLURL,
		DefaultBranch: r.DefaultBranch, Visibility: vis}
}

// mayDelete asks the permissions API whether the user may delete the repositories it creates.
func (g *giteaRepos) mayDelete(ctx context.Context) error {
	user := giteaDo(ctx, g.s, http.MethodGet, "/user", nil)
	if user.err != nil {
		return user.err
	}
	var u giteaUser
	if !user.decode(&u) || u.Login == "" {
		return g.failure(user, "read the token's user", "read:user")
	}
	if u.IsAdmin {
		return nil
	}
	a := giteaDo(ctx, g.s, http.MethodGet, "/users/"+url.PathEscape(u.Login)+"/orgs/"+url.PathEscape(g.org())+"/permissions", nil)
	if a.err != nil {
		return a.err
	}
	var p giteaOrgPermissions
	if !a.decode(&p) {
		return g.failure(a, "read your permissions in organisation "+g.org(), "read:user")
	}
	if !p.IsOwner {
		// No status: this is not the server's refusal, and nothing was created.
		return &APIError{Msg: fmt.Sprintf("not created: only the owners of organisation %s may delete its repositories, and you are "+
			"not one, so the throw-away repository could not be removed afterwards; ask an owner to add you to the Owners team "+
			"(%s/org/%s/teams)", g.org(), g.s.giteaHost(), url.PathEscape(g.org()))}
	}
	return nil
}

func (g *giteaRepos) Create(ctx context.Context, name string) (Repo, error) {
	if err := g.mayDelete(ctx); err != nil {
		return Repo{}, err
	}
	a := giteaDo(ctx, g.s, http.MethodPost, "/orgs/"+url.PathEscape(g.org())+"/repos", map[string]any{
		"name": name, "private": true,
		"description": "Temporary repository of a gitopscfg round-trip check; it is deleted by the check.",
	})
	if a.err != nil {
		return Repo{}, a.err
	}
	var r giteaRepository
	switch {
	case a.status == http.StatusCreated && a.decode(&r) && r.FullName != "" && r.CloneURL != "":
		return r.repo(), nil
	case a.status == http.StatusCreated:
		return Repo{}, &APIError{Status: a.status, Msg: fmt.Sprintf("%s answered the repository creation with unreadable JSON: is %s "+
			"a Gitea or Forgejo server?", g.s.APIHost, g.s.Creds.Host)}
	case a.status == http.StatusConflict:
		return Repo{}, &APIError{Status: a.status, Taken: true, Msg: fmt.Sprintf("a repository named %s exists already in %s%s",
			name, g.org(), giteaQuote(a.message()))}
	}
	return Repo{}, g.failure(a, fmt.Sprintf("create repository %s in organisation %s", name, g.org()), "write:organization")
}

func (g *giteaRepos) get(ctx context.Context, full string) (giteaRepository, bool, error) {
	a := giteaDo(ctx, g.s, http.MethodGet, "/repos/"+giteaRepoPath(full), nil)
	var r giteaRepository
	switch {
	case a.err != nil:
		return r, false, a.err
	case a.status == http.StatusOK && a.decode(&r):
		return r, true, nil
	case a.status == http.StatusNotFound:
		return r, false, nil
	}
	return r, false, g.failure(a, "read repository "+full, "write:repository")
}

func (g *giteaRepos) Find(ctx context.Context, name string) (Repo, bool, error) {
	r, ok, err := g.get(ctx, g.org()+"/"+name)
	if !ok || err != nil {
		return Repo{}, false, err
	}
	return r.repo(), true, nil
}

func (g *giteaRepos) Exists(ctx context.Context, r Repo) (bool, error) {
	_, ok, err := g.get(ctx, r.FullName)
	return ok, err
}

func (g *giteaRepos) Delete(ctx context.Context, r Repo) error {
	a := giteaDo(ctx, g.s, http.MethodDelete, "/repos/"+giteaRepoPath(r.FullName), nil)
	switch {
	case a.err != nil:
		return a.err
	case a.status == http.StatusNoContent || a.status == http.StatusOK:
		return nil
	case a.status == http.StatusNotFound:
		return nil // gone already: the runner confirms
	}
	return g.failure(a, "delete repository "+r.FullName, "write:repository")
}

// GitUsername: Gitea takes the token as the password with any username; the configured one is used.
func (g *giteaRepos) GitUsername() string { return strings.TrimSpace(g.s.Creds.Username) }

func (g *giteaRepos) DeletePermission() string {
	return "the write:repository scope and membership of the organisation's Owners team"
}

// giteaRepoPath escapes owner/name for a URL path.
func giteaRepoPath(full string) string {
	owner, name, _ := strings.Cut(full, "/")
	return url.PathEscape(owner) + "/" + url.PathEscape(name)
}

// failure turns a failed answer to action into an actionable error; scope names the token scope
// the call needs.
func (g *giteaRepos) failure(a giteaAnswer, action, scope string) *APIError {
	s := g.s
	said := giteaQuote(a.message())
	var msg string
	switch {
	case a.status == http.StatusUnauthorized:
		msg = fmt.Sprintf("could not %s: the server no longer accepts the token%s; create a new one at %s", action, said, s.TokenURL())
	case a.scopeRefusal():
		granted, _ := a.scopes()
		msg = fmt.Sprintf("could not %s: the token lacks a scope it needs (granted: %s)%s; Gitea cannot change an existing token's "+
			"scopes: create a new one at %s with %s", action, strings.Join(granted, ", "), said, s.TokenURL(),
			strings.Join(s.Provider.ScopeNames(), ", "))
	case a.status == http.StatusForbidden:
		msg = fmt.Sprintf("could not %s: Gitea refused it%s; creating repositories needs a team with \"Create repositories\", "+
			"deleting them the organisation's Owners team (%s/org/%s/teams)", action, said, s.giteaHost(), url.PathEscape(g.org()))
	case a.status == http.StatusNotFound:
		msg = fmt.Sprintf("could not %s: organisation %s was not found on %s, or you cannot see it%s", action, g.org(), s.APIHost, said)
	case a.status >= 200 && a.status < 300:
		msg = fmt.Sprintf("could not %s: %s answered HTTP %d with something that is not Gitea's JSON (needs %s)", action, s.APIHost,
			a.status, scope)
	default:
		msg = fmt.Sprintf("could not %s: %s answered HTTP %d%s; try again later", action, s.APIHost, a.status, said)
	}
	return &APIError{Status: a.status, Msg: s.Creds.Redact(msg)}
}

// FindPath reads the existing repository full (OWNER/REPO) for the existing-repository mode.
func (g *giteaRepos) FindPath(ctx context.Context, full string) (Repo, bool, error) {
	r, ok, err := g.get(ctx, full)
	if !ok || err != nil {
		return Repo{}, false, err
	}
	return r.repo(), true, nil
}
