package ui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

func itoa(n int) string { return strconv.Itoa(n) }

// truncate cuts s to w cells with an ellipsis.
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	return ansi.Truncate(s, w, "…")
}

// truncateStyled is truncate for text that holds escape sequences.
func truncateStyled(s string, w int) string { return truncate(s, w) }

// wrapText wraps s to w cells, breaking long words (URLs) when they do not fit.
func wrapText(s string, w int) string {
	if w <= 0 {
		return s
	}
	// Break at spaces; only a word longer than the width (a long address) is cut, so addresses
	// stay whole wherever they fit.
	return ansi.Wrap(ansi.Wordwrap(s, w, ""), w, "")
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
