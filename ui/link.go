package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

// Addresses on screen become OSC 8 hyperlinks where the terminal takes them: clicking or copying
// one gives the whole address even where the line showing it is cut. The screens write plain
// addresses (and truncateLinked keeps the target of an address it cuts); the root decides, for
// the whole screen, whether hyperlinks are emitted (links.show).

// OSC 8: ESC ] 8 ; params ; URI ST, the text, then the same with an empty URI to end the link.
const (
	oscLink = "\x1b]8;"
	oscST   = "\x1b\\"
)

// hyperlink is text linked to url.
func hyperlink(url, text string) string {
	return oscLink + ";" + url + oscST + text + oscLink + ";" + oscST
}

// terminalLinks is what the session knows of its terminal to decide on hyperlinks: the colour
// profile Bubble Tea detected (tea.ColorProfileMsg) and the environment (tea.EnvMsg), both sent
// when the program starts.
type terminalLinks struct {
	profile colorprofile.Profile
	envSeen bool
	term    string
	noColor bool
}

// observe takes what a message says of the terminal.
func (t *terminalLinks) observe(msg tea.Msg) {
	switch msg := msg.(type) {
	case tea.ColorProfileMsg:
		t.profile = msg.Profile
	case tea.EnvMsg:
		t.envSeen = true
		t.term = msg.Getenv("TERM")
		t.noColor = msg.Getenv("NO_COLOR") != ""
	}
}

// supported decides conservatively: only a terminal known to have colours (not NoTTY or Ascii,
// so neither a pipe nor NO_COLOR), whose environment is known, with a TERM that is neither empty,
// dumb nor the Linux console, and without NO_COLOR.
func (t terminalLinks) supported() bool {
	if t.profile <= colorprofile.ASCII || !t.envSeen || t.noColor {
		return false
	}
	switch t.term {
	case "", "dumb", "linux":
		return false
	}
	return true
}

// show prepares a screen for the terminal: its addresses linked where hyperlinks are supported,
// and every hyperlink removed where they are not.
func (t terminalLinks) show(screen string) string {
	if t.supported() {
		return linkify(screen)
	}
	return stripLinks(screen)
}

// span is the byte range of an address in a screen string.
type span struct{ start, end int }

// addressSpans finds the addresses in s (which may hold escape sequences) that are not inside a
// hyperlink already. An address is http:// or https:// followed by the characters an address may
// hold (never an escape, a space or a non-ASCII character), without the punctuation that closes
// the sentence around it. Left out: an address followed by "…" (it was cut, so it is not the
// whole address), and one with user information before its host (which may hold a secret).
func addressSpans(s string) []span {
	var out []span
	inLink := false
	var prev byte // the text's byte before s[i] (0 after an escape sequence)
	for i := 0; i < len(s); {
		if s[i] == '\x1b' {
			n, url, isLink := escapeAt(s[i:])
			if isLink {
				inLink = url != ""
			}
			i, prev = i+n, 0
			continue
		}
		if inLink || !startsAddress(s[i:], prev) {
			i, prev = i+1, s[i]
			continue
		}
		j := i
		for j < len(s) && addressByte(s[j]) {
			j++
		}
		end := trimAddress(s[i:j]) + i
		if cut := strings.HasPrefix(s[j:], "…"); !cut && hasHost(s[i:end]) && !hasUserInfo(s[i:end]) {
			out = append(out, span{i, end})
		}
		i, prev = j, s[j-1]
	}
	return out
}

// startsAddress reports whether s starts with an address: http:// or https://, not right after
// a letter or a digit (prev).
func startsAddress(s string, prev byte) bool {
	if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
		return false
	}
	return !(prev >= 'a' && prev <= 'z' || prev >= 'A' && prev <= 'Z' || prev >= '0' && prev <= '9')
}

// addressByte reports whether c may be part of an address (RFC 3986's characters, but the
// apostrophe, which rather closes a quotation).
func addressByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("-._~:/?#[]@!$&()*+,;=%", c) >= 0
}

// trimAddress is the length of addr without the punctuation that ends the sentence around it
// (a closing bracket only when the address does not open it).
func trimAddress(addr string) int {
	n := len(addr)
	for n > 0 {
		switch c := addr[n-1]; c {
		case '.', ',', ';', ':', '!', '?':
			n--
			continue
		case ')', ']':
			open := map[byte]byte{')': '(', ']': '['}[c]
			if strings.Count(addr[:n], string(open)) < strings.Count(addr[:n], string(c)) {
				n--
				continue
			}
		}
		break
	}
	return n
}

// hasHost reports whether an address has something after its scheme.
func hasHost(addr string) bool {
	_, rest, _ := strings.Cut(addr, "://")
	return rest != ""
}

// hasUserInfo reports whether an address carries user information (user:password@host).
func hasUserInfo(addr string) bool {
	_, rest, _ := strings.Cut(addr, "://")
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	return strings.Contains(rest, "@")
}

// escapeAt measures the escape sequence s starts with (s[0] is ESC): its length, and for an OSC 8
// hyperlink, its URI ("" ends a link).
func escapeAt(s string) (n int, url string, isLink bool) {
	if len(s) < 2 {
		return len(s), "", false
	}
	switch s[1] {
	case ']': // OSC, ended by BEL or ST
		end, term := len(s), 0
		if i := strings.IndexAny(s[2:], "\a\x1b"); i >= 0 {
			end = 2 + i
			term = 1
			if s[end] == '\x1b' {
				term = 2
			}
		}
		body := s[2:end]
		if strings.HasPrefix(body, "8;") {
			_, uri, _ := strings.Cut(body[2:], ";")
			return min(end+term, len(s)), uri, true
		}
		return min(end+term, len(s)), "", false
	case '[': // CSI, ended by a byte in 0x40–0x7E
		for i := 2; i < len(s); i++ {
			if s[i] >= 0x40 && s[i] <= 0x7e {
				return i + 1, "", false
			}
		}
		return len(s), "", false
	}
	return 2, "", false
}

// linkify links every address of s that is not linked already to itself.
func linkify(s string) string {
	spans := addressSpans(s)
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(spans)*(2*len(oscLink)+2*len(oscST)+2))
	last := 0
	for _, sp := range spans {
		addr := s[sp.start:sp.end]
		b.WriteString(s[last:sp.start])
		b.WriteString(hyperlink(addr, addr))
		last = sp.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// stripLinks removes every OSC 8 sequence from s, keeping the linked text.
func stripLinks(s string) string {
	if !strings.Contains(s, oscLink) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], oscLink) {
			n, _, _ := escapeAt(s[i:])
			i += n
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// truncateLinked cuts s (which may hold escape sequences) to w cells, ending it with tail. An
// address the cut falls in is linked first to its whole self, so its hyperlink (where shown) still
// gives the whole address.
func truncateLinked(s string, w int, tail string) string {
	if ansi.StringWidth(s) <= w {
		return s
	}
	cut := w - ansi.StringWidth(tail)
	for _, sp := range addressSpans(s) {
		from := ansi.StringWidth(s[:sp.start])
		to := from + (sp.end - sp.start)
		if from < cut && cut < to {
			addr := s[sp.start:sp.end]
			s = s[:sp.start] + hyperlink(addr, addr) + s[sp.end:]
			break
		}
	}
	return ansi.Truncate(s, w, tail)
}
