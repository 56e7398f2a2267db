// Package safe makes text that came from outside fit to be shown, and keeps secrets out of it.
// It owns two things: Text, which escapes what a terminal would interpret (control characters,
// bidi overrides, zero-width and other invisible format characters, invalid UTF-8), and Redact,
// which masks a token in its raw, percent-encoded and base64 forms. It imports nothing of the
// project, so every package can use it.
package safe

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Unsafe reports whether r must not reach a terminal as it is: C0 and C1 control characters
// (ESC, BEL, newline, tab included) and DEL, format characters (bidi overrides and isolates,
// zero-width spaces and joiners, the byte-order mark, soft hyphen, tags) and the line and
// paragraph separators.
func Unsafe(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Zl, r) ||
		unicode.Is(unicode.Zp, r) || r == utf8.RuneError
}

// Text returns s with every unsafe character written out visibly: "\x1b" for ESC, "\a" for BEL,
// "\n" for a newline, "\u202e" for a right-to-left override, "\xff" for a byte that is not
// UTF-8. Text that holds none comes back unchanged, so Text can be applied more than once.
func Text(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case Unsafe(r):
			b.WriteString(escape(r))
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if Unsafe(r) {
			return true
		}
		i += size
	}
	return false
}

func escape(r rune) string {
	switch r {
	case '\a':
		return `\a`
	case '\b':
		return `\b`
	case '\f':
		return `\f`
	case '\n':
		return `\n`
	case '\r':
		return `\r`
	case '\t':
		return `\t`
	case '\v':
		return `\v`
	}
	if r < 0x80 {
		return fmt.Sprintf(`\x%02x`, r)
	}
	if r > 0xffff {
		return fmt.Sprintf(`\U%08x`, r)
	}
	return fmt.Sprintf(`\u%04x`, r)
}

// FirstUnsafe returns the first unsafe character of s and its position (counted in characters,
// from 1), or ok false when s holds none. Validators use it to refuse such input precisely.
func FirstUnsafe(s string) (r rune, pos int, ok bool) {
	pos = 0
	for i := 0; i < len(s); {
		c, size := utf8.DecodeRuneInString(s[i:])
		pos++
		if Unsafe(c) {
			if c == utf8.RuneError && size == 1 {
				return rune(s[i]), pos, true
			}
			return c, pos, true
		}
		i += size
	}
	return 0, 0, false
}

// Describe names an unsafe character for a message: `U+202E (RIGHT-TO-LEFT OVERRIDE)` where the
// name is known, else its escaped form.
func Describe(r rune) string {
	if name, ok := names[r]; ok {
		return fmt.Sprintf("U+%04X (%s)", r, name)
	}
	return fmt.Sprintf("U+%04X (%s)", r, escape(r))
}

var names = map[rune]string{
	0x00: "NUL", 0x07: "BEL", 0x08: "BACKSPACE", 0x09: "TAB", 0x0a: "NEWLINE", 0x0d: "CARRIAGE RETURN",
	0x1b: "ESC", 0x7f: "DEL", 0x9b: "CSI", 0x9d: "OSC",
	0x200b: "ZERO WIDTH SPACE", 0x200c: "ZERO WIDTH NON-JOINER", 0x200d: "ZERO WIDTH JOINER",
	0x200e: "LEFT-TO-RIGHT MARK", 0x200f: "RIGHT-TO-LEFT MARK",
	0x202a: "LEFT-TO-RIGHT EMBEDDING", 0x202b: "RIGHT-TO-LEFT EMBEDDING", 0x202c: "POP DIRECTIONAL FORMATTING",
	0x202d: "LEFT-TO-RIGHT OVERRIDE", 0x202e: "RIGHT-TO-LEFT OVERRIDE",
	0x2066: "LEFT-TO-RIGHT ISOLATE", 0x2067: "RIGHT-TO-LEFT ISOLATE", 0x2068: "FIRST STRONG ISOLATE",
	0x2069: "POP DIRECTIONAL ISOLATE", 0x2060: "WORD JOINER", 0xfeff: "ZERO WIDTH NO-BREAK SPACE",
	0x2028: "LINE SEPARATOR", 0x2029: "PARAGRAPH SEPARATOR",
}
