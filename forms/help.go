package forms

import (
	"regexp"
	"strings"

	"gitopscfg/providers"
)

// FieldHelp is the full help of one field of provider p: what it is and where to find or create it
// (from the registry), an example, and for the token the page where tokens are created and the
// exact scopes to tick. host is the Git host typed so far (empty: the provider's default).
func FieldHelp(p providers.Provider, f providers.Field, host string) string {
	var b strings.Builder
	b.WriteString(f.Help)
	if f.Example != "" && f.Key != providers.FieldHost {
		b.WriteString("\nExample: " + f.Example)
	}
	if f.Key == providers.FieldToken {
		b.WriteString("\nCreate it at:\n" + p.TokenURL(tokenHost(p, host)))
		b.WriteString("\nScopes to tick: " + ScopeList(p))
	}
	return urlsOnTheirOwnLines(b.String())
}

// urlRe matches an address in help text, with what may close the sentence around it.
var urlRe = regexp.MustCompile(`(^|[ (])((?:https?://|<host>/)[^\s]+)`)

// urlsOnTheirOwnLines starts every address on a line of its own: the form wraps long lines at
// dots and hyphens too, which would cut an address in two, but it never cuts a word that starts a
// line and fits in it, so an address that stands at the start of a line stays whole (and can be
// copied).
func urlsOnTheirOwnLines(s string) string {
	return urlRe.ReplaceAllStringFunc(s, func(m string) string {
		sub := urlRe.FindStringSubmatch(m)
		if sub[1] == "" {
			return m
		}
		return strings.TrimSuffix(sub[1], " ") + "\n" + sub[2]
	})
}

// ScopeList names the scopes a token of p needs, marking the ones only the platform's
// documentation asks for.
func ScopeList(p providers.Provider) string {
	names := make([]string, 0, len(p.Scopes))
	for _, s := range p.Scopes {
		n := s.Name
		if s.Advisory {
			n += " (advisory)"
		}
		names = append(names, n)
	}
	return strings.Join(names, ", ")
}

// tokenHost is the host used to build the token page's address: the typed host when it is a
// valid one, else the provider's default.
func tokenHost(p providers.Provider, host string) string {
	if h, err := Host(p.ID, host); err == nil {
		return h
	}
	if p.ID == providers.Azure {
		return "https://dev.azure.com/<organisation>"
	}
	return ""
}
