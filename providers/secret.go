package providers

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// TokenHint is the most of a token gitopscfg ever shows: its well-known prefix, an ellipsis and the
// last four characters ("ghp_…a1b2"); short tokens show only "…".
func TokenHint(tok string) string {
	if tok == "" {
		return ""
	}
	n := utf8.RuneCountInString(tok)
	if n < 16 {
		return "…"
	}
	prefix := ""
	for _, p := range []string{"github_pat_", "ghp_", "gho_", "ghu_", "ghs_", "glpat-", "ATATT", "ATCTT"} {
		if strings.HasPrefix(tok, p) {
			prefix = p
			break
		}
	}
	return prefix + "…" + tok[len(tok)-4:]
}

// RedactToken replaces every occurrence of tok in s, and of its URL-escaped forms, with "[token]".
// Tokens shorter than 4 bytes are left alone (the validators refuse tokens that short anyway):
// masking them would garble ordinary words.
func RedactToken(s, tok string) string {
	if len(tok) < 4 {
		return s
	}
	for _, form := range []string{tok, url.QueryEscape(tok), url.PathEscape(tok)} {
		s = strings.ReplaceAll(s, form, "[token]")
	}
	return s
}
