package providers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	bitbucket "github.com/ktrysmt/go-bitbucket"
	"golang.org/x/sync/errgroup"

	"gitopscfg/assets"
)

// Bitbucket is Bitbucket Cloud.
const Bitbucket ID = "bitbucket"

func init() {
	register(Provider{
		ID: Bitbucket, Name: "Bitbucket Cloud", DefaultHost: "https://bitbucket.org/", OrgNoun: "workspace",
		tokenURL: "https://id.atlassian.com/manage-profile/security/api-tokens",
		Fields: withAdvanced(
			hostField("Bitbucket Host", "https://bitbucket.org/", "https://bitbucket.org/", assets.FieldHelp("bitbucket", "host")),
			orgField("Bitbucket Workspace ID", "acme", assets.FieldHelp("bitbucket", "org"), bbWorkspaceID),
			Field{Key: FieldProjectKey, Label: "Bitbucket Project Key", Optional: true, Example: "GITOPS",
				Help: assets.FieldHelp("bitbucket", "project_key"), Check: bbProjectKey},
			Field{Key: FieldUsername, Label: "Username", Example: "jdoe@example.com", Help: assets.FieldHelp("bitbucket", "username"),
				Check: bbAccountEmail, Empty: "the username is empty: enter the e-mail address of your Atlassian account"},
			tokenField("Personal Access Token", assets.FieldHelp("bitbucket", "token")),
		),
		Scopes: []Scope{
			{Name: "read:repository:bitbucket", Why: "needed to clone the GitOps repositories"},
			{Name: "write:repository:bitbucket", Why: "needed to push to the GitOps repositories"},
			{Name: "admin:repository:bitbucket", Why: "needed to create repositories"},
			{Name: "delete:repository:bitbucket", Why: "needed to delete repositories (the round-trip check deletes its throw-away repository)"},
			{Name: "read:workspace:bitbucket", Why: "needed to read the workspace"},
			{Name: "read:project:bitbucket", Why: "needed to read the project that holds the repositories"},
		},
		TokenPrefixes: []string{"ATATT", "ATCTT"},
		apiBase: func(u *url.URL, base string) string {
			if strings.EqualFold(u.Hostname(), "bitbucket.org") {
				return "https://api.bitbucket.org/2.0"
			}
			return base + "/2.0"
		},
		check:     checkBitbucket,
		repos:     newBitbucketRepos,
		gitAccess: bbGitAccess,
	})
}

var (
	bbWorkspaceRe  = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	bbProjectKeyRe = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
)

// bbWorkspaceID is the rule of the workspace field.
func bbWorkspaceID(s string) (string, error) {
	if strings.ToLower(s) != s && len(s) <= 62 && bbWorkspaceRe.MatchString(strings.ToLower(s)) {
		return "", fmt.Errorf("%q has upper-case letters: Bitbucket workspace IDs are lower case — use %q", s, strings.ToLower(s))
	}
	if len(s) > 62 || !bbWorkspaceRe.MatchString(s) {
		return "", fmt.Errorf("%q is not a Bitbucket workspace ID: use the ID from https://bitbucket.org/<workspace-id>/ — lower-case letters, digits, - and _", s)
	}
	return s, nil
}

// bbProjectKey is the rule of the optional project key (empty: the workspace's oldest project).
func bbProjectKey(s string) (string, error) {
	if strings.ToUpper(s) != s && bbProjectKeyRe.MatchString(strings.ToUpper(s)) {
		return "", fmt.Errorf("%q has lower-case letters: Bitbucket project keys are upper case — use %q", s, strings.ToUpper(s))
	}
	if !bbProjectKeyRe.MatchString(s) || len(s) > 128 {
		return "", fmt.Errorf("%q is not a Bitbucket project key: upper-case letters, digits and _, starting with a letter (e.g. GITOPS); find it in the project's settings", s)
	}
	return s, nil
}

// bbAccountEmail is the rule of the username: API tokens authenticate with the account's e-mail.
func bbAccountEmail(s string) (string, error) {
	if !strings.Contains(s, "@") {
		return "", fmt.Errorf("%q is not an e-mail address: Bitbucket API tokens authenticate with the e-mail address of your Atlassian account (app passwords with a username no longer work)", s)
	}
	return s, nil
}

// bbGitAccess names the likely cause of a refused Git request and where to fix it.
func bbGitAccess(write bool, tokenURL string) string {
	if write {
		return "the API token needs write:repository:bitbucket, Git must use your Bitbucket username or x-bitbucket-api-token-auth (not the account email), and branch restrictions may refuse the push (Repository settings > Branch restrictions). Fix the token at " + tokenURL
	}
	return "the API token needs read:repository:bitbucket, and Git must use your Bitbucket username or x-bitbucket-api-token-auth. Fix it at " + tokenURL
}

// Bitbucket Cloud live check.
//
// Up to five independent GETs run concurrently (the longest chain of dependent requests is 1):
//   - /user: the credential authenticates (and, for access tokens, x-oauth-scopes lists its scopes);
//   - /workspaces/{ws} (go-bitbucket): the workspace is reachable;
//   - /workspaces/{ws}/projects/{key} (go-bitbucket), or without a key
//     /workspaces/{ws}/projects?sort=created_on&pagelen=1: the project that gets the repositories;
//   - /repositories/{ws}?pagelen=1: read:repository:bitbucket works;
//   - /user/workspaces?q=workspace.slug="{ws}": whether the user administers the workspace.
//
// Credentials: an API token (Basic auth, Atlassian account e-mail as username) is the norm; an
// access token (repository/project/workspace) is sent as Bearer when the username is empty or
// x-token-auth, or the token has the ATCTT prefix; a username that is not an e-mail is a legacy
// app password, which Bitbucket removed on 2026-07-28.

// bbAppPasswordsRemoved is when Bitbucket Cloud stopped accepting app passwords.
var bbAppPasswordsRemoved = time.Date(2026, 7, 28, 0, 0, 0, 0, time.UTC)

const (
	bbBodyLimit       = 1 << 20
	bbScopeLackPhrase = "lack one or more required privilege scopes"
	bbGitAPITokenUser = "x-bitbucket-api-token-auth"
	bbGitAccessUser   = "x-token-auth"
)

type bbKind int

const (
	bbAPIToken    bbKind = iota // Basic, Atlassian account e-mail
	bbAccessToken               // Bearer
	bbAppPassword               // Basic, Bitbucket username (legacy)
)

func (k bbKind) String() string {
	switch k {
	case bbAccessToken:
		return "an access token"
	case bbAppPassword:
		return "an app password"
	}
	return "an API token"
}

// bbKindOf recognises the kind of credential from the username and the token's prefix.
func bbKindOf(c Credentials) bbKind {
	user := strings.TrimSpace(c.Username)
	switch {
	case user == "" || user == bbGitAccessUser || strings.HasPrefix(c.Token, "ATCTT"):
		return bbAccessToken
	case strings.Contains(user, "@"), strings.HasPrefix(c.Token, "ATATT"), user == bbGitAPITokenUser:
		return bbAPIToken
	}
	return bbAppPassword
}

// bbAnswer is one HTTP answer of the Bitbucket API, or the error that prevented it.
type bbAnswer struct {
	answer
	// value is what a go-bitbucket call returned (*bitbucket.Workspace, *bitbucket.Project).
	value any
}

type bbErrorBody struct {
	Type  string `json:"type"`
	Error struct {
		Message string `json:"message"`
		Detail  struct {
			Required []string `json:"required"`
			Granted  []string `json:"granted"`
		} `json:"detail"`
	} `json:"error"`
}

func (a bbAnswer) errorBody() bbErrorBody {
	var e bbErrorBody
	_ = json.Unmarshal(a.body, &e)
	return e
}

// lacksScope reports whether the answer is Bitbucket's "Your credentials lack one or more required
// privilege scopes" 403.
func (a bbAnswer) lacksScope() bool {
	return a.status == http.StatusForbidden && strings.Contains(a.errorBody().Error.Message, bbScopeLackPhrase)
}

func (a bbAnswer) message() string { return a.errorBody().Error.Message }

// bbSession carries what every Bitbucket request of one check needs.
type bbSession struct {
	*session
	kind bbKind
}

func (b *bbSession) authorize(req *http.Request) {
	if b.kind == bbAccessToken {
		req.Header.Set("Authorization", "Bearer "+b.Creds.Token)
		return
	}
	req.SetBasicAuth(strings.TrimSpace(b.Creds.Username), b.Creds.Token)
}

// get performs a GET with plain net/http, where the check needs the answer's headers.
func (b *bbSession) get(ctx context.Context, path string) bbAnswer {
	return bbAnswer{answer: b.send(ctx, http.MethodGet, path, nil, b.authorize, bbBodyLimit)}
}

// library runs one go-bitbucket call on a client bound to ctx and the shared transport, and turns
// its outcome into a bbAnswer (status and headers are captured from the transport).
func (b *bbSession) library(ctx context.Context, call func(c *bitbucket.Client) (any, error)) (a bbAnswer) {
	var c *bitbucket.Client
	var err error
	if b.kind == bbAccessToken {
		c, err = bitbucket.NewOAuthbearerTokenWithBaseUrlStr(b.Creds.Token, b.APIBase)
	} else {
		c, err = bitbucket.NewBasicAuthWithBaseUrlStr(strings.TrimSpace(b.Creds.Username), b.Creds.Token, b.APIBase)
	}
	if err != nil {
		return bbAnswer{answer: answer{err: err}}
	}
	capture := &bbCapture{ctx: ctx, next: b.HTTP.Transport}
	c.HttpClient = &http.Client{Transport: capture, CheckRedirect: b.HTTP.CheckRedirect}
	defer func() {
		// go-bitbucket type-asserts the decoded JSON; an odd answer must not crash the check.
		if r := recover(); r != nil {
			a = bbAnswer{answer: answer{status: capture.status, header: capture.header, err: fmt.Errorf("unexpected answer shape")}}
		}
	}()
	v, err := call(c)
	a = bbAnswer{answer: answer{status: capture.status, header: capture.header, err: err}}
	var unexpected *bitbucket.UnexpectedResponseStatusError
	if errors.As(err, &unexpected) {
		a.status, a.body, a.err = unexpected.StatusCode, unexpected.Body, nil
	}
	if a.err == nil {
		a.value = v
	}
	return a
}

// bbCapture binds go-bitbucket's requests (made without a context) to the check's context, so
// the deadline applies, and remembers the last answer's status and headers.
type bbCapture struct {
	ctx    context.Context
	next   http.RoundTripper
	mu     sync.Mutex
	status int
	header http.Header
}

func (t *bbCapture) RoundTrip(req *http.Request) (*http.Response, error) {
	next := t.next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(req.WithContext(t.ctx))
	if resp != nil {
		t.mu.Lock()
		t.status, t.header = resp.StatusCode, resp.Header
		t.mu.Unlock()
	}
	return resp, err
}

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
