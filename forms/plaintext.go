package forms

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// plainText refuses text that would not display as what it is: control characters (ESC, C1,
// tabs, line breaks…), bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069, the
// direction marks), zero-width and other invisible format characters (U+200B–U+200D, U+2060,
// U+FEFF, …, all of Unicode category Cf), unassigned or private-use code points, and invalid
// UTF-8. The error names the character by its code point and its position, and never repeats the
// text itself, so it is safe to show on any terminal.
func plainText(s, what string) error {
	pos := 0
	for i, r := range s {
		pos++
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return fmt.Errorf("%s is not valid UTF-8 text (byte 0x%02X at character %d): type it again", what, s[i], pos)
			}
		}
		if name, bad := hiddenRune(r); bad {
			return fmt.Errorf("%s contains U+%04X (%s) at character %d, which would make it display differently from what is stored: type it again without it", what, r, name, pos)
		}
	}
	return nil
}

// hiddenRune reports whether r is a character PlainText refuses, with a name for the message.
func hiddenRune(r rune) (string, bool) {
	if name, ok := runeNames[r]; ok {
		return name, true
	}
	switch {
	case r < 0x20 || r == 0x7F:
		return "a control character", true
	case r >= 0x80 && r <= 0x9F:
		return "a C1 control character", true
	case unicode.Is(unicode.Cf, r):
		return "an invisible format character", true
	case unicode.Is(unicode.Co, r):
		return "a private-use character", true
	case unicode.IsSpace(r) && r != ' ':
		return "a space character other than the plain space", true
	case !unicode.IsPrint(r) && r != ' ':
		return "a character that cannot be displayed", true
	}
	return "", false
}

var runeNames = map[rune]string{
	0x00: "NUL", 0x07: "BEL", 0x08: "BACKSPACE", 0x09: "TAB", 0x0A: "LINE FEED", 0x0D: "CARRIAGE RETURN",
	0x1B: "ESC", 0x7F: "DELETE", 0x9B: "CSI", 0x9D: "OSC",
	0x061C: "ARABIC LETTER MARK", 0x200B: "ZERO WIDTH SPACE", 0x200C: "ZERO WIDTH NON-JOINER",
	0x200D: "ZERO WIDTH JOINER", 0x200E: "LEFT-TO-RIGHT MARK", 0x200F: "RIGHT-TO-LEFT MARK",
	0x2028: "LINE SEPARATOR", 0x2029: "PARAGRAPH SEPARATOR",
	0x202A: "LEFT-TO-RIGHT EMBEDDING", 0x202B: "RIGHT-TO-LEFT EMBEDDING", 0x202C: "POP DIRECTIONAL FORMATTING",
	0x202D: "LEFT-TO-RIGHT OVERRIDE", 0x202E: "RIGHT-TO-LEFT OVERRIDE", 0x2060: "WORD JOINER",
	0x2066: "LEFT-TO-RIGHT ISOLATE", 0x2067: "RIGHT-TO-LEFT ISOLATE", 0x2068: "FIRST STRONG ISOLATE",
	0x2069: "POP DIRECTIONAL ISOLATE", 0xFEFF: "ZERO WIDTH NO-BREAK SPACE", 0x180E: "MONGOLIAN VOWEL SEPARATOR",
	0x00AD: "SOFT HYPHEN", 0x115F: "HANGUL CHOSEONG FILLER", 0x3164: "HANGUL FILLER",
}
