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

	"gitopscfg/assets"
)

// Bitbucket is Bitbucket Cloud.
const Bitbucket ID = "bitbucket"

func init() {
	register(Provider{
		ID: Bitbucket, Name: "Bitbucket Cloud", DefaultHost: "https://bitbucket.org/", OrgNoun: "workspace",
		tokenURL:  "https://id.atlassian.com/manage-profile/security/api-tokens",
		TokenNoun: "API token",
		Fields: append(append(withAdvanced(
			hostField("Bitbucket Host", "https://bitbucket.org/", "https://bitbucket.org/", assets.FieldHelp("bitbucket", "host")),
			orgField("Bitbucket Workspace ID", "acme", assets.FieldHelp("bitbucket", "org"), bbWorkspaceID),
			Field{Key: FieldProjectKey, Label: "Bitbucket Project Key", Optional: true, Example: "GITOPS",
				Help: assets.FieldHelp("bitbucket", "project_key"), Check: bbProjectKey},
			Field{Key: FieldUsername, Label: "Username", Example: "jdoe@example.com", Help: assets.FieldHelp("bitbucket", "username"),
				Check: bbAccountEmail, Empty: "the username is empty: enter the e-mail address of your Atlassian account"},
			tokenField("API Token", assets.FieldHelp("bitbucket", "token")),
		), urlPrefixField("https://bitbucket.org/acme/", assets.FieldHelp("bitbucket", "url_prefix")), repoField("acme/gitops-apps", false, assets.FieldHelp("bitbucket", "repo"))), sshFields...),
		Scopes: []Scope{
			{Name: "read:repository:bitbucket", Why: "needed to clone the GitOps repositories"},
			{Name: "write:repository:bitbucket", Why: "needed to push to the GitOps repositories"},
			{Name: "admin:repository:bitbucket", Why: "needed to create repositories", CreateOnly: true},
			{Name: "delete:repository:bitbucket", Why: "needed to delete repositories (the round-trip check deletes its throw-away repository)", CreateOnly: true},
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
		sshKeys:   bitbucketKeys,
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
