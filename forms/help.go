package forms

import (
	"regexp"
	"strings"

	"charm.land/lipgloss/v2"

	"gitopscfg/providers"
)

// fieldHelpParts splits a field's help into what it is (the prose) and the short lines after it
// (example, where to create it, scopes), which matter most when room is short.
func fieldHelpParts(p providers.Provider, f providers.Field, host string) (what, where string) {
	var b strings.Builder
	if f.Example != "" && f.Key != providers.FieldHost {
		b.WriteString("\nExample: " + f.Example)
	}
	if f.Key == providers.FieldToken {
		b.WriteString("\nCreate it at:\n" + p.TokenURL(tokenHost(p, host)))
		b.WriteString("\nScopes to tick: " + scopeList(p))
	}
	return urlsOnTheirOwnLines(f.Help), urlsOnTheirOwnLines(b.String())
}

// HelpFit bounds each field's help so that a field, input line included, fits the room the form
// has on screen: at most Lines lines of Width cells (Lines 0: no bound).
type HelpFit struct{ Width, Lines int }

// fit cuts the prose of a help to the room, keeping its last lines (example, where to create the
// token, scopes) whole, and marks the cut with "…".
func (h HelpFit) fit(what, where string) string {
	if h.Lines <= 0 || h.Width <= 0 {
		return what + where
	}
	// Wrap the way the form does, to count lines as it will show them.
	prose := strings.Split(lipgloss.Wrap(what, h.Width, ",.-; "), "\n")
	tail := strings.Split(strings.TrimPrefix(lipgloss.Wrap(where, h.Width, ",.-; "), "\n"), "\n")
	if where == "" {
		tail = nil
	}
	if len(prose)+len(tail) <= h.Lines {
		return what + where
	}
	keep := h.Lines - len(tail) - 1
	if keep < 1 {
		// Not even one line of prose fits: keep the end (the scopes to tick come last).
		return strings.Join(append([]string{"…"}, tail[max(len(tail)-(h.Lines-1), 0):]...), "\n")
	}
	return strings.Join(append(append(prose[:min(keep, len(prose))], "…"), tail...), "\n")
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

// scopeList names the scopes a token of p needs, marking the ones only the platform's
// documentation asks for.
func scopeList(p providers.Provider) string {
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
	if h, err := checkHost(p.ID, host); err == nil {
		return h
	}
	return p.HelpHost()
}
