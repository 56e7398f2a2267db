package providers

import (
	"slices"
	"strings"
	"testing"

	"gitopscfg/config"
)

// Every ID in the picker order has exactly one registered provider, and nothing is registered
// outside that order.
func TestRegistryMatchesTheOrderedIDs(t *testing.T) {
	t.Parallel()
	if len(registered) != len(IDs) {
		t.Errorf("%d providers registered, %d IDs listed", len(registered), len(IDs))
	}
	seen := map[ID]bool{}
	for i, p := range All() {
		if p.ID != IDs[i] {
			t.Errorf("All()[%d] = %s, want %s", i, p.ID, IDs[i])
		}
		if seen[p.ID] {
			t.Errorf("%s listed twice", p.ID)
		}
		seen[p.ID] = true
	}
	if _, err := Lookup(string(FirstRun)); err != nil {
		t.Errorf("the first-run provider is not registered: %v", err)
	}
	_, err := Lookup("nope")
	for _, id := range IDs {
		if err == nil || !strings.Contains(err.Error(), string(id)) {
			t.Errorf("Lookup's error %v does not name %s", err, id)
		}
	}
}

// Each provider carries every part the rest of the program asks it for.
func TestEveryProviderIsComplete(t *testing.T) {
	t.Parallel()
	for _, p := range All() {
		keys := map[string]bool{}
		for _, f := range p.Fields {
			for _, kind := range p.KindNames() {
				if !f.AppliesTo(kind) {
					continue
				}
				if keys[kind+"/"+string(f.Key)] {
					t.Errorf("%s: field %s twice for kind %s", p.ID, f.Key, kind)
				}
				keys[kind+"/"+string(f.Key)] = true
			}
			if f.Label == "" || f.Help == "" {
				t.Errorf("%s: field %s has no label or help", p.ID, f.Key)
			}
		}
		if p.gitOnly {
			continue // no API, no scopes, no token page: see git_test.go
		}
		if len(p.Scopes) == 0 {
			t.Errorf("%s: no scopes", p.ID)
		}
		host := p.DefaultHost
		if host == "" {
			host = "https://git.example.com/"
		}
		if base, err := p.APIBase(host, ""); err != nil || !strings.HasPrefix(base, "https://") || strings.HasSuffix(base, "/") {
			t.Errorf("%s: APIBase(%s) = %q, %v", p.ID, host, base, err)
		}
		if u := p.TokenURL(""); !strings.HasPrefix(u, "https://") {
			t.Errorf("%s: TokenURL = %q", p.ID, u)
		}
		for _, op := range []string{"clone", "push"} {
			if h := p.gitAccessHint(op, "https://tokens.example/"); !strings.HasSuffix(h, "https://tokens.example/") {
				t.Errorf("%s: the %s hint does not end with the token page: %q", p.ID, op, h)
			}
		}
	}
}

// FromConfig hands a check exactly the stored credential, its name and its provider.
func TestFromConfigIsTheStoredCredential(t *testing.T) {
	t.Parallel()
	var s config.Settings
	for _, f := range config.Fields {
		*s.Ref(f) = "value of " + string(f)
	}
	c := FromConfig("acme-infra", &config.Credential{Provider: "github", Settings: s})
	if c != (Credentials{Provider: "github", Name: "acme-infra", Settings: s}) {
		t.Errorf("FromConfig = %+v, want %+v", c, s)
	}
	if FromConfig("gitlab", nil) != (Credentials{Provider: "gitlab", Name: "gitlab"}) {
		t.Error("FromConfig(nil) is not the empty credential named after its provider")
	}
}

func TestTokenHintShowsTheLongestKnownPrefix(t *testing.T) {
	t.Parallel()
	for tok, want := range map[string]string{
		"github_pat_11ABCDEFG0123456789xyz": "github_pat_…9xyz",
		"ghp_0123456789abcdefghijAB12":      "ghp_…AB12",
		"glpat-0123456789abcdefghij":        "glpat-…ghij",
		"ATATT3xFfGF0123456789abcd":         "ATATT…abcd",
		"0123456789abcdef0123456789":        "…6789",
	} {
		if got := TokenHint(tok); got != want {
			t.Errorf("TokenHint(%q) = %q, want %q", tok, got, want)
		}
	}
}

func TestRegisterRefusesAnIncompleteOrDuplicateProvider(t *testing.T) {
	t.Parallel()
	whole := MustLookup(FirstRun)
	noCheck := whole
	noCheck.ID, noCheck.check = "test-nocheck", nil
	noToken := whole
	noToken.ID, noToken.Fields = "test-notoken", slices.DeleteFunc(slices.Clone(whole.Fields), func(f Field) bool { return f.Key == FieldToken })
	for name, p := range map[string]Provider{"duplicate": whole, "no live check": noCheck, "no token field": noToken} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: register accepted it", name)
				}
			}()
			register(p)
		}()
	}
}

func TestNamesListsEveryProviderAsProse(t *testing.T) {
	t.Parallel()
	all := All()
	got := Names()
	for _, p := range all {
		if !strings.Contains(got, p.Name) {
			t.Errorf("Names() = %q lacks %s", got, p.Name)
		}
	}
	if last := all[len(all)-1].Name; !strings.HasSuffix(got, " or "+last) || strings.Count(got, " or ") != 1 {
		t.Errorf("Names() = %q, want the last after a single \"or\"", got)
	}
}
