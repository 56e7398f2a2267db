package ui

import (
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"gitopscfg/config"
	"gitopscfg/config/safe"
	"gitopscfg/providers"
)

func failSummary(r providers.Result) string {
	n := 0
	for _, c := range r.Checks {
		if c.Status == providers.Fail {
			n++
		}
	}
	if n == 1 {
		return "1 check failed"
	}
	return itoa(n) + " checks failed"
}

func (p *picker) View() string {
	l := p.layout()
	return fitScreen(append(l.head, l.window(p.scroll.off, p.cursor, p.c.styles.dim, p.width)...), l.notice, l.help, p.height)
}

// row is one line of a screen's body; drop says how early it gives way when the screen is too
// short for the body and the footer (0: never; 1 first). entry is the picker's row it draws (-1
// none).
type row struct {
	text  string
	drop  int
	entry int
}

// fitScreen lays out body, the notice (at least one line, blank when there is none) and the help
// in h lines, the notice and the help at the bottom: when they do not fit, the body's droppable
// rows give way (lowest level first), then the notice's last lines.
func fitScreen(body []row, notice []string, help string, h int) string {
	room := h - lineCount(help)
	for lvl := 1; lvl <= 3 && len(body)+len(notice) > room; lvl++ {
		kept := body[:0:0]
		for _, r := range body {
			if r.drop != lvl {
				kept = append(kept, r)
			}
		}
		body = kept
	}
	if over := len(body) + len(notice) - room; over > 0 {
		notice = notice[:max(len(notice)-over, 1)]
	}
	lines := make([]string, len(body))
	for i, r := range body {
		lines[i] = r.text
	}
	gap := room - len(body) - len(notice)
	return strings.Join(lines, "\n") + strings.Repeat("\n", max(gap, 0)+1) + strings.Join(notice, "\n") + "\n" + help
}

// labelWidth is the width of the rows' name column: the longest name and three spaces, as for the
// providers' names (18 cells at least), and at most half the width.
func (p *picker) labelWidth(w int) int {
	col := 18
	for _, e := range p.rows() {
		col = max(col, lipgloss.Width(e.label())+3)
	}
	return max(min(col, w/2), 18)
}

// item is a row's lines: its credential's name, state and state in Devtron (with several
// instances and the full help shown, a line of each instance's when the first line only counts
// them); where it is; its checks. col is the width of the name column.
func (p *picker) item(i int, e entry, col, w int) []row {
	s := p.c.styles
	cfg := p.configured(e.credential())
	if e.name == "" {
		cfg = nil
	}
	sel := i == p.cursor
	cur := "  "
	if sel {
		cur = s.cursor.Render("› ")
	}
	active := cfg != nil && p.data.Active == e.name
	mark := "  "
	if active {
		mark = s.active.Render("✓ ")
	}
	name := truncate(e.label(), col-1)
	if sel {
		name = s.selected.Render(name)
	}
	badge := s.badgeOff.Render("not configured")
	if cfg != nil {
		badge = s.badgeOn.Render("configured")
		if active {
			badge = s.active.Render("active") + s.dim.Render(" · ") + badge
		}
	}
	head := cur + mark + padRight(name, col) + badge
	dt, compact := p.devtronBadge(e, w-lipgloss.Width(head))
	rows := []row{{text: truncateStyled(head+dt, w)}}
	pr := e.p
	indent := "      "
	if compact && p.full {
		// the full help shows what the badge counts: the state in each Devtron instance
		for _, l := range p.devtronDetail(e, w-len(indent)) {
			rows = append(rows, row{text: indent + l})
		}
	}
	if cfg == nil {
		return append(rows, row{text: indent + s.dim.Render(truncate("not set up yet · press enter to configure it", w-len(indent))), drop: 2})
	}
	where := safe.Text(cfg.Host) + " · " + pr.OrgNoun + " " + safe.Text(cfg.Org)
	if cfg.URL != "" {
		where = safe.Text(cfg.URL) // the generic provider's one repository
	}
	if cfg.ProjectKey != "" {
		where += " / " + cfg.ProjectKey
	}
	if cfg.Username != "" {
		where += " · " + safe.Text(cfg.Username)
	}
	if cfg.Repo != "" {
		where += " · repository " + safe.Text(cfg.Repo)
	}
	rows = append(rows, row{text: indent + truncate(where, w-len(indent))})
	if cfg.SSHKey != "" {
		rows = append(rows, row{text: indent + truncate(sshTransport(cfg.SSHHostKey), w-len(indent)), drop: 2})
	}
	return append(rows, row{text: indent + p.checkLine(e.name, cfg, w-len(indent))})
}

// plural is "1 warning", "2 warnings".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return itoa(n) + " " + noun + "s"
}

// checkLine is the last check's and the last round trip's outcome, how long ago, and the token's
// expiry (left out when it does not fit and is no warning).
func (p *picker) checkLine(name string, cfg *config.Credential, w int) string {
	s := p.c.styles
	if _, busy := p.testing[name]; busy {
		return p.spin.View() + " " + s.dim.Render("checking…")
	}
	if cfg.LastCheck == nil && cfg.LastDeep == nil {
		return s.dim.Render("never checked · press t to test, r for a round trip")
	}
	now := p.c.now()
	var parts []string
	if r := cfg.LastCheck; r != nil {
		parts = append(parts, p.recordOutcome("last check", r, now))
	}
	if r := cfg.LastDeep; r != nil {
		parts = append(parts, p.recordOutcome("round trip", r, now))
	}
	latest := cfg.Latest()
	sep := s.dim.Render(" · ")
	if note, warn := ExpiryNote(latest.ExpiresAt, now); note != "" {
		if warn {
			parts = append(parts, s.warn.Render(providers.Warn.Mark()+" "+note))
		} else if line := strings.Join(append(parts, s.dim.Render(note)), sep); lipgloss.Width(line) <= w {
			parts = append(parts, s.dim.Render(note))
		}
	}
	return truncateStyled(strings.Join(parts, sep), w)
}

// recordOutcome is how a check record (what: "last check", "round trip") ended, and how long ago.
func (p *picker) recordOutcome(what string, r *config.CheckRecord, now time.Time) string {
	s := p.c.styles
	outcome := s.pass.Render(what + " passed")
	if n := providers.Warnings(r); r.OK && n > 0 {
		outcome = s.warn.Render(what + " passed with " + plural(n, "warning"))
	}
	if !r.OK {
		outcome = s.fail.Render(what + " FAILED")
	}
	return outcome + " " + s.dim.Render(Ago(r.At, now))
}

// footer is the notice or question ("" when there is none) and the help.
func (p *picker) footer(w, fixed int) (msg, help string) {
	s := p.c.styles
	switch {
	case p.which != nil:
		msg = p.whichView(w, p.questionRoom(w, fixed))
	case p.ask != nil:
		text := wrapText(p.askText(), w)
		if p.ask.planning {
			text = wrapText(p.askText(), w-2)
			msg = p.spin.View() + " " + s.dim.Render(text)
		} else {
			msg = s.prompt.Render(text)
		}
	case p.yn != nil:
		msg = p.yn.q.view(s, w, p.questionRoom(w, fixed))
	case p.notice != "":
		st := s.msgInfo
		if p.isErr {
			st = s.msgError
		}
		msg = st.Render(wrapText(p.notice, w))
	}
	h := p.c.help
	if p.full {
		return msg, wrappedFullHelp(h, p.FullHelp(), w) // every key, on as many rows as it takes
	}
	h.SetWidth(w)
	return msg, h.View(p)
}

// questionRoom is how many lines a question may take: what the rows that never give way (fixed)
// and the help leave, at least two. The question's answers always show: its text gives way.
func (p *picker) questionRoom(w, fixed int) int {
	h := p.c.help
	h.SetWidth(w)
	h.ShowAll = p.full
	return max(p.height-fixed-lineCount(h.View(p)), 2)
}

// padRight pads a (possibly styled) string to width cells.
func padRight(str string, width int) string {
	if n := lipgloss.Width(str); n < width {
		return str + strings.Repeat(" ", width-n)
	}
	return str + " "
}
