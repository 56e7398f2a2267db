package providers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// Bitbucket Cloud repository lifecycle for the round-trip check, in plain net/http on the check's
// context and shared transport (go-bitbucket's decoding of a repository fails on valid times, see
// bbRepository):
//   - without a project key, GET /workspaces/{ws}/projects?sort=created_on&pagelen=1 once: the
//     workspace's oldest project, as Devtron chooses it;
//   - POST /repositories/{ws}/{slug} {"scm":"git","is_private":true,"project":{"key"}} → 200 with
//     links.clone[name=https].href (https://{user}@bitbucket.org/…: the userinfo is stripped) and
//     links.html.href; a taken slug → 400 "Repository with this Slug and Owner already exists.";
//   - GET /repositories/{ws}/{slug} → 200/404; DELETE → 204.
//
// Creating needs admin:repository:bitbucket, deleting delete:repository:bitbucket (a token without
// them gets 403 "Your credentials lack one or more required privilege scopes.").
//
// Git over HTTPS takes other user names than the REST API: an API token authenticates REST with
// the Atlassian account e-mail but Git only with the Bitbucket username or the static name
// x-bitbucket-api-token-auth; access tokens use x-token-auth.

// bbTakenPhrase is how Bitbucket says a slug is taken.
const bbTakenPhrase = "already exists"

// bitbucketRepos is the Bitbucket repository lifecycle for the round-trip check.
type bitbucketRepos struct {
	b *bbSession

	mu         sync.Mutex
	projectKey string // resolved by the first Create
}

func newBitbucketRepos(s *session) repoAPI {
	return &bitbucketRepos{b: &bbSession{session: s, kind: bbKindOf(s.Creds)}}
}

func (bb *bitbucketRepos) workspace() string { return strings.TrimSpace(bb.b.Creds.Org) }

// project returns the key of the project that gets the repository: the configured key, else the
// workspace's oldest project.
func (bb *bitbucketRepos) project(ctx context.Context) (string, error) {
	if key := strings.TrimSpace(bb.b.Creds.ProjectKey); key != "" {
		return key, nil
	}
	bb.mu.Lock()
	key := bb.projectKey
	bb.mu.Unlock()
	if key != "" {
		return key, nil
	}
	ws := bb.workspace()
	a := bb.b.get(ctx, "/workspaces/"+url.PathEscape(ws)+"/projects?sort=created_on&pagelen=1")
	if a.err != nil {
		return "", a.err
	}
	var page bbProjectPage
	if a.status != http.StatusOK {
		return "", bb.failure(a, fmt.Sprintf("find the oldest project of workspace %q (no project key given)", ws))
	}
	if err := json.Unmarshal(a.body, &page); err != nil {
		return "", &APIError{Status: a.status, Msg: fmt.Sprintf("%s answered the project list with unreadable JSON; try again later", bb.b.APIHost)}
	}
	if len(page.Values) == 0 || page.Values[0].Key == "" {
		return "", &APIError{Msg: fmt.Sprintf("workspace %q has no project to create the repository in: create one at "+
			"https://bitbucket.org/%s/workspace/projects/ or enter a project key", ws, ws)}
	}
	key = page.Values[0].Key
	bb.mu.Lock()
	bb.projectKey = key
	bb.mu.Unlock()
	return key, nil
}

func (bb *bitbucketRepos) Create(ctx context.Context, name string) (Repo, error) {
	key, err := bb.project(ctx)
	if err != nil {
		return Repo{}, err
	}
	full := bb.workspace() + "/" + name
	body := map[string]any{"scm": "git", "is_private": true, "project": map[string]any{"key": key}}
	a := bbAnswer{answer: bb.b.send(ctx, http.MethodPost, bb.repoPath(name), body, bb.b.authorize, bbBodyLimit)}
	switch {
	case a.err != nil:
		return Repo{}, bb.transport(a.err, "create repository "+full)
	case a.status == http.StatusBadRequest && strings.Contains(a.message(), bbTakenPhrase):
		return Repo{}, &APIError{Status: a.status, Taken: true, Msg: fmt.Sprintf("a repository %s exists already%s",
			full, bbQuote(a.message()))}
	case a.status != http.StatusOK && a.status != http.StatusCreated:
		return Repo{}, bb.failure(a, fmt.Sprintf("create repository %s in project %s", full, key))
	}
	var r bbRepository
	ok := json.Unmarshal(a.body, &r) == nil
	clone, web := r.links()
	if !ok || clone == "" {
		return Repo{}, &APIError{Status: a.status, Msg: fmt.Sprintf("%s created %s but its answer has no HTTPS clone link; "+
			"delete the repository at https://bitbucket.org/%s/admin if it is left over", bb.b.APIHost, full, full)}
	}
	if r.FullName != "" {
		full = r.FullName
	}
	if r.Slug != "" {
		name = r.Slug
	}
	vis := "public"
	if r.IsPrivate {
		vis = "private"
	}
	return Repo{ID: name, Name: name, FullName: full, CloneURL: withoutUserinfo(clone), WebURL: web,
		DefaultBranch: r.Mainbranch.Name, Visibility: vis}, nil
}

// bbRepository is the part of Bitbucket's repository JSON the round trip reads. Nothing else is
// decoded: go-bitbucket v0.10.0 decodes created_on and updated_on with one exact layout
// (.000000+00:00) and called a repository with another valid RFC 3339 time ("…Z") unreadable.
type bbRepository struct {
	Slug       string `json:"slug"`
	FullName   string `json:"full_name"`
	IsPrivate  bool   `json:"is_private"`
	Mainbranch struct {
		Name string `json:"name"`
	} `json:"mainbranch"`
	Links struct {
		HTML struct {
			Href string `json:"href"`
		} `json:"html"`
		Clone []struct {
			Name string `json:"name"`
			Href string `json:"href"`
		} `json:"clone"`
	} `json:"links"`
}

// repoPath is the API path of a repository of the workspace.
func (bb *bitbucketRepos) repoPath(slug string) string {
	return "/repositories/" + url.PathEscape(bb.workspace()) + "/" + url.PathEscape(slug)
}

// links returns the HTTPS clone link and the web page of a repository.
func (r bbRepository) links() (clone, web string) {
	for _, l := range r.Links.Clone {
		if l.Name == "https" {
			clone = l.Href
		}
	}
	return clone, r.Links.HTML.Href
}

func (bb *bitbucketRepos) Find(ctx context.Context, name string) (Repo, bool, error) {
	full := bb.workspace() + "/" + name
	a := bb.b.get(ctx, bb.repoPath(name))
	switch {
	case a.err != nil:
		return Repo{}, false, bb.transport(a.err, "read repository "+full)
	case a.status == http.StatusNotFound:
		return Repo{}, false, nil
	case a.status != http.StatusOK:
		return Repo{}, false, bb.failure(a, "read repository "+full)
	}
	var r bbRepository
	if err := json.Unmarshal(a.body, &r); err != nil {
		return Repo{}, false, bb.transport(err, "read repository "+full)
	}
	clone, web := r.links()
	return Repo{ID: name, Name: name, FullName: full, CloneURL: withoutUserinfo(clone), WebURL: web}, true, nil
}

func (bb *bitbucketRepos) Exists(ctx context.Context, r Repo) (bool, error) {
	a := bb.b.get(ctx, bb.repoPath(r.ID))
	switch {
	case a.err != nil:
		return false, bb.transport(a.err, "read repository "+r.FullName)
	case a.status == http.StatusOK:
		return true, nil
	case a.status == http.StatusNotFound:
		return false, nil
	}
	return false, bb.failure(a, "read repository "+r.FullName)
}

func (bb *bitbucketRepos) Delete(ctx context.Context, r Repo) error {
	a := bbAnswer{answer: bb.b.send(ctx, http.MethodDelete, bb.repoPath(r.ID), nil, bb.b.authorize, bbBodyLimit)}
	switch {
	case a.err != nil:
		return bb.transport(a.err, "delete repository "+r.FullName)
	case a.status == http.StatusNoContent || a.status == http.StatusOK || a.status == http.StatusNotFound:
		return nil // a 404 means it is gone already
	}
	return bb.failure(a, "delete repository "+r.FullName)
}

// GitUsername is the Git user name for the credential: Bitbucket's static names for API tokens
// (x-bitbucket-api-token-auth; the account e-mail, which REST wants, is refused by Git) and for
// access tokens (x-token-auth); a legacy app password keeps its Bitbucket username.
func (bb *bitbucketRepos) GitUsername() string {
	switch bb.b.kind {
	case bbAccessToken:
		return bbGitAccessUser
	case bbAPIToken:
		return bbGitAPITokenUser
	}
	return strings.TrimSpace(bb.b.Creds.Username)
}

func (bb *bitbucketRepos) DeletePermission() string {
	return "the delete:repository:bitbucket scope and admin rights on the repository"
}

// transport passes network errors through (the runner reports them) and explains the rest, such
// as an answer go-bitbucket could not decode.
func (bb *bitbucketRepos) transport(err error, action string) error {
	if DescribeNetworkError(err, bb.b.APIHost) != "" {
		return err
	}
	return &APIError{Msg: fmt.Sprintf("could not %s: unreadable answer from %s (%v); try again later",
		action, bb.b.APIHost, err)}
}

// bbPrivilegeRefusal reports whether a 400's message says the caller may not do it (as opposed
// to a malformed or invalid request).
func bbPrivilegeRefusal(msg string) bool {
	low := strings.ToLower(msg)
	for _, w := range []string{"permission", "privilege", "not allowed", "not permitted", "access denied", "do not have access", "don't have access"} {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}

// key is the project the repositories go to, as far as it is known ("the project" before).
func (bb *bitbucketRepos) key() string {
	bb.mu.Lock()
	defer bb.mu.Unlock()
	if bb.projectKey != "" {
		return bb.projectKey
	}
	if k := strings.TrimSpace(bb.b.Creds.ProjectKey); k != "" {
		return k
	}
	return "the project"
}

// failure turns a failed answer to action into an actionable error.
func (bb *bitbucketRepos) failure(a bbAnswer, action string) *APIError {
	b := bb.b
	said := bbQuote(a.message())
	ws := bb.workspace()
	var msg string
	switch {
	case a.status == http.StatusUnauthorized:
		fix := "create an API token with scopes at " + b.TokenURL() + " (app: Bitbucket) and enter your Atlassian account " +
			"e-mail as the username"
		msg = fmt.Sprintf("could not %s: %s", action, b.rejected(strings.TrimSpace(b.Creds.Username), a.message(), fix))
	case a.lacksScope():
		required := a.errorBody().Error.Detail.Required
		if len(required) == 0 {
			required = []string{"a scope it does not name"}
		}
		var why []string
		for _, r := range required {
			for _, sc := range b.Provider.Scopes {
				if sc.Name == r {
					why = append(why, sc.Why)
				}
			}
		}
		reason := ""
		if len(why) > 0 {
			reason = ", which is " + strings.Join(why, "; ")
		}
		fix := "add it to the token at " + b.tokenPage()
		if b.kind == bbAccessToken {
			fix = "access-token scopes cannot be edited: create a new token with it in " + b.tokenPage()
		}
		msg = fmt.Sprintf("could not %s: the token lacks %s%s%s; %s", action, strings.Join(required, ", "), reason, said, fix)
	case a.status == http.StatusBadRequest && bbPrivilegeRefusal(a.message()):
		// POST /repositories/{workspace}/{slug} answers 400 also "if the caller lacks the privilege to
		// create repositories under the targeted account" (the API description): not a server fault.
		msg = fmt.Sprintf("could not %s: your account lacks the privilege to create repositories in workspace %q%s: ask a "+
			"workspace administrator for the Create repositories permission on project %s (Project settings > User and group "+
			"access), or for admin rights on the workspace (https://bitbucket.org/%s/workspace/settings/user-permissions)",
			action, ws, said, bb.key(), ws)
	case a.status == http.StatusBadRequest:
		msg = fmt.Sprintf("could not %s: Bitbucket refused the request (HTTP 400)%s; Bitbucket answers 400 both to a request it "+
			"cannot accept and when the caller lacks the privilege to create repositories, so if the message names no field, "+
			"ask an administrator of workspace %q for the Create repositories permission on project %s", action, said, ws, bb.key())
	case a.status == http.StatusForbidden:
		msg = fmt.Sprintf("could not %s: Bitbucket refused it%s: your account needs create rights in the project (or admin "+
			"rights on the repository); ask an administrator of workspace %q (https://bitbucket.org/%s/workspace/settings)",
			action, said, ws, ws)
	case a.status == http.StatusNotFound:
		msg = fmt.Sprintf("could not %s: not found%s; check the Workspace ID %q and the project key", action, said, ws)
	default:
		msg = fmt.Sprintf("could not %s: %s answered HTTP %d%s; try again later", action, b.APIHost, a.status, said)
	}
	return &APIError{Status: a.status, Msg: msg} // the round trip's stage redacts it
}
