package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// The picker's list scrolls when its rows do not fit: after the blank lines, the subtitle and the
// hints of providers not configured gave way (fitScreen's levels), the list shows a window of its
// lines that holds the selected row, between "↑ n more lines (pgup)" and "↓ n more lines (pgdn)".
// The window moves only as far as the cursor needs (the offset is kept in Update, see follow);
// pgup and pgdn move the cursor by a window's height.

// pickerMinList is the fewest lines the list keeps when a question or a long notice needs room:
// the selected row's first lines between the two indicators.
const pickerMinList = 4

// pickerLayout is the picker's screen before it is fitted into the terminal: the lines above the
// list, the list (its droppable lines dropped as the height requires), the notice and the help.
type pickerLayout struct {
	head, list []row
	notice     []string
	help       string
	// room is the list's height when it scrolls (0: it fits)
	room int
}

// layout builds the picker's screen for its size and state.
func (p *picker) layout() pickerLayout {
	s := p.c.styles
	w := p.width
	head := []row{
		{text: s.title.Render("gitopscfg") + s.subtitle.Render(" · Global Configurations › GitOps"), entry: -1},
		{text: s.dim.Render(truncate("Git credentials of the GitOps platform · ✓ marks the active credential", w)), drop: 3, entry: -1},
	}
	if dl := p.devtronLine(w); dl != "" {
		for _, l := range strings.Split(dl, "\n") {
			head = append(head, row{text: l, entry: -1})
		}
	}
	head = append(head, row{drop: 2, entry: -1})
	var list []row
	col := p.labelWidth(w)
	for i, e := range p.rows() {
		if i > 0 {
			list = append(list, row{drop: 1, entry: -1})
		}
		for _, r := range p.item(i, e, col, w) {
			r.entry = i
			list = append(list, r)
		}
	}
	// the rows that never give way, and the list's least height: what is left is a question's room
	fixed, listFixed := 0, 0
	for _, r := range head {
		if r.drop == 0 {
			fixed++
		}
	}
	for _, r := range list {
		if r.drop == 0 {
			listFixed++
		}
	}
	msg, help := p.footer(w, fixed+min(listFixed, pickerMinList))
	l := pickerLayout{head: head, list: list, notice: strings.Split(msg, "\n"), help: help}
	room := p.height - lineCount(help)
	for lvl := 1; lvl <= 3 && len(l.head)+len(l.list)+len(l.notice) > room; lvl++ {
		l.head, l.list = dropLevel(l.head, lvl), dropLevel(l.list, lvl)
	}
	if over := len(l.head) + len(l.list) + len(l.notice) - room; over > 0 {
		l.room = max(len(l.list)-over, pickerMinList)
	}
	return l
}

// dropLevel is rows without those that give way at level lvl.
func dropLevel(rows []row, lvl int) []row {
	kept := rows[:0:0]
	for _, r := range rows {
		if r.drop != lvl {
			kept = append(kept, r)
		}
	}
	return kept
}

// span is the lines [a, b) of the list that draw the picker's row i.
func (l pickerLayout) span(i int) (a, b int) {
	a = -1
	for j, r := range l.list {
		if r.entry == i {
			if a < 0 {
				a = j
			}
			b = j + 1
		}
	}
	return max(a, 0), b
}

// offset is the window's offset: kept, moved as little as needed for the lines of row cursor to
// show (its first line at least, when it is taller than the window).
func (l pickerLayout) offset(kept, cursor int) int {
	total := len(l.list)
	if l.room == 0 {
		return 0
	}
	a, b := l.span(cursor)
	off := scroller{off: kept}.at(total, l.room)
	if a < off {
		off = a
	}
	for off < a && b > off+visibleLines(off, total, l.room) {
		off++
	}
	// the window does not open on the middle of a row when it can open on the next one
	for off > 0 && off < a && l.list[off].entry >= 0 && l.list[off].entry == l.list[off-1].entry {
		off++
	}
	return scroller{off: off}.at(total, l.room)
}

// visibleLines is how many of total lines a window of room lines at offset off shows, between its
// indicators (as scroller.window lays them out).
func visibleLines(off, total, room int) int {
	avail := room
	if off > 0 {
		avail--
	}
	if off+avail < total {
		avail--
	}
	return max(avail, 1)
}

// window is the list as shown: all of it when it fits, else the window at the offset that shows
// row cursor (offset), as rows that no longer give way.
func (l pickerLayout) window(kept, cursor int, dim lipgloss.Style, w int) []row {
	if l.room == 0 {
		return l.list
	}
	lines := make([]string, len(l.list))
	for i, r := range l.list {
		lines[i] = r.text
	}
	shown := scroller{off: l.offset(kept, cursor)}.window(lines, l.room, w, dim)
	out := make([]row, len(shown))
	for i, t := range shown {
		out[i] = row{text: t, entry: -1}
	}
	return out
}

// follow keeps the list's window where it is now shown, so that it moves only when the cursor
// leaves it (called in Update after the cursor moved).
func (p *picker) follow() {
	p.scroll.off = p.layout().offset(p.scroll.off, p.cursor)
}

// pageKey moves the cursor a window's height up (pgup) or down (pgdn), to the first or the last
// row when the list fits, and reports whether msg was one of those keys.
func (p *picker) pageKey(msg tea.KeyPressMsg) bool {
	dir := 0
	switch {
	case key.Matches(msg, scrollKeyMap.PageUp):
		dir = -1
	case key.Matches(msg, scrollKeyMap.PageDown):
		dir = 1
	default:
		return false
	}
	n := len(p.rows())
	l := p.layout()
	if l.room == 0 {
		p.cursor = 0
		if dir > 0 {
			p.cursor = n - 1
		}
		return true
	}
	from, _ := l.span(p.cursor)
	for c := p.cursor + dir; c >= 0 && c < n; c += dir {
		p.cursor = c
		if a, _ := l.span(c); (a-from)*dir >= page(l.room) {
			break
		}
	}
	return true
}
