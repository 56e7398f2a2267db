package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// Results taller than their room scroll: the check panel beside the editor's form and the round
// trip's checklist. None of the keys is a printable character, and none is one the form's text
// fields use, so scrolling never takes a keystroke from what is being typed.

// scrollKeys scroll a list of results by a page or a line; Help is how the help line names them.
type scrollKeys struct {
	PageUp, PageDown, LineUp, LineDown key.Binding
	Help                               key.Binding
}

func newScrollKeys() scrollKeys {
	return scrollKeys{
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "scroll up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "scroll down")),
		LineUp:   key.NewBinding(key.WithKeys("shift+up"), key.WithHelp("shift+↑", "scroll up a line")),
		LineDown: key.NewBinding(key.WithKeys("shift+down"), key.WithHelp("shift+↓", "scroll down a line")),
		Help:     key.NewBinding(key.WithKeys("pgup", "pgdown", "shift+up", "shift+down"), key.WithHelp("pgup/pgdn", "scroll")),
	}
}

// scrollKeyMap are the scroll keys, made once.
var scrollKeyMap = newScrollKeys()

// scroller is the offset of a list of lines shown in a room of fewer lines. The offset is kept as
// it was asked for and bounded when it is used, so a resize never leaves it out of range.
type scroller struct{ off int }

// maxScroll is the largest useful offset of total lines in room lines: at the end, one line goes
// to the "↑ n more" indicator.
func maxScroll(total, room int) int {
	if total <= room || room < 2 {
		return max(total-room, 0)
	}
	return total - (room - 1)
}

// at is the offset bounded to what total lines in room lines allow.
func (sc scroller) at(total, room int) int { return min(max(sc.off, 0), maxScroll(total, room)) }

// page is how far a page key moves: the lines shown between the two indicators.
func page(room int) int { return max(room-2, 1) }

// key scrolls for msg (a page or a line) and reports whether msg was a scroll key.
func (sc *scroller) key(msg tea.KeyPressMsg, total, room int) bool {
	k := scrollKeyMap
	delta := 0
	switch {
	case key.Matches(msg, k.PageUp):
		delta = -page(room)
	case key.Matches(msg, k.PageDown):
		delta = page(room)
	case key.Matches(msg, k.LineUp):
		delta = -1
	case key.Matches(msg, k.LineDown):
		delta = 1
	default:
		return false
	}
	sc.off = min(max(sc.at(total, room)+delta, 0), maxScroll(total, room))
	return true
}

// top scrolls back to the start (new results).
func (sc *scroller) top() { sc.off = 0 }

// window is the part of lines shown in room lines: when they do not all fit, a line
// "↑ n more lines (pgup)" above what is shown when some are hidden above, and
// "↓ n more lines (pgdn)" below when some are hidden below, drawn in dim, each cut to w cells.
func (sc scroller) window(lines []string, room, w int, dim lipgloss.Style) []string {
	total := len(lines)
	if total <= room {
		return lines
	}
	if room < 1 {
		return nil
	}
	off := sc.at(total, room)
	up := off > 0
	avail := room
	if up {
		avail--
	}
	down := off+avail < total
	if down {
		avail--
	}
	if avail < 1 && up { // room for one line only: the indicator below wins
		up, avail = false, avail+1
	}
	var out []string
	if up {
		out = append(out, dim.Render(truncate(moreLines("↑", off, scrollKeyMap.PageUp), w)))
	}
	out = append(out, lines[off:off+max(avail, 0)]...)
	if down {
		out = append(out, dim.Render(truncate(moreLines("↓", total-off-max(avail, 0), scrollKeyMap.PageDown), w)))
	}
	return out
}

// overflows reports whether total lines need scrolling in room lines.
func overflows(total, room int) bool { return total > room }

// moreLines is an indicator: "↓ 3 more lines (pgdn)".
func moreLines(arrow string, n int, k key.Binding) string {
	return arrow + " " + plural(n, "more line") + " (" + k.Help().Key + ")"
}

// withScrollHelp adds the scroll keys to a short help when there is something to scroll and the
// line still fits width cells with them (the indicators name the keys anyway).
func withScrollHelp(c *common, bindings []key.Binding, scrollable bool, width int) []key.Binding {
	if !scrollable {
		return bindings
	}
	more := append(append([]key.Binding{}, bindings...), scrollKeyMap.Help)
	h := c.help
	h.SetWidth(0)
	if lipgloss.Width(h.ShortHelpView(more)) > width {
		return bindings
	}
	return more
}

// The editor's check panel scrolls with the scroll keys while the form has the focus.

// scrollKey scrolls the check panel for msg and reports whether msg was a scroll key.
func (e *editor) scrollKey(msg tea.KeyPressMsg) bool {
	_, _, w, h, _ := e.dims()
	total, room := e.panel.bodySize(w, h)
	return e.panel.scroll.key(msg, total, room)
}

// withScrollHelp adds the scroll keys to the editor's help while the panel overflows.
func (e *editor) withScrollHelp(bindings []key.Binding) []key.Binding {
	if e.state != editing {
		return bindings
	}
	_, _, w, h, _ := e.dims()
	return withScrollHelp(e.c, bindings, overflows(e.panel.bodySize(w, h)), e.width)
}

// The round trip's checklist scrolls with the same keys.

// boxHeight is the height of the round trip's box: what its head and its foot (the verdict, what
// became of the result, one line of help) leave, and at least 5 lines.
func (rt *roundTrip) boxHeight() int {
	w := rt.width
	foot := lineCount(rt.verdict(w)) + 1
	if rt.record != "" {
		foot++
	}
	return max(rt.height-lineCount(rt.head(w))-foot-1, 5)
}

// scrollSize is how many lines of the round trip's checklist scroll, and in how many.
func (rt *roundTrip) scrollSize() (total, room int) {
	h := rt.boxHeight()
	head, body := rt.boxLines(rt.width, h)
	return len(body), max(h-2-len(head), 1)
}

// scrollKey scrolls the round trip's checklist for msg and reports whether msg was a scroll key.
func (rt *roundTrip) scrollKey(msg tea.KeyPressMsg) bool {
	total, room := rt.scrollSize()
	return rt.scroll.key(msg, total, room)
}

// withScrollHelp adds the scroll keys to the round trip's help while its checklist overflows.
func (rt *roundTrip) withScrollHelp(bindings []key.Binding) []key.Binding {
	return withScrollHelp(rt.c, bindings, overflows(rt.scrollSize()), rt.width)
}
