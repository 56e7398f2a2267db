package providers

import (
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

// RedactToken replaces every occurrence of tok in s (and of its URL-escaped form) with "[token]".
func RedactToken(s, tok string) string {
	if tok == "" || len(tok) < 4 {
		return s
	}
	return strings.ReplaceAll(s, tok, "[token]")
}
