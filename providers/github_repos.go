package providers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v84/github"
)

// gitHubRepos is the GitHub repository lifecycle for the round-trip check:
// POST /orgs/{org}/repos (private), GET and DELETE /repos/{owner}/{repo}.
type gitHubRepos struct {
	s *session
	// deletePerm is what the last refused deletion showed to be missing.
	deletePerm string
}

func newGitHubRepos(s *session) repoAPI { return &gitHubRepos{s: s} }

func (g *gitHubRepos) client() (*github.Client, error) { return newGitHubClient(g.s) }

func (g *gitHubRepos) Create(ctx context.Context, name string) (Repo, error) {
	c, err := g.client()
	if err != nil {
		return Repo{}, &APIError{Msg: "the GitHub API URL is not usable: " + err.Error()}
	}
	org := g.s.Creds.Org
	repo, resp, err := c.Repositories.Create(ctx, org, &github.Repository{
		Name:        github.Ptr(name),
		Private:     github.Ptr(true),
		Description: github.Ptr("Temporary repository of a gitopscfg round-trip check; it is deleted by the check."),
		AutoInit:    github.Ptr(false),
	})
	if err != nil {
		return Repo{}, g.createError(org, resp, err)
	}
	full := repo.GetFullName()
	if full == "" {
		full = org + "/" + name
	}
	return Repo{ID: name, Name: repo.GetName(), FullName: full, CloneURL: repo.GetCloneURL(),
		WebURL: repo.GetHTMLURL(), DefaultBranch: repo.GetDefaultBranch(), Visibility: gitHubVisibility(repo)}, nil
}

// gitHubVisibility is the visibility a repository answer shows: its visibility field, or else
// what its private flag says.
func gitHubVisibility(r *github.Repository) string {
	if v := r.GetVisibility(); v != "" {
		return v
	}
	if r.Private != nil {
		if r.GetPrivate() {
			return "private"
		}
		return "public"
	}
	return ""
}

func (g *gitHubRepos) createError(org string, resp *github.Response, err error) error {
	st := gitHubStatus(resp)
	if st == 0 {
		return err // a transport error: the runner describes it
	}
	if msg := gitHubRateLimited(g.s, err); msg != "" {
		return &APIError{Status: st, Msg: msg}
	}
	if u, ok := gitHubSSO(gitHubHeader(resp)); ok {
		return &APIError{Status: st, Msg: gitHubSSOMessage(g.s, org, u)}
	}
	msg := gitHubMessage(err)
	var er *github.ErrorResponse
	if errors.As(err, &er) && st == http.StatusUnprocessableEntity {
		for _, e := range er.Errors {
			if strings.Contains(strings.ToLower(e.Message), "already exists") {
				return &APIError{Status: st, Msg: "name taken: " + e.Message, Taken: true}
			}
		}
	}
	host := g.webHost()
	switch {
	case st == http.StatusForbidden && strings.Contains(msg, "OAuth scope"):
		return &APIError{Status: st, Msg: fmt.Sprintf("GitHub refused to create a private repository in %s (%s): the token lacks the repo "+
			"scope, which private repositories need; add it at %s", org, msg, g.s.TokenURL())}
	case st == http.StatusForbidden && g.fineGrained(resp):
		need := cmp.Or(gitHubAccepted(gitHubHeader(resp)), "Administration: write")
		return &APIError{Status: st, Msg: fmt.Sprintf("GitHub refused to create a repository in %s (%s): the %s needs "+
			"the organisation as resource owner and the repository permission %s (GitHub's X-Accepted-GitHub-Permissions) (%s)",
			org, msg, cmpKind(g.s.Creds.Token, "fine-grained token"), need, g.s.TokenURL())}
	case st == http.StatusForbidden:
		return &APIError{Status: st, Msg: fmt.Sprintf("GitHub refused to create a repository in %s (%s): the organisation does not let "+
			"this user create repositories. An owner can allow members to create private repositories (%s/organizations/%s/settings/"+
			"member_privileges, Repository creation) or make the user an owner", org, msg, host, org)}
	case st == http.StatusNotFound:
		return &APIError{Status: st, Msg: fmt.Sprintf("GitHub answered 404 to creating a repository in %s: the organisation is unknown "+
			"or the token may not create repositories (classic: repo scope; fine-grained: Administration write) at %s", org, g.s.TokenURL())}
	}
	return &APIError{Status: st, Msg: gitHubUnexpected(g.s, "POST /orgs/"+org+"/repos", st, err)}
}

func (g *gitHubRepos) Find(ctx context.Context, name string) (Repo, bool, error) {
	c, err := g.client()
	if err != nil {
		return Repo{}, false, &APIError{Msg: err.Error()}
	}
	org := g.s.Creds.Org
	repo, resp, err := c.Repositories.Get(ctx, org, name)
	switch st := gitHubStatus(resp); {
	case err == nil:
		return Repo{ID: name, Name: repo.GetName(), FullName: repo.GetFullName(), CloneURL: repo.GetCloneURL(),
			WebURL: repo.GetHTMLURL(), DefaultBranch: repo.GetDefaultBranch()}, true, nil
	case st == http.StatusNotFound:
		return Repo{}, false, nil
	case st == 0:
		return Repo{}, false, err
	default:
		return Repo{}, false, &APIError{Status: st, Msg: gitHubUnexpected(g.s, "GET /repos/"+org+"/"+name, st, err)}
	}
}

func (g *gitHubRepos) Exists(ctx context.Context, r Repo) (bool, error) {
	c, err := g.client()
	if err != nil {
		return false, &APIError{Msg: err.Error()}
	}
	owner, name := g.split(r)
	_, resp, err := c.Repositories.Get(ctx, owner, name)
	switch st := gitHubStatus(resp); {
	case err == nil:
		return true, nil
	case st == http.StatusNotFound:
		return false, nil
	case st == 0:
		return false, err
	default:
		return false, &APIError{Status: st, Msg: gitHubUnexpected(g.s, "GET /repos/"+owner+"/"+name, st, err)}
	}
}

func (g *gitHubRepos) Delete(ctx context.Context, r Repo) error {
	c, err := g.client()
	if err != nil {
		return &APIError{Msg: err.Error()}
	}
	owner, name := g.split(r)
	resp, err := c.Repositories.Delete(ctx, owner, name)
	st := gitHubStatus(resp)
	switch {
	case err == nil, st == http.StatusNotFound:
		return nil // 204, or gone already: the runner confirms with Exists
	case st == 0:
		return err
	case st != http.StatusForbidden:
		return &APIError{Status: st, Msg: gitHubUnexpected(g.s, "DELETE /repos/"+owner+"/"+name, st, err)}
	}
	if u, ok := gitHubSSO(gitHubHeader(resp)); ok {
		g.deletePerm = "SAML SSO authorisation for " + owner
		return &APIError{Status: st, Msg: gitHubSSOMessage(g.s, owner, u)}
	}
	msg := gitHubMessage(err)
	granted, present := gitHubGrantedScopes(gitHubHeader(resp))
	switch {
	case !present:
		g.deletePerm = "the repository permission Administration: read and write (fine-grained token) and admin rights on the repository"
		return &APIError{Status: st, Msg: fmt.Sprintf("GitHub refused to delete %s (%s): a fine-grained token needs Administration: "+
			"read and write, and its user admin rights on the repository (%s)", r.FullName, msg, g.s.TokenURL())}
	case !granted["delete_repo"]:
		g.deletePerm = "the delete_repo scope"
		return &APIError{Status: st, Msg: fmt.Sprintf("GitHub refused to delete %s (%s): the token lacks the delete_repo scope "+
			"(X-OAuth-Scopes: %s); add it at %s", r.FullName, msg, gitHubHeader(resp).Get("X-OAuth-Scopes"), g.s.TokenURL())}
	default:
		g.deletePerm = "admin rights on the repository (an organisation owner, or a member the organisation lets delete repositories)"
		return &APIError{Status: st, Msg: fmt.Sprintf("GitHub refused to delete %s (%s): the token has delete_repo, so the user lacks "+
			"admin rights on the repository, or the organisation does not let members delete repositories (%s/organizations/%s/"+
			"settings/member_privileges)", r.FullName, msg, g.webHost(), owner)}
	}
}

func (g *gitHubRepos) GitUsername() string { return g.s.Creds.Username }

func (g *gitHubRepos) DeletePermission() string {
	if g.deletePerm != "" {
		return g.deletePerm
	}
	return "the delete_repo scope (fine-grained: Administration read and write) and admin rights on the repository"
}

func (g *gitHubRepos) split(r Repo) (owner, name string) {
	if o, n, ok := strings.Cut(r.FullName, "/"); ok {
		return o, n
	}
	return g.s.Creds.Org, r.Name
}

func (g *gitHubRepos) fineGrained(resp *github.Response) bool {
	_, present := gitHubGrantedScopes(gitHubHeader(resp))
	return !present
}

// webHost is the GitHub web address without a trailing slash, for settings links.
func (g *gitHubRepos) webHost() string {
	return strings.TrimSuffix(strings.TrimRight(g.s.TokenURL(), "/"), "/settings/tokens")
}

func gitHubStatus(resp *github.Response) int {
	if resp == nil || resp.Response == nil {
		return 0
	}
	return resp.StatusCode
}

func gitHubHeader(resp *github.Response) http.Header {
	if resp == nil || resp.Response == nil {
		return http.Header{}
	}
	return resp.Header
}

func gitHubMessage(err error) string {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Message != "" {
		return er.Message
	}
	return "no message"
}

// FindPath reads the existing repository full (OWNER/REPO) for the existing-repository mode.
func (g *gitHubRepos) FindPath(ctx context.Context, full string) (Repo, bool, error) {
	c, err := g.client()
	if err != nil {
		return Repo{}, false, &APIError{Msg: err.Error()}
	}
	owner, name, _ := strings.Cut(full, "/")
	repo, resp, err := c.Repositories.Get(ctx, owner, name)
	switch st := gitHubStatus(resp); {
	case err == nil:
		return Repo{ID: repo.GetName(), Name: repo.GetName(), FullName: repo.GetFullName(), CloneURL: repo.GetCloneURL(),
			WebURL: repo.GetHTMLURL(), DefaultBranch: repo.GetDefaultBranch(), Visibility: gitHubVisibility(repo)}, true, nil
	case st == http.StatusNotFound:
		return Repo{}, false, nil
	case st == 0:
		return Repo{}, false, err
	default:
		return Repo{}, false, &APIError{Status: st, Msg: gitHubUnexpected(g.s, "GET /repos/"+full, st, err)}
	}
}
