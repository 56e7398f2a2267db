package providers

import (
	"strings"
	"unicode/utf8"

	"gitopscfg/config/safe"
)

// tokenHintMin is the shortest token (in characters) whose last four characters TokenHint shows:
// a shorter one would be given away almost whole.
const tokenHintMin = 16

// TokenHint is the most of a token gitopscfg ever shows: its well-known prefix (the longest of the
// providers' TokenPrefixes it starts with), an ellipsis and the last four characters
// ("ghp_…a1b2"); tokens shorter than 16 characters show only "…". It counts characters, not
// bytes, so a token with multi-byte characters gives valid UTF-8.
func TokenHint(tok string) string {
	if tok == "" {
		return ""
	}
	if strings.HasPrefix(tok, "-----BEGIN CERTIFICATE") {
		return "certificate" // a service principal's, with its key: its last characters are the PEM's end line
	}
	if strings.HasPrefix(tok, "-----BEGIN ") {
		return "private key" // a GitHub App's: its last characters are the PEM's end line
	}
	n := utf8.RuneCountInString(tok)
	if n < tokenHintMin {
		return "…"
	}
	prefix := ""
	for _, p := range tokenPrefixes() {
		if strings.HasPrefix(tok, p) && len(p) > len(prefix) {
			prefix = p
		}
	}
	tail := tok
	for range n - 4 {
		_, size := utf8.DecodeRuneInString(tail)
		tail = tail[size:]
	}
	return safe.Text(prefix + "…" + tail)
}
