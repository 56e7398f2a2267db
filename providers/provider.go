// Package providers owns what gitopscfg knows about each Git provider: its metadata (name, default
// host, fields with their help and rules, required token scopes, where tokens are created), the
// credentials an admin enters, and the live checks of those credentials against the provider's
// API. Each provider is one Provider value registered by its own file (providers/<id>.go); the
// rest of the program reads providers through Lookup and All, and knows none by name.
package providers

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"gitopscfg/config"
)

// ID names a provider in the store, on the command line and in JSON output.
type ID string

// Scope is one permission a token needs, and why gitopscfg (or the GitOps platform) needs it.
type Scope struct {
	Name string
	Why  string
	// Advisory scopes are asked for by the GitOps platform's documentation but needed by no call it
	// makes; a missing advisory scope is a warning, not a failure.
	Advisory bool
	// CreateOnly scopes are needed only to create or delete repositories: the existing-repository
	// mode (a credential with a repository, config.Settings.Repo) does not need them.
	CreateOnly bool
	// Partly names the part of the scope the existing-repository mode needs, when it needs less
	// than the whole (Azure DevOps: Code read & write of Code read, write & manage); "" when it
	// needs the whole or none.
	Partly string
}

// Provider is everything gitopscfg knows about one Git provider. Its own file builds it and
// registers it (see register); nothing else switches on its ID.
type Provider struct {
	ID          ID
	Name        string
	DefaultHost string
	// OrgNoun is what the org field holds, in words: "organisation", "group", "project", "workspace".
	OrgNoun string
	Fields  []Field
	Scopes  []Scope
	// TokenPrefixes are the well-known starts of the provider's tokens, which TokenHint may show.
	TokenPrefixes []string
	// TokenNoun is what the provider calls its tokens, for messages ("personal access token", a
	// Bitbucket "API token", a Gitea "access token").
	TokenNoun string
	// Kinds are the kinds of credential the provider takes besides tokens (config.CredentialGitHubApp, …).
	Kinds []string
	// Rotation is the provider's rotation of a token through its API; nil when tokens are
	// rotated by hand (the admin creates the new one).
	Rotation *Rotation

	// tokenPath is appended to the host to get the page where tokens are created (empty:
	// tokenURL is that page's absolute address).
	tokenPath string
	tokenURL  string
	// revokeURL is where a token is revoked, given the token page and the token (nil: the token
	// page); GitHub lists fine-grained tokens on a page of their own.
	revokeURL func(tokenURL, token string) string
	// helpHost is the host the token page's address is built on in a field's help until a valid
	// one is typed; empty: DefaultHost.
	helpHost string
	// apiBase derives the REST API base URL (without a trailing slash) from the Git host u,
	// whose scheme, host and path (without a trailing slash) are base.
	apiBase func(u *url.URL, base string) string
	// check is the live check of the provider's credentials.
	check checker
	// repos is the repository lifecycle the round trip drives.
	repos func(*session) repoAPI
	// resolveOrg looks the organisation up through the API (nil: the stored value is both its
	// id and its path).
	resolveOrg func(ctx context.Context, env *Env, c Credentials) (Org, error)
	// gitAccess names the likely cause of a refused Git request (a push when write) and where to
	// fix the token, at tokenURL.
	gitAccess func(write bool, tokenURL string) string
	// gitOnly marks a provider without an API of ours (the generic one): its live check is Git's
	// own, it has no repository lifecycle, organisation or Argo CD URL prefix.
	gitOnly bool
	// sshKeys registers public SSH keys through the API (nil: they are pasted by hand).
	sshKeys *keyRegistrar
	// ssh is the provider's own Git-over-SSH rules (nil: ed25519 keys, git@<host>:22,
	// OWNER/REPO.git): Azure DevOps' in azure_ssh.go.
	ssh *sshRules
}

// GitOnly reports whether p has no API of ours (the generic provider): its live check is Git's
// own and its round trip the existing-repository one.
func (p Provider) GitOnly() bool { return p.gitOnly }

// Rotation is a provider's rotation of a token through its API.
type Rotation struct {
	// Current describes the stored token (it fails when the token no longer works).
	Current func(ctx context.Context, env *Env, c Credentials) (TokenInfo, error)
	// Rotate issues a new token expiring on the given date and revokes c's; current is what
	// Current said of c's token just before (where such a token is made, for its messages).
	Rotate func(ctx context.Context, env *Env, c Credentials, current TokenInfo, expires time.Time) (string, TokenInfo, error)
	// MaxLifetime bounds the new token's lifetime.
	MaxLifetime time.Duration
}

// minRotatedLifetime is the shortest lifetime Lifetime gives a new token.
const minRotatedLifetime = 7 * 24 * time.Hour

// Lifetime is the lifetime of the token that replaces old: old's own (from creation to expiry),
// within a week and MaxLifetime; MaxLifetime when old's is unknown or it never expires.
func (r Rotation) Lifetime(old TokenInfo) time.Duration {
	l := old.Lifetime()
	if l <= 0 {
		l = r.MaxLifetime
	}
	return min(max(l, minRotatedLifetime), r.MaxLifetime)
}

// RotatedExpiry is the expiry date of a token of lifetime l issued at now: 00:00 UTC, l after
// today (providers take a date, not a time).
func RotatedExpiry(now time.Time, l time.Duration) time.Time {
	return now.UTC().Truncate(24 * time.Hour).Add(l)
}

// Field returns the field with key k, and whether the provider has it.
func (p Provider) Field(k FieldKey) (Field, bool) {
	for _, f := range p.Fields {
		if f.Key == k {
			return f, true
		}
	}
	return Field{}, false
}

// FieldOf returns the field with key k of credentials of kind ("" is a token), and whether the
// provider has one.
func (p Provider) FieldOf(kind string, k FieldKey) (Field, bool) {
	for _, f := range p.Fields {
		if f.Key == k && f.AppliesTo(kind) {
			return f, true
		}
	}
	return Field{}, false
}

// TakesKind reports whether the provider takes credentials of kind ("" and token: always).
func (p Provider) TakesKind(kind string) bool {
	return kind == "" || kind == config.CredentialToken || slices.Contains(p.Kinds, kind)
}

// KindNames lists the kinds of credential the provider takes, tokens first.
func (p Provider) KindNames() []string { return append([]string{config.CredentialToken}, p.Kinds...) }

// TokenURL is the page where a token for host is created or its scopes are edited.
func (p Provider) TokenURL(host string) string {
	if p.tokenURL != "" {
		return p.tokenURL
	}
	if host == "" {
		host = p.DefaultHost
	}
	if host == "" {
		host = "https://<host>" // self-hosted only: no public default
	}
	return strings.TrimRight(host, "/") + p.tokenPath
}

// RevokeURL is the page where token, made for host, is revoked (after a rotation by hand: the
// old token keeps working until it is).
func (p Provider) RevokeURL(host, token string) string {
	page := p.TokenURL(host)
	if p.revokeURL != nil {
		return p.revokeURL(page, token)
	}
	return page
}

// HelpHost is the host a field's help builds the token page's address on while no valid host
// is typed ("" stands for DefaultHost).
func (p Provider) HelpHost() string { return p.helpHost }

// ScopeNames lists the names of the required scopes.
func (p Provider) ScopeNames() []string {
	names := make([]string, len(p.Scopes))
	for i, s := range p.Scopes {
		names[i] = s.Name
	}
	return names
}

// APIBase derives the REST API base URL from the Git host, unless apiURL overrides it.
// The result always ends without a slash.
func (p Provider) APIBase(host, apiURL string) (string, error) {
	if apiURL != "" {
		return strings.TrimRight(apiURL, "/"), nil
	}
	u, err := url.Parse(strings.TrimSpace(host))
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("git host %q is not an absolute URL", host)
	}
	return p.apiBase(u, u.Scheme+"://"+u.Host+strings.TrimRight(u.Path, "/")), nil
}

// APIBase is the API base URL of provider id for host (see Provider.APIBase).
func APIBase(id ID, host, apiURL string) (string, error) {
	p, err := Lookup(string(id))
	if err != nil {
		return "", err
	}
	return p.APIBase(host, apiURL)
}

// gitAccessHint names the likely cause of a refused Git request of op and where to fix it.
func (p Provider) gitAccessHint(op, tokenURL string) string {
	if p.gitAccess == nil {
		return "check the token's write access at " + tokenURL
	}
	return p.gitAccess(op == "push", tokenURL)
}
