package providers

import (
	"fmt"
	"slices"
	"strings"
)

// IDs lists the providers in the order the picker shows them. Each is registered by its own file.
var IDs = []ID{GitHub, GitLab, Azure, Bitbucket, Gitea, GitServer}

// FirstRun is the provider preselected when nothing is configured yet.
const FirstRun = GitHub

// registered holds every provider by ID; each provider's file adds its own from an init function.
var registered = map[ID]Provider{}

// register adds p to the providers. It panics on a provider that lacks a part every provider
// needs, or on a second provider with the same ID: both are bugs of the build, caught by any test.
func register(p Provider) {
	required := []FieldKey{FieldHost, FieldOrg, FieldUsername, FieldToken, FieldURLPrefix}
	switch {
	case p.gitOnly && p.ID != "" && p.check != nil && p.gitAccess != nil && p.apiBase != nil:
		required = []FieldKey{FieldURL, FieldUsername, FieldToken}
	case p.ID == "" || p.Name == "" || p.OrgNoun == "":
		panic(fmt.Sprintf("providers: provider %q lacks its ID, name or org noun", p.ID))
	case p.apiBase == nil || p.check == nil || p.repos == nil || p.gitAccess == nil:
		panic(fmt.Sprintf("providers: provider %q lacks its API base rule, live check, repository API or Git access hint", p.ID))
	case p.TokenNoun == "":
		panic(fmt.Sprintf("providers: provider %q does not say what it calls its tokens", p.ID))
	case p.tokenPath == "" && p.tokenURL == "":
		panic(fmt.Sprintf("providers: provider %q does not say where its tokens are made", p.ID))
	}
	if _, dup := registered[p.ID]; dup {
		panic(fmt.Sprintf("providers: provider %q registered twice", p.ID))
	}
	for _, k := range required {
		if _, ok := p.Field(k); !ok {
			panic(fmt.Sprintf("providers: provider %q has no %s field", p.ID, k))
		}
	}
	for _, f := range p.Fields {
		if (&Credentials{}).Field(f.Key) == nil {
			panic(fmt.Sprintf("providers: provider %q has a field %q that credentials cannot hold", p.ID, f.Key))
		}
	}
	registered[p.ID] = p
}

// Lookup returns the provider with the given ID, or an error listing the valid IDs.
func Lookup(id string) (Provider, error) {
	if p, ok := registered[ID(id)]; ok {
		return p, nil
	}
	names := make([]string, len(IDs))
	for i, id := range IDs {
		names[i] = string(id)
	}
	return Provider{}, fmt.Errorf("unknown provider %q: use one of %s", id, strings.Join(names, ", "))
}

// MustLookup is Lookup for IDs known to be valid.
func MustLookup(id ID) Provider {
	p, err := Lookup(string(id))
	if err != nil {
		panic(err)
	}
	return p
}

// All returns every provider in picker order (IDs). An ID without a registered provider is a bug
// of the build: it panics.
func All() []Provider {
	out := make([]Provider, len(IDs))
	for i, id := range IDs {
		out[i] = MustLookup(id)
	}
	return out
}

// tokenPrefixes lists the well-known token prefixes of every provider.
func tokenPrefixes() []string {
	var out []string
	for _, id := range IDs {
		out = append(out, registered[id].TokenPrefixes...)
	}
	return out
}

// Names names every provider in picker order, as prose: "GitHub, GitLab, Azure DevOps or
// Bitbucket Cloud".
func Names() string {
	names := make([]string, len(IDs))
	for i, p := range All() {
		names[i] = p.Name
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// Alias is another name of a provider, accepted wherever a provider or the credential named after
// it is named: Forgejo is a fork of Gitea with its API, and Codeberg runs Forgejo. The output
// names the provider itself (Gitea / Forgejo).
type Alias struct {
	Name string
	ID   ID
}

var aliases = []Alias{{"forgejo", Gitea}, {"codeberg", Gitea}}

// Aliases lists every alias, in order.
func Aliases() []Alias { return slices.Clone(aliases) }

// AliasOf is the provider an alias names.
func AliasOf(name string) (ID, bool) {
	for _, a := range aliases {
		if a.Name == name {
			return a.ID, true
		}
	}
	return "", false
}

// AliasNames lists the aliases of id (every alias when id is empty), in their order.
func AliasNames(id ID) []string {
	var out []string
	for _, a := range aliases {
		if id == "" || a.ID == id {
			out = append(out, a.Name)
		}
	}
	return out
}

// CredentialLabel names a credential in prose: the provider's name for the credential named
// after it (GitHub), else the credential's name and the provider's (acme-infra (GitHub)).
func CredentialLabel(name string, id ID) string {
	pname := string(id)
	if p, err := Lookup(string(id)); err == nil {
		pname = p.Name
	}
	if name == string(id) || name == "" {
		return pname
	}
	return name + " (" + pname + ")"
}

// CredentialNoun is what prose calls a credential: "provider" for the one named after its
// provider (as the product always said), "credential" for the others.
func CredentialNoun(name string, id ID) string {
	if name == string(id) {
		return "provider"
	}
	return "credential"
}

// APIIDs lists the providers with an API of ours (all but the generic one), in picker order.
func APIIDs() []ID {
	var out []ID
	for _, id := range IDs {
		if !registered[id].gitOnly {
			out = append(out, id)
		}
	}
	return out
}
