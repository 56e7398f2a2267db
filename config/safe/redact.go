package safe

import (
	"encoding/base64"
	"strings"
)

// Mask is what Redact puts where a token was.
const Mask = "[token]"

// minToken is the shortest token Redact masks: masking shorter ones would garble ordinary words
// (the validators refuse tokens that short anyway).
const minToken = 4

// minBase64Core is the shortest base64 run Redact looks for: shorter runs match ordinary words.
const minBase64Core = 8

// Redact returns s with every occurrence of token masked, in each form a server or a library may
// echo it in:
//   - raw;
//   - URL- and percent-encoded, in any case and mixing encoded and plain bytes ("%67hp_…",
//     "ghp%5Fabc", "a+b" for "a b"), which covers url.QueryEscape, url.PathEscape and
//     encoding every byte;
//   - base64 and base64url, padded or not, of the token alone or of the token after or before
//     anything else, so the Basic credentials "username:token" are masked whatever the user
//     name: the whole base64 run holding the token's encoding is masked, percent-encoded or not.
//
// Tokens shorter than 4 bytes are left alone.
func Redact(s, token string) string {
	if len(token) < minToken || s == "" {
		return s
	}
	s = maskAll(s, token, false)
	for _, core := range base64Cores(token) {
		s = maskAll(s, core, true)
	}
	return s
}

// base64Cores returns, for the standard and the URL alphabet and each of the three alignments
// the token can have inside a longer encoded text, the characters of its encoding that depend on
// the token's bytes alone.
func base64Cores(token string) []string {
	var cores []string
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		for k := range 3 {
			full := enc.EncodeToString(append(make([]byte, k), token...))
			from := (8*k + 5) / 6          // first character whose bits all come from the token
			to := 8 * (k + len(token)) / 6 // end of the last such character
			if to-from < minBase64Core {
				continue
			}
			core := full[from:to]
			if !contains(cores, core) {
				cores = append(cores, core)
			}
		}
	}
	return cores
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// maskAll replaces every match of pat in s (see matchAt) with Mask; with run set, the match is
// widened to the whole base64 run around it.
func maskAll(s, pat string, run bool) string {
	var b strings.Builder
	last := 0 // s[last:] is not yet copied
	for i := 0; i < len(s); {
		n := matchAt(s, i, pat)
		if n < 0 {
			i++
			continue
		}
		start, end := i, i+n
		if run {
			start, end = widen(s, start, end, last)
		}
		b.WriteString(s[last:start])
		b.WriteString(Mask)
		last, i = end, end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// matchAt returns how many bytes of s, from i, spell pat, each byte of pat written either as
// itself, as %XX (hex digits in any case) or, for a space, as '+'; or -1.
func matchAt(s string, i int, pat string) int {
	j := i
	for k := 0; k < len(pat); k++ {
		if j >= len(s) {
			return -1
		}
		c := pat[k]
		escaped := s[j] == '%' && j+2 < len(s) && isHex(s[j+1]) && isHex(s[j+2]) && unhex(s[j+1])<<4|unhex(s[j+2]) == c
		switch {
		case escaped && s[j] == c:
			// "%25" in s spells a '%' of pat, but so may its plain '%': try both.
			if n := matchAt(s, j+3, pat[k+1:]); n >= 0 {
				return j + 3 + n - i
			}
			j++
		case escaped:
			j += 3
		case s[j] == c, s[j] == '+' && c == ' ':
			j++
		default:
			return -1
		}
	}
	return j - i
}

// widen grows [start,end) over the base64 characters (of either alphabet, padding included,
// plain or percent-encoded) on both sides, never left of floor.
func widen(s string, start, end, floor int) (int, int) {
	for start > floor {
		if isB64(s[start-1]) {
			start--
		} else if start-3 >= floor && s[start-3] == '%' && isHex(s[start-2]) && isHex(s[start-1]) && isB64(unhex(s[start-2])<<4|unhex(s[start-1])) {
			start -= 3
		} else {
			break
		}
	}
	for end < len(s) {
		if isB64(s[end]) {
			end++
		} else if end+2 < len(s) && s[end] == '%' && isHex(s[end+1]) && isHex(s[end+2]) && isB64(unhex(s[end+1])<<4|unhex(s[end+2])) {
			end += 3
		} else {
			break
		}
	}
	return start, end
}

func isB64(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '+' || c == '/' || c == '-' || c == '_' || c == '='
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
