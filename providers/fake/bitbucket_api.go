package fake

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

func bbLink(href string) map[string]any { return map[string]any{"href": href} }

func (e *bitbucketEmulator) user(w http.ResponseWriter, cred *bbCredential) {
	u := cred.user
	WriteJSON(w, http.StatusOK, map[string]any{
		"type": "user", "uuid": u.UUID, "account_id": u.AccountID, "nickname": u.Nickname, "username": u.Nickname,
		"display_name": u.DisplayName, "account_status": "active", "is_staff": false, "has_2fa_enabled": nil,
		"created_on": "2018-02-03T04:05:06.000000+00:00", "location": nil,
		"links": map[string]any{
			"self":   bbLink("https://api.bitbucket.org/2.0/users/" + url.PathEscape(u.UUID)),
			"html":   bbLink("https://bitbucket.org/" + url.PathEscape(u.UUID) + "/"),
			"avatar": bbLink("https://secure.gravatar.com/avatar/0?d=identicon"),
		},
	})
}

func (e *bitbucketEmulator) workspaceJSON(ws *bbWorkspace) map[string]any {
	return map[string]any{
		"type": "workspace", "uuid": ws.UUID, "name": ws.Name, "slug": ws.Slug, "is_private": true,
		"is_privacy_enforced": false, "created_on": "2018-02-03T04:05:06.000000+00:00",
		"links": map[string]any{
			"self":     bbLink("https://api.bitbucket.org/2.0/workspaces/" + ws.Slug),
			"html":     bbLink("https://bitbucket.org/" + ws.Slug + "/"),
			"projects": bbLink("https://api.bitbucket.org/2.0/workspaces/" + ws.Slug + "/projects"),
		},
	}
}

// page writes a paginated answer of values (pagelen and page from the query).
func bbPage(w http.ResponseWriter, r *http.Request, values []map[string]any) {
	pagelen, err := strconv.Atoi(r.URL.Query().Get("pagelen"))
	if err != nil || pagelen <= 0 {
		pagelen = 10
	}
	if pagelen > 100 {
		bbError(w, http.StatusBadRequest, "Invalid pagelen", nil)
		return
	}
	pageNo, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || pageNo <= 0 {
		pageNo = 1
	}
	start := min((pageNo-1)*pagelen, len(values))
	end := min(start+pagelen, len(values))
	out := map[string]any{"size": len(values), "page": pageNo, "pagelen": pagelen, "values": values[start:end]}
	if end < len(values) {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(pageNo+1))
		out["next"] = "https://api.bitbucket.org" + r.URL.Path + "?" + q.Encode()
	}
	if r.URL.Query().Get("fields") == "size" {
		out = map[string]any{"size": len(values)}
	}
	WriteJSON(w, http.StatusOK, out)
}

func (e *bitbucketEmulator) userWorkspaces(w http.ResponseWriter, r *http.Request, cred *bbCredential) {
	// Supports the one BBQL filter gitopscfg sends: workspace.slug="<slug>".
	want := ""
	if q := r.URL.Query().Get("q"); q != "" {
		v, ok := strings.CutPrefix(q, "workspace.slug=")
		if !ok {
			bbError(w, http.StatusBadRequest, "Invalid query: "+q, nil)
			return
		}
		want = strings.Trim(v, `"`)
	}
	e.mu.Lock()
	slugs := make([]string, 0, len(e.workspaces))
	for slug := range e.workspaces {
		slugs = append(slugs, slug)
	}
	sort.Strings(slugs)
	var values []map[string]any
	for _, slug := range slugs {
		ws := e.workspaces[slug]
		if ws.members[cred.user.UUID] == nil || (want != "" && want != slug) {
			continue
		}
		values = append(values, map[string]any{
			"type": "workspace_access", "administrator": ws.admins[cred.user.UUID],
			"workspace": map[string]any{"type": "workspace_base", "uuid": ws.UUID, "slug": ws.Slug, "name": ws.Name,
				"links": map[string]any{"self": bbLink("https://api.bitbucket.org/2.0/workspaces/" + ws.Slug)}},
			"links": map[string]any{"self": bbLink("https://api.bitbucket.org/2.0/user/workspaces/" + ws.Slug)},
		})
	}
	e.mu.Unlock()
	bbPage(w, r, values)
}

// projectJSON is a project as Atlassian's description gives it: its links are html and avatar
// only (the project schema allows no other; providers/openapi_bitbucket_test.go checks it).
func (e *bitbucketEmulator) projectJSON(ws *bbWorkspace, p *bbProject) map[string]any {
	return map[string]any{
		"type": "project", "uuid": p.UUID, "key": p.Key, "name": p.Name, "description": "", "is_private": true,
		"has_publicly_visible_repos": false, "created_on": p.CreatedOn, "updated_on": p.CreatedOn,
		"workspace": map[string]any{"type": "workspace", "uuid": ws.UUID, "slug": ws.Slug, "name": ws.Name},
		"links": map[string]any{
			"html":   bbLink("https://bitbucket.org/" + ws.Slug + "/workspace/projects/" + p.Key),
			"avatar": bbLink("https://bitbucket.org/" + ws.Slug + "/workspace/projects/" + p.Key + "/avatar/32"),
		},
	}
}

func (e *bitbucketEmulator) projects(w http.ResponseWriter, r *http.Request, ws *bbWorkspace) {
	e.mu.Lock()
	ps := append([]*bbProject{}, ws.projects...)
	e.mu.Unlock()
	switch r.URL.Query().Get("sort") {
	case "", "created_on":
		sort.SliceStable(ps, func(i, j int) bool { return ps[i].CreatedOn < ps[j].CreatedOn })
	case "-created_on":
		sort.SliceStable(ps, func(i, j int) bool { return ps[i].CreatedOn > ps[j].CreatedOn })
	default:
		bbError(w, http.StatusBadRequest, "Invalid field name: "+r.URL.Query().Get("sort"), nil)
		return
	}
	values := make([]map[string]any, len(ps))
	for i, p := range ps {
		values[i] = e.projectJSON(ws, p)
	}
	bbPage(w, r, values)
}

func (e *bitbucketEmulator) project(w http.ResponseWriter, ws *bbWorkspace, key string) {
	key, _ = url.PathUnescape(key)
	e.mu.Lock()
	var found *bbProject
	for _, p := range ws.projects {
		if strings.EqualFold(p.Key, key) {
			found = p
		}
	}
	e.mu.Unlock()
	if found == nil {
		bbError(w, http.StatusNotFound, "Project "+key+" not found in workspace "+ws.Slug+".", nil)
		return
	}
	WriteJSON(w, http.StatusOK, e.projectJSON(ws, found))
}

func (e *bitbucketEmulator) repositories(w http.ResponseWriter, r *http.Request, ws *bbWorkspace) {
	e.mu.Lock()
	values := make([]map[string]any, 0, len(ws.repos))
	for _, repo := range ws.repos {
		values = append(values, e.repoJSON(r, ws, repo, ""))
	}
	e.mu.Unlock()
	bbPage(w, r, values)
}
