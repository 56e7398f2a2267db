package providers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"gitopscfg/assets"
)

// Gitea is a self-hosted Gitea or Forgejo server (Codeberg runs Forgejo).
const Gitea ID = "gitea"

func init() {
	register(Provider{
		ID: Gitea, Name: "Gitea / Forgejo", OrgNoun: "organisation",
		tokenPath: "/user/settings/applications",
		TokenNoun: "access token",
		Fields: append(append(withAdvanced(
			hostField("Git Host", "https://gitea.example.com/", "https://gitea.example.com/ or https://codeberg.org/", assets.FieldHelp("gitea", "host")),
			orgField("Organisation", "acme-gitops", assets.FieldHelp("gitea", "org"), giteaOrgName),
			usernameField(assets.FieldHelp("gitea", "username"), "jdoe"),
			tokenField("Access Token", assets.FieldHelp("gitea", "token")),
		), urlPrefixField("https://codeberg.org/acme/", assets.FieldHelp("gitea", "url_prefix")), repoField("acme/gitops-apps", false, assets.FieldHelp("gitea", "repo"))), sshFields...),
		Scopes: []Scope{
			{Name: "write:organization", Why: "needed to create repositories in the organisation", CreateOnly: true},
			{Name: "write:repository", Why: "needed to push to the GitOps repositories and to delete repositories (the round-trip check deletes its throw-away repository)"},
			{Name: "read:user", Why: "needed to read who the token belongs to and your permissions in the organisation"},
		},
		apiBase:   func(_ *url.URL, base string) string { return base + "/api/v1" },
		check:     checkGitea,
		repos:     newGiteaRepos,
		gitAccess: giteaGitAccess,
		sshKeys:   giteaKeys,
	})
}

// giteaNameRe is a Gitea organisation name; its length is checked apart.
var giteaNameRe = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9]|[-_.][A-Za-z0-9])*$`)

// giteaOrgName is the rule of the organisation field.
func giteaOrgName(s string) (string, error) {
	if len(s) > 40 || !giteaNameRe.MatchString(s) {
		return "", fmt.Errorf("%q is not a Gitea organisation name: use the name from <host>/<organisation> — letters, digits, and single -, _ or . between them, at most 40 characters", s)
	}
	return s, nil
}

// giteaGitAccess names the likely cause of a refused Git request and where to fix it.
func giteaGitAccess(write bool, tokenURL string) string {
	if write {
		return "the token needs write:repository, its user write access to the repository (a team of the organisation with Code: Write), and a protected branch may refuse the push (Settings > Branches). Fix the token at " + tokenURL
	}
	return "the token needs read:repository (or write:repository) and its user read access to the repository. Fix it at " + tokenURL
}

// Gitea (and Forgejo) live check, against {host}/api/v1 with "Authorization: token <t>".
//
// First round, concurrently: GET /user (who the token is; needs read:user), GET /orgs/{org} (the
// organisation exists and is visible; needs read:organization), GET /notifications/new (a
// harmless read in a scope category a GitOps token does not need: a scoped token that lacks it
// gets 403 "token does not have at least one of required scope(s), required=[…], token scope=…",
// the only place a token's own scopes can be read: listing tokens needs the password). Second
// round: GET /users/{user}/orgs/{org}/permissions (can_create_repository, is_owner; needs
// read:user and read:organization). When the first probe passes (a token with read:notification,
// e.g. one with every scope), further probes in other categories (admin, package, issue) are
// tried one by one; a token that passes them all is reported as unlisted, and the round trip
// confirms it.
//
// Gitea access tokens have no expiry date (as of Gitea 1.27): the API reports none, and the check
// says so.

const giteaBodyLimit = 1 << 20

// giteaScopeRe reads the granted scopes out of Gitea's scope refusal.
var giteaScopeRe = regexp.MustCompile(`required scope\(s\), required=\[([^\]]*)\], token scope=(.*)$`)

// giteaAnswer is one answer of the Gitea API.
type giteaAnswer struct{ answer }

// message is Gitea's error text, {"message":…,"url":…}.
func (a giteaAnswer) message() string {
	var e struct {
		Message string `json:"message"`
	}
	if a.json() && json.Unmarshal(a.body, &e) == nil {
		return e.Message
	}
	return ""
}

// scopes returns the token's granted scopes when the answer is Gitea's scope refusal.
func (a giteaAnswer) scopes() ([]string, bool) {
	if a.status != http.StatusForbidden {
		return nil, false
	}
	m := giteaScopeRe.FindStringSubmatch(a.message())
	if m == nil {
		return nil, false
	}
	var out []string
	for sc := range strings.SplitSeq(m[2], ",") {
		if sc = strings.TrimSpace(sc); sc != "" {
			out = append(out, sc)
		}
	}
	return out, true
}

// scopeRefusal reports whether the answer is Gitea's refusal for a missing scope.
func (a giteaAnswer) scopeRefusal() bool {
	_, ok := a.scopes()
	return ok
}

// decode decodes a successful (2xx) JSON answer into v and reports whether it could.
func (a giteaAnswer) decode(v any) bool {
	return a.err == nil && a.status >= 200 && a.status < 300 && a.answer.decode(v)
}

// giteaDo sends one request to the Gitea API; body, when not nil, is sent as JSON.
func giteaDo(ctx context.Context, s *session, method, path string, body any) giteaAnswer {
	return giteaAnswer{s.send(ctx, method, path, body, func(req *http.Request) {
		req.Header.Set("Authorization", "token "+s.Creds.Token)
	}, giteaBodyLimit)}
}

type giteaUser struct {
	ID      int64  `json:"id"`
	Login   string `json:"login"`
	IsAdmin bool   `json:"is_admin"`
}

type giteaOrg struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Username   string `json:"username"`
	Visibility string `json:"visibility"`
}

type giteaOrgPermissions struct {
	IsOwner             bool `json:"is_owner"`
	IsAdmin             bool `json:"is_admin"`
	CanWrite            bool `json:"can_write"`
	CanRead             bool `json:"can_read"`
	CanCreateRepository bool `json:"can_create_repository"`
}

// giteaScopeProbes are harmless reads in scope categories a GitOps token does not need, tried in
// order until one is refused for its scope (whose message then lists the token's scopes).
func giteaScopeProbes(login string) []string {
	return []string{"/notifications/new", "/admin/cron?limit=1", "/packages/" + url.PathEscape(login) + "?limit=1",
		"/repos/issues/search?limit=1"}
}

func (s *session) giteaHost() string {
	host := strings.TrimRight(s.Creds.Host, "/")
	if host == "" {
		host = strings.TrimSuffix(s.APIBase, "/api/v1")
	}
	return host
}

func checkGitea(ctx context.Context, s *session) {
	org := strings.TrimSpace(s.Creds.Org)
	probes := giteaScopeProbes(strings.TrimSpace(s.Creds.Username))
	var user, orgA, probe giteaAnswer
	var g errgroup.Group
	g.Go(func() error { user = giteaDo(ctx, s, http.MethodGet, "/user", nil); return nil })
	g.Go(func() error { probe = giteaDo(ctx, s, http.MethodGet, probes[0], nil); return nil })
	if org != "" {
		g.Go(func() error { orgA = giteaDo(ctx, s, http.MethodGet, "/orgs/"+url.PathEscape(org), nil); return nil })
	}
	_ = g.Wait()
	for _, a := range []giteaAnswer{user, probe, orgA} {
		if a.err != nil && s.NetworkFailure(a.err) {
			return
		}
	}
	u, ok := giteaAuth(s, user)
	if !ok {
		skipAfterAuth(s, "authentication failed")
		return
	}
	granted, listed := giteaGranted(user, probe, orgA)
	login := u.Login
	if login == "" {
		login = strings.TrimSpace(s.Creds.Username)
	}
	if !listed {
		// The first probe passed: the token has broad scopes; try the other categories.
		for _, p := range giteaScopeProbes(login)[1:] {
			a := giteaDo(ctx, s, http.MethodGet, p, nil)
			if a.err != nil && s.NetworkFailure(a.err) {
				return
			}
			if granted, listed = a.scopes(); listed {
				break
			}
		}
	}
	var perms giteaAnswer
	if org != "" && login != "" && orgA.status == http.StatusOK {
		perms = giteaDo(ctx, s, http.MethodGet, "/users/"+url.PathEscape(login)+"/orgs/"+url.PathEscape(org)+"/permissions", nil)
		if perms.err != nil && s.NetworkFailure(perms.err) {
			return
		}
	}
	giteaScopes(s, granted, listed)
	giteaOrgCheck(s, org, u, orgA, perms)
	s.Add(CheckExpiry, Pass, "this server reports no expiry date for access tokens (Gitea tokens have none: they work until "+
		"deleted at "+s.TokenURL()+")")
}

// giteaGranted returns the token's scopes from the first answer that lists them.
func giteaGranted(as ...giteaAnswer) ([]string, bool) {
	for _, a := range as {
		if sc, ok := a.scopes(); ok {
			return sc, true
		}
	}
	return nil, false
}

// giteaAuth records the auth check from GET /user and reports whether the token can be used.
func giteaAuth(s *session, a giteaAnswer) (giteaUser, bool) {
	newToken := fmt.Sprintf("create a new one at %s with the scopes %s", s.TokenURL(), strings.Join(s.Provider.ScopeNames(), ", "))
	var u giteaUser
	switch {
	case a.err != nil:
		s.Add(CheckAuth, Fail, fmt.Sprintf("could not ask %s who the token belongs to: %v", s.APIHost, a.err))
		return u, false
	case a.status == http.StatusUnauthorized:
		detail := ""
		if m := a.message(); m != "" {
			detail = fmt.Sprintf(" (%q)", m)
		}
		s.Add(CheckAuth, Fail, fmt.Sprintf("bad credentials: %s does not accept this token (HTTP 401%s: mistyped, deleted, or made "+
			"on another server); %s", s.APIHost, detail, newToken))
		return u, false
	case a.scopeRefusal():
		// The token is valid (the refusal comes after authentication) but may not read the user.
		name := strings.TrimSpace(s.Creds.Username)
		if name != "" {
			s.SetUser(name)
		}
		s.Add(CheckAuth, Pass, "the token is valid, but it may not read its own user (read:user is missing, see below), so the "+
			"account it belongs to cannot be confirmed")
		return giteaUser{Login: name}, true
	case a.status >= 500:
		s.Add(CheckAuth, Fail, fmt.Sprintf("%s answered GET /user with HTTP %d, a server-side error, so nothing could be checked: "+
			"try again later", s.APIHost, a.status))
		return u, false
	case !a.decode(&u) || u.Login == "":
		if a.status == http.StatusOK {
			s.Add(CheckAuth, Fail, fmt.Sprintf("%s answered GET /user with something that is not Gitea's JSON: check that the Git "+
				"host (or API URL) points at a Gitea or Forgejo server (the API is at <host>/api/v1)", s.APIHost))
		} else {
			s.Add(CheckAuth, Fail, fmt.Sprintf("%s answered GET /user with HTTP %d%s: check the Git host and the token (%s)",
				s.APIHost, a.status, giteaQuote(a.message()), s.TokenURL()))
		}
		return u, false
	}
	s.SetUser(u.Login)
	if want := strings.TrimSpace(s.Creds.Username); want != "" && !strings.EqualFold(want, u.Login) {
		s.Add(CheckAuth, Warn, fmt.Sprintf("authenticated as %s, but the Username field says %s: Git over HTTPS accepts the token "+
			"with any username, but correct the field so the platform's records name the right account", u.Login, want))
	} else {
		s.Add(CheckAuth, Pass, "authenticated as "+u.Login)
	}
	return u, true
}

// giteaHas reports whether the granted scopes cover need: write implies read, "all" implies
// everything, and "public-only" limits a token to public repositories and organisations.
func giteaHas(granted []string, need string) bool {
	if slices.Contains(granted, "all") || slices.Contains(granted, need) {
		return true
	}
	if cat, ok := strings.CutPrefix(need, "read:"); ok {
		return slices.Contains(granted, "write:"+cat)
	}
	return false
}

func giteaScopes(s *session, granted []string, listed bool) {
	if !listed {
		for _, sc := range s.Provider.Scopes {
			s.Add(ScopeCheckID(sc.Name), Warn, fmt.Sprintf("cannot be listed: the token may read every scope category probed (it "+
				"looks like a token with all scopes), and Gitea shows a token's scopes only when it refuses one; %s is needed (%s): "+
				"the round-trip check (--deep) confirms it, or see the token at %s", sc.Name, sc.Why, s.TokenURL()))
		}
		return
	}
	grantedText := strings.Join(granted, ", ")
	if grantedText == "" {
		grantedText = "none"
	}
	publicOnly := slices.Contains(granted, "public-only")
	for _, sc := range s.Provider.Scopes {
		id := ScopeCheckID(sc.Name)
		switch {
		case giteaHas(granted, sc.Name) && publicOnly && sc.Name != "read:user":
			s.Add(id, Fail, fmt.Sprintf("limited: the token is public-only, so it cannot reach private repositories or organisations; "+
				"%s. Gitea cannot change an existing token's scopes: create a new one at %s without public-only (granted now: %s)",
				sc.Why, s.TokenURL(), grantedText))
		case giteaHas(granted, sc.Name):
			s.Add(id, Pass, "granted")
		default:
			s.Add(id, Fail, fmt.Sprintf("missing: %s. Gitea cannot change an existing token's scopes: create a new one at %s with "+
				"the scopes %s (granted now: %s)", sc.Why, s.TokenURL(), strings.Join(s.Provider.ScopeNames(), ", "), grantedText))
		}
	}
}

func giteaOrgCheck(s *session, org string, u giteaUser, orgA, perms giteaAnswer) {
	host := s.giteaHost()
	if org == "" {
		s.Add(CheckOrg, Fail, "no organisation given: enter the Organisation in which the GitOps repositories are created (the name "+
			"in its URL, "+host+"/<organisation>)")
		return
	}
	name, ok := giteaOrgFound(s, org, host, orgA)
	if !ok {
		return
	}
	teams := host + "/org/" + url.PathEscape(name) + "/teams"
	var p giteaOrgPermissions
	switch {
	case perms.status == http.StatusOK && perms.decode(&p):
	case perms.scopeRefusal():
		s.Add(CheckOrg, Warn, fmt.Sprintf("organisation %s exists, but whether you may create repositories in it cannot be read: "+
			"the token lacks read:user (%s); see your teams at %s", name, perms.message(), teams))
		return
	case perms.status == 0:
		s.Add(CheckOrg, Warn, fmt.Sprintf("organisation %s exists, but your permissions in it could not be read without your "+
			"username: enter it in the Username field; see your teams at %s", name, teams))
		return
	default:
		s.Add(CheckOrg, Fail, fmt.Sprintf("organisation %s exists, but reading your permissions in it failed: %s answered HTTP %d%s",
			name, s.APIHost, perms.status, giteaQuote(perms.message())))
		return
	}
	giteaOrgRole(s, name, teams, u, p)
}

// giteaOrgFound records a failing org check unless GET /orgs/{org} found the organisation, and
// returns its name as Gitea spells it.
func giteaOrgFound(s *session, org, host string, orgA giteaAnswer) (string, bool) {
	var o giteaOrg
	switch {
	case orgA.status == http.StatusOK && orgA.decode(&o):
	case orgA.status == http.StatusNotFound:
		s.Add(CheckOrg, Fail, fmt.Sprintf("organisation %s not found on %s, or you cannot see it (a private organisation is visible to "+
			"its members only): the GitOps repositories are created there. Check the name (as in %s/<organisation>) and ask an "+
			"owner to add you to one of its teams", org, s.APIHost, host))
		return "", false
	case orgA.scopeRefusal():
		s.Add(CheckOrg, Fail, fmt.Sprintf("the token may not read organisation %s (%s): it needs write:organization; create a new "+
			"token at %s", org, orgA.message(), s.TokenURL()))
		return "", false
	default:
		s.Add(CheckOrg, Fail, fmt.Sprintf("could not read organisation %s: %s answered HTTP %d%s; check the organisation name and "+
			"try again later", org, s.APIHost, orgA.status, giteaQuote(orgA.message())))
		return "", false
	}
	if o.Username == "" {
		return org, true
	}
	return o.Username, true
}

// giteaOrgRole records the org check from the user's permissions in the organisation: whether the
// GitOps repositories may be created (and deleted) there.
func giteaOrgRole(s *session, name, teams string, u giteaUser, p giteaOrgPermissions) {
	switch {
	case p.IsOwner || u.IsAdmin:
		who := "you are an owner of it"
		if !p.IsOwner {
			who = "you are a site administrator"
		}
		s.Add(CheckOrg, Pass, fmt.Sprintf("organisation %s: %s, so you may create and delete its repositories", name, who))
	case p.CanCreateRepository:
		s.AddUnneeded(CheckOrg, Warn, fmt.Sprintf("organisation %s: a team of yours may create repositories, but only the organisation's "+
			"owners may delete them (Gitea answers \"user should be the owner of the repo\"): GitOps works, but the round-trip "+
			"check (--deep) does not create a repository it could not delete; ask an owner to add you to the Owners team (%s) "+
			"for it", name, teams), "cannot delete repositories in "+name)
	default:
		s.AddUnneeded(CheckOrg, Fail, fmt.Sprintf("organisation %s: you may not create repositories in it (none of your teams has \"Create "+
			"repositories\"), so the GitOps repositories cannot be created: ask an owner to add you to a team that may (%s)",
			name, teams), "cannot create repositories in "+name)
	}
}

func giteaQuote(msg string) string {
	if msg == "" {
		return ""
	}
	return fmt.Sprintf(" (%q)", msg)
}
