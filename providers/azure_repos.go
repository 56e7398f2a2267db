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

// Azure DevOps repository lifecycle for the round-trip check (plain net/http, Basic auth with the
// PAT as password):
//   - GET  {org}/_apis/projects/{project}: the project's id, once per check;
//   - POST {org}/{project}/_apis/git/repositories {"name","project":{"id"}} → 201 with id and
//     remoteUrl (https://{org}@dev.azure.com/…: the userinfo is stripped from the clone URL);
//     a taken name → 409 TF400948;
//   - GET, DELETE {org}/{project}/_apis/git/repositories/{id} → 200/404, 204 (the spec also says 200).
//
// Creating and deleting need the Code (read, write & manage) scope (a PAT without it gets 401
// TF400813) and, in the project, the Create repository / Delete repository permissions (403 TF401027).

// azureRepos is the Azure repository lifecycle for the round-trip check.
type azureRepos struct {
	s *session

	mu        sync.Mutex
	projectID string // resolved by the first Create
	// projectVisibility is the project's visibility as its answer showed it ("" when read from
	// the repository list instead).
	projectVisibility string
}

func newAzureRepos(s *session) repoAPI { return &azureRepos{s: s} }

func (az *azureRepos) project() string { return strings.TrimSpace(az.s.Creds.Org) }

func (az *azureRepos) reposPath() string {
	return "/" + url.PathEscape(az.project()) + "/_apis/git/repositories"
}

// azDo sends one request to the Azure DevOps API with the PAT; body, when not nil, is sent as JSON.
func azDo(ctx context.Context, s *session, method, path string, body any) azAnswer {
	if !strings.Contains(path, "api-version=") {
		// Every Azure DevOps REST request names its version; none may go without one.
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + azAPIVersion
	}
	return azAnswer{s.send(ctx, method, path, body, func(req *http.Request) {
		if s.bearer != "" {
			req.Header.Set("Authorization", "Bearer "+s.bearer) // a service principal's Entra token
			return
		}
		user := strings.TrimSpace(s.Creds.Username)
		if user == "" {
			user = "gitopscfg" // Azure DevOps authenticates the PAT alone; any user name does.
		}
		req.SetBasicAuth(user, s.Creds.Token)
	}, azBodyLimit)}
}

// azRepository is the part of Azure DevOps' GitRepository the round trip uses.
type azRepository struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	RemoteURL string `json:"remoteUrl"`
	WebURL    string `json:"webUrl"`
	// DefaultBranch is a full ref (refs/heads/main); a new, empty repository has none.
	DefaultBranch string `json:"defaultBranch"`
	// Project is the project the repository belongs to; a repository has no visibility of its
	// own, it takes the project's.
	Project azProject `json:"project"`
}

// resolveProject returns the project's id (GET _apis/projects/{project}), remembered for later
// calls. A token without "Project and Team (Read)" can still read the project's id from its
// repository list, which Code (read) allows.
func (az *azureRepos) resolveProject(ctx context.Context) (string, error) {
	az.mu.Lock()
	id := az.projectID
	az.mu.Unlock()
	if id != "" {
		return id, nil
	}
	project := az.project()
	if project == "" {
		return "", &APIError{Msg: "no project given: enter the Azure DevOps Project Name (the project that will hold the " +
			"GitOps repositories); the projects of the organisation are listed at " + azProjectsURL(az.s)}
	}
	a := azDo(ctx, az.s, http.MethodGet, "/_apis/projects/"+url.PathEscape(project)+"?"+azAPIVersion, nil)
	if a.err != nil {
		return "", a.err
	}
	var p azProject
	switch {
	case a.status == http.StatusOK && a.decode(&p) && p.ID != "":
		id = p.ID
		az.mu.Lock()
		az.projectVisibility = p.Visibility
		az.mu.Unlock()
	case a.status == http.StatusUnauthorized && !a.signIn() && !azDeadToken(a):
		// No "Project and Team (Read)": take the id from the project's repositories instead.
		l := azDo(ctx, az.s, http.MethodGet, az.reposPath()+"?"+azAPIVersion, nil)
		if l.err != nil {
			return "", l.err
		}
		var list struct {
			Value []struct {
				Project azProject `json:"project"`
			} `json:"value"`
		}
		if l.status == http.StatusOK && l.decode(&list) && len(list.Value) > 0 &&
			list.Value[0].Project.ID != "" {
			id = list.Value[0].Project.ID
			break
		}
		return "", az.failure(l, "read project "+fmt.Sprintf("%q", project), "Code: Read")
	default:
		return "", az.failure(a, "read project "+fmt.Sprintf("%q", project), "Project and Team: Read")
	}
	az.mu.Lock()
	az.projectID = id
	az.mu.Unlock()
	return id, nil
}

func (az *azureRepos) Create(ctx context.Context, name string) (Repo, error) {
	pid, err := az.resolveProject(ctx)
	if err != nil {
		return Repo{}, err
	}
	a := azDo(ctx, az.s, http.MethodPost, az.reposPath()+"?"+azAPIVersion,
		map[string]any{"name": name, "project": map[string]string{"id": pid}})
	if a.err != nil {
		return Repo{}, a.err
	}
	var r azRepository
	switch {
	case (a.status == http.StatusCreated || a.status == http.StatusOK) && a.json():
		if err := json.Unmarshal(a.body, &r); err != nil || r.ID == "" || r.RemoteURL == "" {
			return Repo{}, &APIError{Status: a.status, Msg: fmt.Sprintf("%s answered the repository creation with unreadable "+
				"JSON: is %s an Azure DevOps organisation URL?", az.s.APIHost, az.s.Creds.Host)}
		}
	case a.status == http.StatusConflict:
		msg := a.serviceError()
		return Repo{}, &APIError{Status: a.status, Taken: true, Msg: fmt.Sprintf("a repository named %q exists already in "+
			"project %q%s", name, az.project(), azQuote(msg))}
	default:
		return Repo{}, az.failure(a, fmt.Sprintf("create repository %q in project %q", name, az.project()), "Code: Read, write, & manage")
	}
	full := az.project() + "/" + r.Name
	vis := r.Project.Visibility
	if vis == "" {
		az.mu.Lock()
		vis = az.projectVisibility
		az.mu.Unlock()
	}
	return Repo{ID: r.ID, Name: r.Name, FullName: full, CloneURL: withoutUserinfo(r.RemoteURL), WebURL: r.WebURL,
		DefaultBranch: strings.TrimPrefix(r.DefaultBranch, "refs/heads/"), Visibility: vis}, nil
}

func (az *azureRepos) Find(ctx context.Context, name string) (Repo, bool, error) {
	a := azDo(ctx, az.s, http.MethodGet, az.reposPath()+"/"+url.PathEscape(name)+"?"+azAPIVersion, nil)
	var r azRepository
	switch {
	case a.err != nil:
		return Repo{}, false, a.err
	case a.status == http.StatusOK && a.decode(&r) && r.ID != "":
		return Repo{ID: r.ID, Name: r.Name, FullName: az.project() + "/" + r.Name, CloneURL: withoutUserinfo(r.RemoteURL),
			WebURL: r.WebURL, DefaultBranch: strings.TrimPrefix(r.DefaultBranch, "refs/heads/")}, true, nil
	case a.status == http.StatusNotFound:
		return Repo{}, false, nil
	}
	return Repo{}, false, az.failure(a, fmt.Sprintf("read repository %q", name), "Code: Read")
}

func (az *azureRepos) Exists(ctx context.Context, r Repo) (bool, error) {
	a := azDo(ctx, az.s, http.MethodGet, az.reposPath()+"/"+url.PathEscape(r.ID)+"?"+azAPIVersion, nil)
	switch {
	case a.err != nil:
		return false, a.err
	case a.status == http.StatusOK && a.json():
		return true, nil
	case a.status == http.StatusNotFound:
		return false, nil
	}
	return false, az.failure(a, fmt.Sprintf("read repository %q", r.FullName), "Code: Read")
}

func (az *azureRepos) Delete(ctx context.Context, r Repo) error {
	a := azDo(ctx, az.s, http.MethodDelete, az.reposPath()+"/"+url.PathEscape(r.ID)+"?"+azAPIVersion, nil)
	switch {
	case a.err != nil:
		return a.err
	case a.status == http.StatusNoContent || a.status == http.StatusOK:
		return nil
	case a.status == http.StatusNotFound:
		return nil // gone already
	}
	return az.failure(a, fmt.Sprintf("delete repository %q", r.FullName), "Code: Read, write, & manage")
}

// GitUsername: Azure DevOps authenticates Git over HTTPS by the PAT alone; any non-empty user name
// does, so the configured one is used.
func (az *azureRepos) GitUsername() string {
	if u := strings.TrimSpace(az.s.Creds.Username); u != "" {
		return u
	}
	return "gitopscfg"
}

func (az *azureRepos) DeletePermission() string {
	return "the Code (read, write & manage) scope and the Delete repository permission in the project"
}

// azDeadToken reports whether a 401 says the PAT expired or was revoked.
func azDeadToken(a azAnswer) bool {
	low := strings.ToLower(a.serviceError())
	return a.status == http.StatusUnauthorized && (strings.Contains(low, "expired") || strings.Contains(low, "revoked"))
}

// failure turns a failed answer to action (e.az. `create repository "x" in project "p"`) into an
// actionable error; scope names the PAT scope the call needs.
func (az *azureRepos) failure(a azAnswer, action, scope string) *APIError {
	s := az.s
	said := azQuote(a.serviceError())
	fixToken := fmt.Sprintf("edit the token at %s: Scopes, Custom defined, tick %s", s.TokenURL(), scope)
	var msg string
	low := strings.ToLower(a.serviceError())
	switch {
	case a.signIn():
		msg = fmt.Sprintf("could not %s: Azure DevOps answered with its sign-in page (HTTP %d): the token is invalid, "+
			"expired or not valid for %s; create a new personal access token at %s (Code: Read, write, & manage)",
			action, a.status, s.Creds.Host, s.TokenURL())
	case azDeadToken(a):
		msg = fmt.Sprintf("could not %s: the personal access token has expired or been revoked%s; renew it at %s",
			action, said, s.TokenURL())
	case a.status == http.StatusUnauthorized:
		msg = fmt.Sprintf("could not %s: the token lacks the scope %s%s; %s", action, scope, said, fixToken)
	case a.status == http.StatusForbidden && (strings.Contains(low, "tf401027") || strings.Contains(low, "permission")):
		perm := "Create repository"
		if strings.HasPrefix(action, "delete") {
			perm = "Delete or disable repository"
		}
		msg = fmt.Sprintf("could not %s: your account lacks the %s permission in project %q%s; ask a project "+
			"administrator to grant it (Project settings > Repositories > Security)", action, perm, az.project(), said)
	case a.status == http.StatusForbidden:
		msg = fmt.Sprintf("could not %s: Azure DevOps refused it%s; check the token's %s scope (%s) and your permissions "+
			"in project %q", action, said, scope, s.TokenURL(), az.project())
	case a.status == http.StatusNotFound:
		msg = fmt.Sprintf("could not %s: project %q was not found in %s%s; check the Azure DevOps Project Name against %s",
			action, az.project(), s.Creds.Host, said, azProjectsURL(s))
	default:
		msg = fmt.Sprintf("could not %s: %s answered HTTP %d%s; try again later", action, s.APIHost, a.status, said)
	}
	return &APIError{Status: a.status, Msg: msg} // the round trip's stage redacts it
}

// withoutUserinfo removes the user name (and password) from a URL, as APIs put the caller's name
// into clone URLs (https://org@dev.azure.com/…, https://jdoe@bitbucket.org/…); a URL that does not
// parse is returned unchanged.
func withoutUserinfo(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	u.User = nil
	return u.String()
}

// cloneHost: clone URLs of organisations on the legacy URL name their legacy host.
func (az *azureRepos) cloneHost() string { return azureLegacyHost(az.s.Creds) }

// azureLegacyHost is the legacy host of the Azure DevOps organisation c names
// (https://dev.azure.com/{organisation} → {organisation}.visualstudio.com), where the API may put
// its clone URLs; "" for any other host. Only that one host is trusted, never another
// organisation's or any other *.visualstudio.com.
func azureLegacyHost(c Credentials) string {
	u, err := url.Parse(c.Host)
	if err != nil || !strings.EqualFold(u.Hostname(), "dev.azure.com") {
		return ""
	}
	org, _, _ := strings.Cut(strings.Trim(u.Path, "/"), "/")
	if org == "" || strings.ContainsAny(org, ".:@%") {
		return ""
	}
	return strings.ToLower(org) + ".visualstudio.com"
}

// reportCreated: an Azure DevOps repository takes its project's visibility.
func (az *azureRepos) reportCreated(r Repo, after, note string) (Status, string) {
	switch r.Visibility {
	case "public":
		return Warn, fmt.Sprintf("created repository %s, which is public: an Azure DevOps repository takes its project's "+
			"visibility, and project %q is public, so the GitOps repositories created there would be readable by anyone; make "+
			"the project private (Project settings > Overview > Visibility) or use a private project; the API returned it %s%s",
			r.FullName, az.project(), after, note)
	case "":
		return Pass, fmt.Sprintf("created repository %s (its visibility is its project's, which the token could not read); "+
			"the API returned it %s%s", r.FullName, after, note)
	}
	return Pass, fmt.Sprintf("created %s repository %s (as its project is: an Azure DevOps repository takes its project's "+
		"visibility); the API returned it %s%s", r.Visibility, r.FullName, after, note)
}
