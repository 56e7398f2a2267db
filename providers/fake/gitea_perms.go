package fake

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

type giteaPerms struct{ owner, create, write, read bool }

func (e *giteaEmulator) permsOf(login string) giteaPerms {
	e.mu.Lock()
	defer e.mu.Unlock()
	var p giteaPerms
	for _, t := range e.teamsOf(login) {
		p.owner = p.owner || t.Owner
		p.create = p.create || t.Create
		p.write = p.write || t.Write
		p.read = true
	}
	return p
}

// permissions answers GET /users/{user}/orgs/{org}/permissions. As the real server answers, only
// is_owner and can_create_repository reflect team rights; is_admin, can_write and can_read are
// false for members who are not owners.
func (e *giteaEmulator) permissions(w http.ResponseWriter, r *http.Request, tok *giteaTokenRec, doer *giteaAccount, user, org string) {
	if !requireScope(w, r, tok, "user", "organization") {
		return
	}
	e.mu.Lock()
	target := e.users[strings.ToLower(user)]
	e.mu.Unlock()
	if target == nil {
		giteaErr(w, r, http.StatusNotFound, "user redirect does not exist [name: "+user+"]")
		return
	}
	if !e.orgVisible(org, doer) {
		giteaErr(w, r, http.StatusNotFound, "not found")
		return
	}
	p := e.permsOf(target.Login)
	WriteJSON(w, http.StatusOK, map[string]any{
		"is_owner": p.owner, "is_admin": p.owner, "can_write": p.owner, "can_read": p.owner, "can_create_repository": p.create,
	})
}

func (e *giteaEmulator) orgRepos(w http.ResponseWriter, r *http.Request, tok *giteaTokenRec, u *giteaAccount, org string) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		giteaErr(w, r, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	// The organisation's scope is checked first (its route group), then the organisation itself.
	if !requireScope(w, r, tok, "organization") {
		return
	}
	if !e.orgVisible(org, u) {
		giteaErr(w, r, http.StatusNotFound, "not found")
		return
	}
	if r.Method == http.MethodGet {
		e.mu.Lock()
		names := make([]string, 0, len(e.repos))
		for k := range e.repos {
			names = append(names, k)
		}
		slices.Sort(names)
		list := make([]map[string]any, 0, len(names))
		for _, k := range names {
			list = append(list, e.repoJSON(r, e.repos[k], u))
		}
		e.mu.Unlock()
		w.Header().Set("X-Total-Count", strconv.Itoa(len(list)))
		WriteJSON(w, http.StatusOK, list)
		return
	}
	if !requireScope(w, r, tok, "repository") {
		return
	}
	body, ok := decodeGiteaCreate(w, r)
	if !ok {
		return
	}
	if !u.Admin && !e.permsOf(u.Login).create {
		giteaErr(w, r, http.StatusForbidden, "User is not allowed to create repositories in this organization.")
		return
	}
	rp, err := e.create(body)
	switch {
	case err == errRepoExists:
		giteaErr(w, r, http.StatusConflict, "The repository with the same name already exists.")
	case err != nil:
		giteaErr(w, r, http.StatusInternalServerError, err.Error())
	default:
		e.mu.Lock()
		out := e.repoJSON(r, rp, u)
		e.mu.Unlock()
		WriteJSON(w, http.StatusCreated, out)
	}
}

// repoURL is the repository's web address.
func giteaRepoURL(r *http.Request, name string) string {
	return "http://" + r.Host + "/" + GiteaOrg + "/" + url.PathEscape(name)
}
