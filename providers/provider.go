// Package providers owns what gitopscfg knows about each Git provider: its metadata (name, default
// host, fields and their help, required token scopes, where tokens are created), the credentials an
// admin enters, and the live checks of those credentials against the provider's API.
package providers

import (
	"fmt"
	"net/url"
	"strings"
)

// ID names a provider in the store, on the command line and in JSON output.
type ID string

// The supported providers.
const (
	GitHub    ID = "github"
	GitLab    ID = "gitlab"
	Azure     ID = "azure"
	Bitbucket ID = "bitbucket"
	Gitea     ID = "gitea"
)

// IDs lists the providers in the order the picker shows them.
var IDs = []ID{GitHub, GitLab, Azure, Bitbucket, Gitea}

// FieldKey names one input of a provider's form; it is also the field name in the audit trail.
type FieldKey string

// The fields a provider configuration is made of.
const (
	FieldHost       FieldKey = "host"
	FieldOrg        FieldKey = "org"
	FieldProjectKey FieldKey = "project_key"
	FieldUsername   FieldKey = "username"
	FieldToken      FieldKey = "token"
	FieldAPIURL     FieldKey = "api_url"
	FieldCABundle   FieldKey = "ca_bundle"
)

// Field describes one form input: its label (as Devtron names it) and its help.
type Field struct {
	Key         FieldKey
	Label       string
	Placeholder string
	// Help says what the field is, where to find or create it and, for the token, which scopes to tick.
	Help     string
	Example  string
	Optional bool
	Secret   bool
	Advanced bool
}

// Scope is one permission a token needs, and why gitopscfg (or the GitOps platform) needs it.
type Scope struct {
	Name string
	Why  string
	// Advisory scopes are asked for by the GitOps platform's documentation but needed by no call it
	// makes; a missing advisory scope is a warning, not a failure.
	Advisory bool
}

// Provider is the static description of one Git provider.
type Provider struct {
	ID          ID
	Name        string
	DefaultHost string
	// OrgNoun is what the org field holds, in words: "organisation", "group", "project", "workspace".
	OrgNoun string
	Fields  []Field
	Scopes  []Scope
	// tokenPath is appended to the host to get the page where tokens are created (empty: tokenURL is absolute).
	tokenPath string
	tokenURL  string
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

// TokenURL is the page where a token for host is created or its scopes are edited.
func (p Provider) TokenURL(host string) string {
	if p.tokenURL != "" {
		return p.tokenURL
	}
	if host == "" {
		host = p.DefaultHost
	}
	if host == "" {
		host = "https://<host>" // self-hosted only (Gitea): no public default
	}
	if p.ID == Azure {
		// Azure DevOps: tokens live under the organisation URL.
		return strings.TrimRight(host, "/") + "/_usersSettings/tokens"
	}
	return strings.TrimRight(host, "/") + p.tokenPath
}

// ScopeNames lists the names of the required scopes.
func (p Provider) ScopeNames() []string {
	names := make([]string, len(p.Scopes))
	for i, s := range p.Scopes {
		names[i] = s.Name
	}
	return names
}

// Lookup returns the provider with the given ID, or an error listing the valid IDs.
func Lookup(id string) (Provider, error) {
	for _, p := range registry {
		if string(p.ID) == id {
			return p, nil
		}
	}
	return Provider{}, fmt.Errorf("unknown provider %q: use one of github, gitlab, azure, bitbucket, gitea", id)
}

// MustLookup is Lookup for IDs known to be valid.
func MustLookup(id ID) Provider {
	p, err := Lookup(string(id))
	if err != nil {
		panic(err)
	}
	return p
}

// All returns every provider in picker order.
func All() []Provider { return append([]Provider(nil), registry...) }

// APIBase derives the REST API base URL from the Git host, unless apiURL overrides it.
// The result always ends without a slash.
func APIBase(id ID, host, apiURL string) (string, error) {
	if apiURL != "" {
		return strings.TrimRight(apiURL, "/"), nil
	}
	u, err := url.Parse(strings.TrimSpace(host))
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("git host %q is not an absolute URL", host)
	}
	root := u.Scheme + "://" + u.Host
	path := strings.TrimRight(u.Path, "/")
	switch id {
	case GitHub:
		if strings.EqualFold(u.Hostname(), "github.com") {
			return "https://api.github.com", nil
		}
		return root + path + "/api/v3", nil
	case GitLab:
		return root + path + "/api/v4", nil
	case Bitbucket:
		if strings.EqualFold(u.Hostname(), "bitbucket.org") {
			return "https://api.bitbucket.org/2.0", nil
		}
		return root + path + "/2.0", nil
	case Azure:
		// https://dev.azure.com/<organisation> or an Azure DevOps Server collection URL.
		return root + path, nil
	case Gitea:
		return root + path + "/api/v1", nil
	}
	return "", fmt.Errorf("unknown provider %q", id)
}
