package providers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	bitbucket "github.com/ktrysmt/go-bitbucket"
	"golang.org/x/sync/errgroup"
)

type bbUser struct {
	DisplayName string `json:"display_name"`
	Nickname    string `json:"nickname"`
	Username    string `json:"username"`
}

type bbProject struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

type bbProjectPage struct {
	Size   int         `json:"size"`
	Values []bbProject `json:"values"`
}

type bbAccessPage struct {
	Values []struct {
		Administrator bool `json:"administrator"`
		Workspace     struct {
			Slug string `json:"slug"`
		} `json:"workspace"`
	} `json:"values"`
}

// bbAnswers are the concurrent answers one check works from.
type bbAnswers struct {
	user, workspace, project, repos, access bbAnswer
}

// checkBitbucket is the live check of Bitbucket Cloud credentials.
func checkBitbucket(ctx context.Context, s *session) {
	b := &bbSession{session: s, kind: bbKindOf(s.Creds)}
	ws := strings.TrimSpace(s.Creds.Org)
	key := strings.TrimSpace(s.Creds.ProjectKey)
	var an bbAnswers
	var g errgroup.Group
	g.Go(func() error { an.user = b.get(ctx, "/user"); return nil })
	if ws != "" {
		wsPath := url.PathEscape(ws)
		g.Go(func() error {
			an.workspace = b.library(ctx, func(c *bitbucket.Client) (any, error) { return c.Workspaces.Get(wsPath) })
			return nil
		})
		g.Go(func() error {
			if key != "" {
				an.project = b.library(ctx, func(c *bitbucket.Client) (any, error) {
					return c.Workspaces.GetProject(&bitbucket.ProjectOptions{Owner: wsPath, Key: url.PathEscape(key)})
				})
			} else {
				an.project = b.get(ctx, "/workspaces/"+wsPath+"/projects?sort=created_on&pagelen=1")
			}
			return nil
		})
		g.Go(func() error { an.repos = b.get(ctx, "/repositories/"+wsPath+"?pagelen=1&fields=size"); return nil })
		if b.kind != bbAccessToken {
			q := url.QueryEscape(`workspace.slug="` + ws + `"`)
			g.Go(func() error { an.access = b.get(ctx, "/user/workspaces?q="+q); return nil })
		}
	}
	_ = g.Wait()
	for _, a := range []bbAnswer{an.user, an.workspace, an.project, an.repos, an.access} {
		if a.err != nil && s.NetworkFailure(a.err) {
			return
		}
	}
	if !b.auth(an.user) {
		const why = "not checked: authentication failed"
		for _, sc := range s.Provider.Scopes {
			s.Add(ScopeCheckID(sc.Name), Skip, why)
		}
		s.Add(CheckOrg, Skip, why)
		s.Add(CheckProjectKey, Skip, why)
		return
	}
	s.Add(CheckExpiry, Skip, "unknown: Bitbucket does not report a token's expiry date through its API; see it at "+b.tokenPage())
	if ws == "" {
		s.Add(CheckOrg, Fail, "no workspace given: enter the Bitbucket Workspace ID (the name in https://bitbucket.org/<workspace-id>/, "+
			"Workspace settings > Workspace ID); the GitOps repositories are created in it")
		return
	}
	b.scopes(an)
	b.workspaceCheck(ws, an.workspace, an.access)
	b.projectCheck(ws, key, an.project, an.workspace)
}

// tokenPage is where this kind of credential is made.
func (b *bbSession) tokenPage() string {
	if b.kind == bbAccessToken {
		return "the workspace's, project's or repository's settings > Access tokens (or use an API token from " + b.TokenURL() + ")"
	}
	return b.TokenURL()
}

func (b *bbSession) credentialType(a bbAnswer) string {
	if t := a.header.Get("X-Credential-Type"); t != "" {
		return "a " + strings.ReplaceAll(t, "_", " ")
	}
	return b.kind.String()
}

// auth records the auth check and reports whether the credentials authenticated.
func (b *bbSession) auth(a bbAnswer) bool {
	user := strings.TrimSpace(b.Creds.Username)
	apiTokenFix := "create an API token with scopes at " + b.TokenURL() + " (app: Bitbucket) and enter your Atlassian account " +
		"e-mail as the username"
	switch {
	case a.err != nil:
		b.Add(CheckAuth, Fail, fmt.Sprintf("could not ask %s who the credentials belong to (%v); try again later, or %s",
			b.APIHost, a.err, apiTokenFix))
		return false
	case a.status == http.StatusUnauthorized:
		b.Add(CheckAuth, Fail, b.rejected(user, a.message(), apiTokenFix))
		return false
	case a.lacksScope():
		// Valid credentials without read:user:bitbucket: Bitbucket names who it is not.
		b.Add(CheckAuth, Warn, fmt.Sprintf("authenticated with %s, but it lacks %s so the account cannot be named; add "+
			"that scope at %s if you want gitopscfg to show whose token this is", b.credentialType(a),
			strings.Join(a.errorBody().Error.Detail.Required, ", "), b.tokenPage()))
		return true
	case a.status != http.StatusOK:
		b.Add(CheckAuth, Fail, fmt.Sprintf("%s answered HTTP %d to GET /user%s: the server has a problem; try again later "+
			"(if it persists, check the API URL %s)", b.APIHost, a.status, bbQuote(a.message()), b.APIBase))
		return false
	}
	var u bbUser
	if err := json.Unmarshal(a.body, &u); err != nil || (u.DisplayName == "" && u.Nickname == "" && u.Username == "") {
		b.Add(CheckAuth, Fail, fmt.Sprintf("%s answered GET /user with unreadable JSON: is %s the Bitbucket Cloud API?",
			b.APIHost, b.APIBase))
		return false
	}
	name := u.Nickname
	if u.Username != "" {
		name = u.Username
	}
	who := u.DisplayName
	if name != "" && name != who {
		who += " (" + name + ")"
	}
	if name == "" {
		name = u.DisplayName
	}
	b.SetUser(name)
	msg := "authenticated as " + who + " with " + b.credentialType(a)
	if b.kind == bbAppPassword {
		b.Add(CheckAuth, Warn, msg+": app passwords stop working on 2026-07-28 (Bitbucket removes them); "+apiTokenFix)
		return true
	}
	b.Add(CheckAuth, Pass, msg)
	return true
}

// rejected explains a 401 for the kind of credential the admin entered.
func (b *bbSession) rejected(user, serverMsg, apiTokenFix string) string {
	said := bbQuote(serverMsg)
	switch {
	case b.kind == bbAppPassword || (b.kind == bbAPIToken && !strings.Contains(user, "@")):
		if strings.HasPrefix(b.Creds.Token, "ATATT") || user == bbGitAPITokenUser {
			return fmt.Sprintf("Bitbucket rejected the credentials%s: this is an API token, and API tokens authenticate the REST API "+
				"with your Atlassian account e-mail, not %q (that username is for Git only); enter the e-mail as the username, "+
				"or %s", said, user, apiTokenFix)
		}
		if b.Now.Before(bbAppPasswordsRemoved) {
			return fmt.Sprintf("Bitbucket rejected the app password for %q%s: it is wrong or revoked, and app passwords stop "+
				"working on 2026-07-28 anyway; %s", user, said, apiTokenFix)
		}
		return fmt.Sprintf("Bitbucket rejected the credentials%s: the username %q is not an e-mail, so this looks like an app "+
			"password, and app passwords no longer work (Bitbucket removed them on 2026-07-28); %s", said, user, apiTokenFix)
	case b.kind == bbAccessToken:
		return fmt.Sprintf("Bitbucket rejected the access token (sent as Bearer, because the username is empty)%s: it is invalid, "+
			"expired or revoked; create a new one in %s. If it is an API token, enter your Atlassian account e-mail as the "+
			"username instead", said, b.tokenPage())
	}
	return fmt.Sprintf("Bitbucket rejected the API token for %s%s: it is invalid, expired or revoked (Bitbucket does not say "+
		"which), or %s is not the e-mail of the account that created it; %s", user, said, user, apiTokenFix)
}

// bbLegacyScopes maps the OAuth-style scopes that access tokens report to the API-token scopes
// they cover (legacy repository:write implies repository; API-token scopes imply nothing).
var bbLegacyScopes = map[string][]string{
	"repository":        {"read:repository:bitbucket"},
	"repository:write":  {"read:repository:bitbucket", "write:repository:bitbucket"},
	"repository:admin":  {"admin:repository:bitbucket"},
	"repository:delete": {"delete:repository:bitbucket"},
	"project":           {"read:project:bitbucket"},
	"project:admin":     {"read:project:bitbucket", "admin:project:bitbucket"},
	"account":           {"read:workspace:bitbucket", "read:user:bitbucket"},
	"team":              {"read:workspace:bitbucket"},
	"pullrequest:write": {"read:repository:bitbucket", "write:repository:bitbucket"},
}

// grantedScopes is the set of scopes the credential is known to hold, from an x-oauth-scopes
// header or the "granted" list of a scope 403; ok is false when neither was seen.
func grantedScopes(as ...bbAnswer) (set map[string]bool, ok bool) {
	var raw []string
	for _, a := range as {
		if a.header == nil {
			continue
		}
		if _, present := a.header[http.CanonicalHeaderKey("X-Oauth-Scopes")]; present {
			raw = strings.FieldsFunc(a.header.Get("X-Oauth-Scopes"), func(r rune) bool { return r == ',' || r == ' ' })
			ok = true
			break
		}
		if a.lacksScope() && a.errorBody().Error.Detail.Granted != nil {
			raw, ok = a.errorBody().Error.Detail.Granted, true
			break
		}
	}
	if !ok {
		return nil, false
	}
	set = map[string]bool{}
	for _, s := range raw {
		set[s] = true
		for _, implied := range bbLegacyScopes[s] {
			set[implied] = true
		}
	}
	return set, true
}

// scopes records one check per required scope.
func (b *bbSession) scopes(an bbAnswers) {
	all := []bbAnswer{an.user, an.workspace, an.project, an.repos, an.access}
	// Scopes a probe was refused for, by name.
	refused := map[string]bool{}
	for _, a := range all {
		if a.lacksScope() {
			for _, r := range a.errorBody().Error.Detail.Required {
				refused[r] = true
			}
		}
	}
	granted, known := grantedScopes(all...)
	// Which probe confirms which read scope when scopes cannot be listed.
	probes := map[string]bbAnswer{
		"read:repository:bitbucket": an.repos,
		"read:workspace:bitbucket":  an.workspace,
		"read:project:bitbucket":    an.project,
	}
	for _, sc := range b.Provider.Scopes {
		id := ScopeCheckID(sc.Name)
		missing := fmt.Sprintf("missing %s: %s; add it to the token at %s", sc.Name, sc.Why, b.tokenPage())
		if b.kind == bbAccessToken {
			missing = fmt.Sprintf("missing %s: %s; access-token scopes cannot be edited, so create a new token with it in %s",
				sc.Name, sc.Why, b.tokenPage())
		}
		switch {
		case refused[sc.Name]:
			b.Add(id, Fail, missing+" (Bitbucket refused a request for lack of it)")
		case known && granted[sc.Name]:
			b.Add(id, Pass, "granted")
		case known:
			b.Add(id, Fail, missing)
		default:
			probe, ok := probes[sc.Name]
			switch {
			case ok && probe.status == http.StatusOK && probe.err == nil:
				b.Add(id, Pass, "confirmed: a request that needs it succeeded")
			case ok && probe.lacksScope():
				b.Add(id, Fail, missing)
			default:
				b.Add(id, Warn, fmt.Sprintf("unconfirmed: Bitbucket does not list the scopes of %s, and confirming %s needs a "+
					"write: only the round-trip check (gitopscfg check --deep) can; it is %s, so make sure it is ticked at %s",
					b.kind, sc.Name, sc.Why, b.tokenPage()))
			}
		}
	}
}

func (b *bbSession) workspaceCheck(ws string, a, access bbAnswer) {
	switch {
	case a.status == http.StatusOK && a.err == nil:
		name := ""
		if w, ok := a.value.(*bitbucket.Workspace); ok && w.Name != "" && w.Name != ws {
			name = " (" + w.Name + ")"
		}
		var acc bbAccessPage
		if access.status == http.StatusOK && json.Unmarshal(access.body, &acc) == nil {
			for _, v := range acc.Values {
				if v.Workspace.Slug != ws {
					continue
				}
				if v.Administrator {
					b.Add(CheckOrg, Pass, fmt.Sprintf("workspace %q%s is reachable and you administer it", ws, name))
				} else {
					b.Add(CheckOrg, Warn, fmt.Sprintf("workspace %q%s is reachable, but you are a member, not an administrator: "+
						"creating repositories needs create rights in the target project (project admin or write access, as "+
						"the workspace's admins set it); if creating fails, ask a workspace administrator in "+
						"https://bitbucket.org/%s/workspace/settings", ws, name, ws))
				}
				return
			}
		}
		b.Add(CheckOrg, Pass, fmt.Sprintf("workspace %q%s is reachable", ws, name))
	case a.err != nil:
		b.Add(CheckOrg, Fail, fmt.Sprintf("workspace %q: unreadable answer from %s (%v); try again later", ws, b.APIHost, a.err))
	case a.lacksScope():
		b.Add(CheckOrg, Skip, fmt.Sprintf("not checked: the token may not read workspace %q (see the read:workspace:bitbucket check)", ws))
	case a.status == http.StatusNotFound:
		b.Add(CheckOrg, Fail, fmt.Sprintf("workspace %q does not exist%s: the GitOps repositories are created in it; enter the "+
			"Workspace ID as in https://bitbucket.org/<workspace-id>/ (Workspace settings > Workspace ID)", ws, bbQuote(a.message())))
	case a.status == http.StatusForbidden:
		b.Add(CheckOrg, Fail, fmt.Sprintf("your account has no access to workspace %q%s: the GitOps repositories are created "+
			"in it; ask one of its administrators to add you, or check the Workspace ID", ws, bbQuote(a.message())))
	default:
		b.Add(CheckOrg, Fail, fmt.Sprintf("workspace %q: %s answered HTTP %d%s; try again later", ws, b.APIHost, a.status,
			bbQuote(a.message())))
	}
}

func (b *bbSession) projectCheck(ws, key string, a, workspace bbAnswer) {
	projects := "https://bitbucket.org/" + ws + "/workspace/projects/"
	switch {
	case a.err != nil:
		b.Add(CheckProjectKey, Fail, fmt.Sprintf("project: unreadable answer from %s (%v); try again later", b.APIHost, a.err))
	case a.lacksScope():
		b.Add(CheckProjectKey, Skip, "not checked: the token may not read projects (see the read:project:bitbucket check)")
	case workspace.status == http.StatusNotFound || workspace.status == http.StatusForbidden && !workspace.lacksScope():
		b.Add(CheckProjectKey, Skip, fmt.Sprintf("not checked: workspace %q cannot be read (see the org check)", ws))
	case a.status == http.StatusNotFound && key != "":
		b.Add(CheckProjectKey, Fail, fmt.Sprintf("workspace %q has no project with key %q%s: the repositories are created in "+
			"that project; check the key (upper-case, in the project's settings at %s), or leave it empty to use the oldest project",
			ws, key, bbQuote(a.message()), projects))
	case a.status != http.StatusOK:
		b.Add(CheckProjectKey, Fail, fmt.Sprintf("project: %s answered HTTP %d%s; try again later", b.APIHost, a.status,
			bbQuote(a.message())))
	case key != "":
		name := key
		if p, ok := a.value.(*bitbucket.Project); ok && p.Name != "" {
			name = p.Name
		}
		b.Add(CheckProjectKey, Pass, fmt.Sprintf("project %s (%s) exists in workspace %q", key, name, ws))
	default:
		var page bbProjectPage
		if err := json.Unmarshal(a.body, &page); err != nil {
			b.Add(CheckProjectKey, Fail, fmt.Sprintf("project: unreadable answer from %s; try again later", b.APIHost))
			return
		}
		if len(page.Values) == 0 {
			b.Add(CheckProjectKey, Warn, fmt.Sprintf("no project key given and workspace %q has no project: create one at %s "+
				"(or enter a key) before repositories are created", ws, projects))
			return
		}
		p := page.Values[0]
		b.Add(CheckProjectKey, Pass, fmt.Sprintf("no project key given: repositories will go to the workspace's oldest project, "+
			"%s (%s); enter a key to choose another", p.Key, p.Name))
	}
}

func bbQuote(msg string) string {
	if msg == "" {
		return ""
	}
	return " (Bitbucket: \"" + msg + "\")"
}
