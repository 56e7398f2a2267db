package ui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

func itoa(n int) string { return strconv.Itoa(n) }

// truncate cuts s to w cells with an ellipsis. An address the cut falls in keeps its whole target
// as a hyperlink (the root shows it where the terminal supports hyperlinks, and drops it elsewhere).
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	return truncateLinked(s, w, "…")
}

// truncateStyled is truncate for text that holds escape sequences.
func truncateStyled(s string, w int) string { return truncate(s, w) }

// wrapText wraps s to w cells at spaces, and after the hyphens of ordinary words. An address
// (a word holding "://") is never broken: when it does not fit on the line it starts a line of
// its own, and when it is longer than w it stays whole on that line, so that copying it gives the
// whole address (where the line is cut on screen, its hyperlink still holds all of it). Only an
// ordinary word longer than w is cut.
func wrapText(s string, w int) string {
	if w <= 0 {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = wrapLine(l, w)
	}
	return strings.Join(lines, "\n")
}

// isAddress reports whether a word (with what may close the sentence around it) is an address.
func isAddress(word string) bool { return strings.Contains(word, "://") }

// wrapLine wraps one line (no newline in it) to w cells.
func wrapLine(line string, w int) string {
	var out []string
	var cur strings.Builder
	curW, filled := 0, false // filled: cur holds a word (not only spaces)
	flush := func() {
		out = append(out, strings.TrimRight(cur.String(), " "))
		cur.Reset()
		curW, filled = 0, false
	}
	put := func(sep, part string, tw int) {
		cur.WriteString(sep + part)
		curW += len(sep) + tw
		filled = filled || part != ""
	}
	for i, word := range strings.Split(line, " ") {
		for j, part := range wordParts(word) {
			sep := ""
			if i > 0 && j == 0 {
				sep = " "
			}
			pw := ansi.StringWidth(part)
			if curW+len(sep)+pw <= w {
				put(sep, part, pw)
				continue
			}
			if filled {
				flush()
			} else { // only spaces so far: they give way
				cur.Reset()
				curW = 0
			}
			if pw > w && !isAddress(word) {
				chunks := strings.Split(ansi.Hardwrap(part, w, false), "\n")
				out = append(out, chunks[:len(chunks)-1]...)
				part = chunks[len(chunks)-1]
				pw = ansi.StringWidth(part)
			}
			put("", part, pw) // an address longer than w stays whole on its own line
		}
	}
	if cur.Len() > 0 || len(out) == 0 {
		flush()
	}
	return strings.Join(out, "\n")
}

// wordParts splits an ordinary word after its hyphens, where a line may break; an address is one
// part.
func wordParts(word string) []string {
	if isAddress(word) || !strings.Contains(word, "-") {
		return []string{word}
	}
	var parts []string
	for word != "" {
		i := strings.Index(word, "-")
		if i < 0 || i == len(word)-1 {
			parts = append(parts, word)
			break
		}
		parts = append(parts, word[:i+1])
		word = word[i+1:]
	}
	return parts
}

// hangingWrap wraps s to w cells, indenting every line after the first by indent cells.
func hangingWrap(s string, w, indent int) string {
	if w-indent < 8 {
		return wrapText(s, w)
	}
	lines := strings.Split(wrapText(s, w-indent), "\n")
	pad := strings.Repeat(" ", indent)
	for i := 1; i < len(lines); i++ {
		lines[i] = pad + lines[i]
	}
	return strings.Join(lines, "\n")
}

// clampLines keeps at most n lines of s.
func clampLines(s string, n int) string {
	if n <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) <= n {
		return s
	}
	return strings.Join(lines[:n], "\n")
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// padLines gives s exactly h lines.
func padLines(s string, h int) string {
	n := strings.Count(s, "\n") + 1
	if n >= h {
		return clampLines(s, h)
	}
	return s + strings.Repeat("\n", h-n)
}

// besides puts right to the right of left (w cells wide, h lines high), one space between: a
// cheaper lipgloss.JoinHorizontal for the editor's two columns.
func besides(left string, w, h int, right string) string {
	ls := strings.Split(clampLines(left, h), "\n")
	rs := strings.Split(right, "\n")
	rows := max(h, len(rs))
	var b strings.Builder
	b.Grow(len(left) + len(right) + rows*(w+2))
	for i := range rows {
		l := ""
		if i < len(ls) {
			l = ls[i]
		}
		if lw := ansi.StringWidth(l); lw < w {
			l += strings.Repeat(" ", w-lw)
		} else if lw > w {
			l = ansi.Truncate(l, w, "")
		}
		b.WriteString(l)
		if i < len(rs) {
			b.WriteString(" ")
			b.WriteString(rs[i])
		}
		if i < rows-1 {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// indentLines puts n spaces before every line of s.
func indentLines(s string, n int) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
}

// lineCount is the number of lines of s.
func lineCount(s string) int { return strings.Count(s, "\n") + 1 }
