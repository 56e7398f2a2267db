package kit

import "strings"

// LineOf is the line of screen that holds sub ("" when none does).
func LineOf(screen, sub string) string {
	for l := range strings.SplitSeq(screen, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

// Tail is the last n bytes of s, for failure messages.
func Tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
