package forms

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gitopscfg/providers"
)

// notShown stands for a value an error does not show.
const notShown = "(not shown: it looks like a token)"

// minOpaqueWord is the length (in characters) from which a word may be a token.
const minOpaqueWord = 20

// maxShown is the most characters of a value an error shows.
const maxShown = 48

// extraTokenPrefixes are the well-known credential prefixes beyond the providers' TokenPrefixes
// (which list only what gitopscfg accepts as a provider token): GitHub's OAuth, app and refresh
// tokens, GitLab's other tokens (OAuth secret, runner, deploy, trigger, feed, mail, CI job, SCIM,
// agent, feature-flag and workspace tokens, the legacy runner registration prefix) and
// Atlassian's API tokens, access tokens and app passwords.
var extraTokenPrefixes = []string{
	"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
	"glpat-", "gloas-", "glrt-", "glrtr-", "gldt-", "glptt-", "glft-", "glimt-", "glcbt-", "glsoat-",
	"glagent-", "glffct-", "glwt-", "GR1348941",
	"ATATT", "ATCTT", "ATBB",
}

// tokenPrefixes are every well-known token prefix: the providers' and extraTokenPrefixes.
var tokenPrefixes = func() []string {
	out := append([]string(nil), extraTokenPrefixes...)
	for _, p := range providers.All() {
		for _, pre := range p.TokenPrefixes {
			if !slices.Contains(out, pre) {
				out = append(out, pre)
			}
		}
	}
	return out
}()

// wordBreak reports whether r separates the words of a value (see maySecret).
func wordBreak(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune("./:@?#&=,;", r)
}

// words are the words of s (see maySecret).
func words(s string) []string { return strings.FieldsFunc(s, wordBreak) }

// maySecret reports whether s may be a secret, which no error may show (the rule is described above).
func maySecret(s string) bool {
	for _, p := range tokenPrefixes {
		if strings.Contains(s, p) {
			return true
		}
	}
	for _, w := range words(s) {
		if utf8.RuneCountInString(w) >= minOpaqueWord {
			return true
		}
	}
	return false
}

// tokenShaped reports whether s holds a token: a word that starts with a well-known token prefix
// and is minOpaqueWord characters or longer (real ones are 26 and more). Such a value is refused
// in any field but the token's.
func tokenShaped(s string) bool {
	for _, w := range words(s) {
		if utf8.RuneCountInString(w) < minOpaqueWord {
			continue
		}
		for _, p := range tokenPrefixes {
			if strings.HasPrefix(w, p) {
				return true
			}
		}
	}
	return false
}

// looksLikeToken is the error for a token-shaped value in field k of provider id.
func looksLikeToken(id providers.ID, k providers.FieldKey) error {
	p := providers.MustLookup(id)
	token := "token"
	if f, ok := p.Field(providers.FieldToken); ok {
		token = f.Label
	}
	what := "what this field asks for"
	if f, ok := p.Field(k); ok {
		what = "the " + f.Label
	}
	return fmt.Errorf("this looks like a token (not shown): a token goes only in the %s field; enter %s here", token, what)
}

// cut shortens s to maxShown characters, ending it with "…" when cut.
func cut(s string) string {
	if utf8.RuneCountInString(s) <= maxShown {
		return s
	}
	r := []rune(s)
	return string(r[:maxShown-1]) + "…"
}

// shown is how an error shows the value s: quoted and cut, or notShown when s may be a secret.
func shown(s string) string {
	if maySecret(s) {
		return notShown
	}
	return strconv.Quote(cut(s))
}

// conceal returns err unchanged unless one of values may be a secret and err's text shows it or
// one of its words (in any case, as a rule may suggest an upper- or lower-case variant): then an
// error whose text has the value, quoted or not, replaced by "the value (not shown: …)" and any
// remaining long or prefixed word of it replaced by "…".
func conceal(err error, values ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	out := msg
	for _, v := range values {
		if !maySecret(v) {
			continue
		}
		out = replaceFold(out, strconv.Quote(v), "the value "+notShown)
		out = replaceFold(out, v, "the value "+notShown)
		for _, w := range words(v) {
			if utf8.RuneCountInString(w) >= minOpaqueWord || maySecret(w) {
				out = replaceFold(out, w, "…")
			}
		}
	}
	if out == msg {
		return err
	}
	return errors.New(out)
}

// replaceFold replaces every occurrence of old in s, compared under Unicode case folding, by new.
func replaceFold(s, old, new string) string {
	if old == "" {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if j := i + len(old); j <= len(s) && strings.EqualFold(s[i:j], old) {
			b.WriteString(new)
			i = j
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		b.WriteString(s[i : i+size])
		i += size
	}
	return b.String()
}
