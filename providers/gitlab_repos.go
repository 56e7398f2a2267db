package providers

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// gitLabRepos is the GitLab project lifecycle for the round-trip check: POST /projects in the
// group (namespace_id, private), GET /projects/:id, DELETE /projects/:id. Since GitLab 18 a
// deletion first marks the project for deletion (renaming it); where the instance allows it, a
// second DELETE with permanently_remove=true and the project's current full_path removes it at
// once (GitLab.com does not allow that: the project then stays until its retention period ends).
type gitLabRepos struct {
	s       *session
	groupID int64
}

func newGitLabRepos(s *session) repoAPI { return &gitLabRepos{s: s} }

func (g *gitLabRepos) Create(ctx context.Context, name string) (Repo, error) {
	gl, err := newGitLabClient(g.s)
	if err != nil {
		return Repo{}, &APIError{Msg: "the GitLab API URL is not usable: " + err.Error()}
	}
	org := strings.Trim(g.s.Creds.Org, "/")
	if g.groupID == 0 {
		// The group may be given by path (subgroups included) or by id; namespace_id needs the id.
		//lint:ignore SA1019 the parameter is deprecated for API v5, but v4 still embeds projects without it
		opt := &gitlab.GetGroupOptions{WithProjects: gitlab.Ptr(false)}
		grp, resp, err := gl.Groups.GetGroup(gitLabGroupID(org), opt, gitlab.WithContext(ctx))
		if err != nil {
			st := gitLabStatus(resp)
			if st == 0 {
				return Repo{}, err
			}
			return Repo{}, &APIError{Status: st, Msg: gitLabUnexpected(g.s, "GET /groups/"+org, st, err)}
		}
		g.groupID = int64(grp.ID)
	}
	p, resp, err := gl.Projects.CreateProject(&gitlab.CreateProjectOptions{
		Name:                 gitlab.Ptr(name),
		Path:                 gitlab.Ptr(name),
		NamespaceID:          gitlab.Ptr(g.groupID),
		Visibility:           gitlab.Ptr(gitlab.PrivateVisibility),
		Description:          gitlab.Ptr("Temporary project of a gitopscfg round-trip check; it is deleted by the check."),
		InitializeWithReadme: gitlab.Ptr(true),
	}, gitlab.WithContext(ctx))
	if err != nil {
		return Repo{}, g.createError(org, resp, err)
	}
	return gitLabRepo(p), nil
}

func (g *gitLabRepos) createError(org string, resp *gitlab.Response, err error) error {
	st := gitLabStatus(resp)
	if st == 0 {
		return err
	}
	b := gitLabError(err)
	detail := gitLabMessageText(b)
	host := strings.TrimSuffix(g.s.TokenURL(), g.s.Provider.tokenPath)
	settings := fmt.Sprintf("%s/groups/%s/-/edit (Permissions and group features > Roles allowed to create projects)", host, org)
	switch {
	case st == http.StatusBadRequest && strings.Contains(detail, "has already been taken"):
		return &APIError{Status: st, Msg: "name taken: " + detail, Taken: true}
	case st == http.StatusBadRequest && strings.Contains(detail, "namespace"):
		return &APIError{Status: st, Msg: fmt.Sprintf("GitLab refused to create a project in group %s (%s): your role there is below the "+
			"group's \"Roles allowed to create projects\"; ask an Owner to make you Maintainer or to change it (%s)", org, detail, settings)}
	case st == http.StatusForbidden && b.Error == "insufficient_scope":
		return &APIError{Status: st, Msg: fmt.Sprintf("GitLab refused to create a project: the token lacks the api scope (%s); create a "+
			"token with api and write_repository at %s", b.Scope, g.s.TokenURL())}
	case st == http.StatusForbidden:
		return &APIError{Status: st, Msg: fmt.Sprintf("GitLab refused to create a project in group %s (%s): you need a role the group "+
			"allows to create projects (usually Maintainer or Owner, %s), and the instance must allow project creation; "+
			"ask an Owner or administrator", org, detail, settings)}
	case st == http.StatusNotFound:
		return &APIError{Status: st, Msg: fmt.Sprintf("GitLab answered 404 to creating a project in group %s (namespace id %d): check the "+
			"Group ID, and that the token's user may see the group", org, g.groupID)}
	}
	return &APIError{Status: st, Msg: gitLabUnexpected(g.s, "POST /projects", st, err)}
}

func (g *gitLabRepos) Find(ctx context.Context, name string) (Repo, bool, error) {
	path := strings.Trim(g.s.Creds.Org, "/") + "/" + name
	if g.groupID != 0 || gitLabGroupIsNumeric(g.s.Creds.Org) {
		// A group given by id: the project's path needs the group's full path; search the group.
		return g.findInGroup(ctx, name)
	}
	p, st, err := g.get(ctx, Repo{ID: path, FullName: path})
	switch {
	case err == nil && p != nil:
		return gitLabRepo(p), true, nil
	case st == http.StatusNotFound || (err == nil && p == nil):
		return Repo{}, false, nil
	}
	return Repo{}, false, err
}

// findInGroup searches the configured group's projects for one whose path is name.
func (g *gitLabRepos) findInGroup(ctx context.Context, name string) (Repo, bool, error) {
	gl, err := newGitLabClient(g.s)
	if err != nil {
		return Repo{}, false, &APIError{Msg: err.Error()}
	}
	org := strings.Trim(g.s.Creds.Org, "/")
	ps, resp, err := gl.Groups.ListGroupProjects(gitLabGroupID(org), &gitlab.ListGroupProjectsOptions{Search: gitlab.Ptr(name)},
		gitlab.WithContext(ctx))
	if err != nil {
		st := gitLabStatus(resp)
		if st == 0 {
			return Repo{}, false, err
		}
		return Repo{}, false, &APIError{Status: st, Msg: gitLabUnexpected(g.s, "GET /groups/"+org+"/projects", st, err)}
	}
	for _, p := range ps {
		if p.Path == name {
			return gitLabRepo(p), true, nil
		}
	}
	return Repo{}, false, nil
}

func gitLabRepo(p *gitlab.Project) Repo {
	return Repo{ID: strconv.FormatInt(int64(p.ID), 10), Name: p.Path, FullName: p.PathWithNamespace,
		CloneURL: p.HTTPURLToRepo, WebURL: p.WebURL, DefaultBranch: p.DefaultBranch, Visibility: string(p.Visibility)}
}

// gitLabGroupIsNumeric reports whether the group is given by its numeric id.
func gitLabGroupIsNumeric(org string) bool {
	_, err := strconv.ParseInt(strings.Trim(org, "/"), 10, 64)
	return err == nil
}

func (g *gitLabRepos) Exists(ctx context.Context, r Repo) (bool, error) {
	p, st, err := g.get(ctx, r)
	switch {
	case err == nil:
		return p != nil, nil
	case st == http.StatusNotFound:
		return false, nil
	}
	return false, err
}

// get reads the project; st is the HTTP status (0 for a transport error).
func (g *gitLabRepos) get(ctx context.Context, r Repo) (*gitlab.Project, int, error) {
	gl, err := newGitLabClient(g.s)
	if err != nil {
		return nil, 0, &APIError{Msg: err.Error()}
	}
	p, resp, err := gl.Projects.GetProject(g.pid(r), nil, gitlab.WithContext(ctx))
	st := gitLabStatus(resp)
	if err != nil && st != 0 && st != http.StatusNotFound {
		return nil, st, &APIError{Status: st, Msg: gitLabUnexpected(g.s, "GET /projects/"+r.ID, st, err)}
	}
	return p, st, err
}

func (g *gitLabRepos) Delete(ctx context.Context, r Repo) error {
	gl, err := newGitLabClient(g.s)
	if err != nil {
		return &APIError{Msg: err.Error()}
	}
	resp, err := gl.Projects.DeleteProject(g.pid(r), nil, gitlab.WithContext(ctx))
	if err != nil {
		return g.deleteError(r, resp, err)
	}
	// 202 Accepted: either deleted (older GitLab, or no delayed deletion) or only marked for
	// deletion (GitLab 18 and later, or Premium since 16.0). Look which.
	p, st, err := g.get(ctx, r)
	switch {
	case st == http.StatusNotFound:
		return nil
	case err != nil:
		return err
	case p == nil || p.MarkedForDeletionOn == nil:
		return nil // still there and not marked: the runner's confirmation reports it
	}
	resp, err = gl.Projects.DeleteProject(g.pid(r), &gitlab.DeleteProjectOptions{
		FullPath: gitlab.Ptr(p.PathWithNamespace), PermanentlyRemove: gitlab.Ptr(true),
	}, gitlab.WithContext(ctx))
	if err == nil {
		return nil
	}
	st = gitLabStatus(resp)
	if st == 0 {
		return err
	}
	on := "today"
	if m := p.MarkedForDeletionOn; m != nil {
		on = time.Time(*m).Format("2006-01-02")
	}
	return &APIError{Status: st, Scheduled: true, Msg: fmt.Sprintf("GitLab marked it for deletion on %s (renamed to %s, so the name is free "+
		"again) and removes it when the instance's retention period ends (30 days on GitLab.com); immediate removal was refused (%s). "+
		"Nothing else is needed, or an administrator can remove it now", on, p.PathWithNamespace, gitLabMessageText(gitLabError(err)))}
}

func (g *gitLabRepos) deleteError(r Repo, resp *gitlab.Response, err error) error {
	st := gitLabStatus(resp)
	if st == 0 {
		return err
	}
	if st == http.StatusNotFound {
		return nil // gone already: the runner confirms
	}
	b := gitLabError(err)
	switch {
	case st == http.StatusForbidden && b.Error == "insufficient_scope":
		return &APIError{Status: st, Msg: fmt.Sprintf("GitLab refused to delete %s: the token lacks the api scope (%s)", r.FullName, g.s.TokenURL())}
	case st == http.StatusForbidden:
		return &APIError{Status: st, Msg: fmt.Sprintf("GitLab refused to delete %s (%s): deleting a project needs the Owner role on it or "+
			"its group (Maintainers only where an administrator allows it)", r.FullName, gitLabMessageText(b))}
	}
	return &APIError{Status: st, Msg: gitLabUnexpected(g.s, "DELETE /projects/"+r.ID, st, err)}
}

func (g *gitLabRepos) GitUsername() string { return g.s.Creds.Username }

func (g *gitLabRepos) DeletePermission() string {
	return "the Owner role on the group (or an administrator's leave for Maintainers to delete projects) and the api scope"
}

func (g *gitLabRepos) pid(r Repo) any {
	if n, err := strconv.ParseInt(r.ID, 10, 64); err == nil {
		return n
	}
	return r.FullName
}

func gitLabStatus(resp *gitlab.Response) int {
	if resp == nil || resp.Response == nil {
		return 0
	}
	return resp.StatusCode
}

// gitLabMessageText flattens GitLab's message, a string or a map of field errors.
func gitLabMessageText(b gitLabErrorBody) string {
	switch m := b.Message.(type) {
	case string:
		return m
	case map[string]any:
		var parts []string
		for k, v := range m {
			if list, ok := v.([]any); ok {
				for _, e := range list {
					parts = append(parts, fmt.Sprintf("%s %v", k, e))
				}
			}
		}
		if len(parts) > 0 {
			slices.Sort(parts)
			return strings.Join(parts, "; ")
		}
	}
	if b.ErrorDescription != "" {
		return b.ErrorDescription
	}
	return b.Error
}

// FindPath reads the existing project full (group/sub/project) for the existing-repository mode.
func (g *gitLabRepos) FindPath(ctx context.Context, full string) (Repo, bool, error) {
	p, st, err := g.get(ctx, Repo{ID: full, FullName: full})
	switch {
	case err == nil && p != nil:
		return gitLabRepo(p), true, nil
	case st == http.StatusNotFound || (err == nil && p == nil):
		return Repo{}, false, nil
	}
	return Repo{}, false, err
}
