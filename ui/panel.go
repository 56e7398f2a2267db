package ui

import (
	"context"
	"errors"
	"gitopscfg/config/safe"
	"strings"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"gitopscfg/forms"
	"gitopscfg/providers"
)

// panelState is where the live check stands: idle → waiting (typing) → checking → done, or invalid
// when the fields do not even have the right format (then nothing is sent).
type panelState int

const (
	panelIdle panelState = iota
	panelWaiting
	panelInvalid
	panelChecking
	panelDone
)

// debounceMsg fires when the admin paused typing; seq says after which edit.
type debounceMsg struct{ seq int }

// checkDoneMsg is a live check's reply; seq says which check it answers.
type checkDoneMsg struct {
	seq    int
	result providers.Result
}

// panel runs the provider's live check on the editor's draft and shows the checklist.
type panel struct {
	c       *common
	state   panelState
	seq     int // sequence of the latest edit or check; replies with another are stale
	cancel  context.CancelFunc
	creds   providers.Credentials // what is (or was last) being checked
	result  providers.Result
	invalid []string
	spin    spinner.Model
	// known is the user id the last check of the stored credentials knownFor learned: a check of
	// exactly those sends GitLab's membership look-up with /user (one wave instead of two).
	known    int64
	knownFor providers.Credentials
}

func newPanel(c *common) *panel { return &panel{c: c, spin: c.newSpinner()} }

// edited notes that the draft changed: a check in flight is cancelled and its reply will be
// dropped, and a new one starts once the admin pauses typing.
func (p *panel) edited() tea.Cmd {
	p.stop()
	p.seq++
	p.state = panelWaiting
	seq := p.seq
	return tea.Tick(p.c.debounce, func(_ time.Time) tea.Msg { return debounceMsg{seq: seq} })
}

// stop cancels the check in flight, if any.
func (p *panel) stop() {
	if p.cancel != nil {
		p.cancel()
		p.cancel = nil
	}
}

// start checks creds now (after a pause, on opening an existing provider, or on request).
func (p *panel) start(creds providers.Credentials) tea.Cmd {
	p.stop()
	p.seq++
	norm, err := forms.Credentials(creds)
	if err != nil {
		p.state = panelInvalid
		p.invalid = fieldErrors(err)
		return nil
	}
	p.state = panelChecking
	p.creds = norm
	ctx, cancel := context.WithCancel(p.c.ctx)
	p.cancel = cancel
	var known int64
	if norm == p.knownFor {
		known = p.known
	}
	seq, b := p.seq, p.c.backend()
	run := func() tea.Msg { return checkDoneMsg{seq: seq, result: b.CheckDraft(ctx, norm, known)} }
	return tea.Batch(guard(run), p.spin.Tick)
}

func fieldErrors(err error) []string {
	var out []string
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		for _, e := range joined.Unwrap() {
			out = append(out, e.Error())
		}
		return out
	}
	return []string{err.Error()}
}

// passedFor reports whether the last check passed for exactly these (normalised) credentials.
func (p *panel) passedFor(creds providers.Credentials) bool {
	return p.state == panelDone && p.result.OK && p.creds == creds
}

func (p *panel) Update(msg tea.Msg, draft providers.Credentials) tea.Cmd {
	switch msg := msg.(type) {
	case debounceMsg:
		if msg.seq != p.seq {
			return nil // more typing since
		}
		return p.start(draft)
	case checkDoneMsg:
		if msg.seq != p.seq {
			return nil // stale: the draft changed since this check started
		}
		p.cancel = nil
		p.state = panelDone
		p.result = msg.result
	case spinner.TickMsg:
		if p.state != panelChecking {
			return nil
		}
		var cmd tea.Cmd
		p.spin, cmd = p.spin.Update(msg)
		return cmd
	}
	return nil
}

// View renders the panel's content in w cells and at most h lines.
func (p *panel) View(w, h int) string {
	s := p.c.styles
	inner := max(w-4, 10)
	var b strings.Builder
	b.WriteString(s.panelTitle.Render("Live check") + "\n")
	switch p.state {
	case panelIdle:
		b.WriteString(s.dim.Render(wrapText("Fill in the fields: the credentials are checked against the provider as soon as you pause typing.", inner)))
	case panelWaiting:
		b.WriteString(s.dim.Render(wrapText("Waiting for you to pause typing…", inner)))
	case panelInvalid:
		b.WriteString(s.warn.Render("Not checked yet: fix the fields first.") + "\n")
		for _, e := range p.invalid {
			b.WriteString(s.warn.Render(providers.Warn.Mark()+" ") + hangingWrap(e, inner, 2) + "\n")
		}
	case panelChecking:
		b.WriteString(p.spin.View() + " " + wrapText("Checking "+safe.Text(p.creds.Host)+" …", inner-2))
	case panelDone:
		b.WriteString(p.summary() + "\n")
		b.WriteString(p.checklist(inner, max(h-4, 1)))
	}
	out := strings.TrimRight(b.String(), "\n")
	return box(clampLines(out, max(h-2, 1)), w, s.border)
}

// box draws a rounded border w cells wide around content (already wrapped to w-4 cells), with one
// cell of padding each side: lipgloss would wrap and measure it all again.
func box(content string, w int, border lipgloss.Style) string {
	inner := max(w-4, 1)
	var b strings.Builder
	b.WriteString(border.Render("╭" + strings.Repeat("─", w-2) + "╮"))
	side := border.Render("│")
	for _, l := range strings.Split(content, "\n") {
		lw := ansi.StringWidth(l)
		if lw > inner {
			l, lw = ansi.Truncate(l, inner, "…"), inner
		}
		b.WriteString("\n" + side + " " + l + strings.Repeat(" ", inner-lw) + " " + side)
	}
	b.WriteString("\n" + border.Render("╰"+strings.Repeat("─", w-2)+"╯"))
	return b.String()
}

// checklist renders the checks in their stable order; when they do not fit in room lines, the
// failures and warnings go first and the rest is counted.
func (p *panel) checklist(w, room int) string {
	lines := make([]string, len(p.result.Checks))
	total := 0
	for i, c := range p.result.Checks {
		lines[i] = p.line(c, w)
		total += strings.Count(lines[i], "\n") + 1
	}
	if total <= room {
		return strings.Join(lines, "\n")
	}
	var out []string
	used, shown := 0, 0
	for _, st := range []providers.Status{providers.Fail, providers.Warn, providers.Pass, providers.Skip} {
		for i, c := range p.result.Checks {
			if c.Status != st {
				continue
			}
			line, n := lines[i], strings.Count(lines[i], "\n")+1
			if used+n > room-1 {
				// A failure or warning is never hidden behind passes: it is shown cut to the room
				// left (the wider layout shows it whole).
				left := room - 1 - used
				if (st != providers.Fail && st != providers.Warn) || left < 1 {
					continue
				}
				line, n = clampLines(line, left)+"…", left
			}
			out = append(out, line)
			used += n
			shown++
		}
	}
	more := len(p.result.Checks) - shown
	if more > 0 {
		out = append(out, p.c.styles.dim.Render("… "+itoa(more)+" more: a larger terminal shows them all"))
	}
	return strings.Join(out, "\n")
}

func (p *panel) summary() string {
	s := p.c.styles
	r := p.result
	if r.OK {
		msg := "All checks passed"
		if r.User != "" {
			msg += " · " + safe.Text(r.User)
		}
		return s.pass.Render(msg)
	}
	if _, net := r.Find(providers.CheckNetwork); net {
		return s.fail.Render("Could not reach the provider")
	}
	var ids []string
	for _, c := range r.Checks {
		if c.Status == providers.Fail {
			ids = append(ids, safe.Text(c.ID))
		}
	}
	return s.fail.Render(failSummary(r) + ": " + strings.Join(ids, ", "))
}

// line renders one check: its mark, id and message, wrapped.
func (p *panel) line(c providers.Check, w int) string { return checkLine(p.c.styles, c, "", w) }

// checkLine renders a finished check: its mark (✓ pass, ✗ fail, ! warn, – skip), id, message and
// suffix (e.g. its duration), wrapped to w cells under a two-cell indent. The id and message may
// hold what a server sent: they are made safe to show here (safe.Text), for every screen.
func checkLine(s styles, c providers.Check, suffix string, w int) string {
	mark, st := checkMark(s, c.Status)
	return st.Render(mark) + " " + hangingWrap(safe.Text(c.ID+": "+c.Message+suffix), w, 2)
}

// checkMark is the mark of a check's status and the style it is drawn in.
func checkMark(s styles, status providers.Status) (string, lipgloss.Style) {
	switch status {
	case providers.Pass:
		return status.Mark(), s.pass
	case providers.Fail:
		return status.Mark(), s.fail
	case providers.Warn:
		return status.Mark(), s.warn
	case providers.Skip:
		return status.Mark(), s.skip
	}
	return status.Mark(), s.dim
}
