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
	// pending is what the check left to do once its result was known (panel_later.go).
	pending providers.Pending
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
	scroll  scroller // how far the checklist is scrolled (scroll.go)
	// known is the user id the last check of the stored credentials knownFor learned: a check of
	// exactly those sends GitLab's membership look-up with /user (one wave instead of two).
	known    int64
	knownFor providers.Credentials
	// note is the warning of what an earlier check left to do (panel_later.go), shown last.
	note string
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
	run := func() tea.Msg {
		r, pending := b.CheckDraftLater(ctx, norm, known) // shown at once; pending runs next (panel_later.go)
		return checkDoneMsg{seq: seq, result: r, pending: pending}
	}
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
		later := p.finishLater(msg)
		if msg.seq != p.seq {
			return later // stale: the draft changed since this check started
		}
		p.cancel = nil
		p.state = panelDone
		p.result = msg.result
		p.scroll.top()
		return later
	case revokedMsg:
		p.revoked(msg)
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

// View renders the panel in w cells and at most h lines: its title and, once the check is done,
// its headline stay in place; what is under them scrolls (scroll.go) when it does not fit.
func (p *panel) View(w, h int) string {
	s := p.c.styles
	head, body := p.content(w, h)
	room := max(h-2-len(head), 1)
	lines := append(head, p.scroll.window(body, room, max(w-4, 10), s.dim)...)
	return box(clampLines(strings.Join(lines, "\n"), max(h-2, 1)), w, s.border)
}

// bodySize is how many lines the scrolling part of the panel has, and how many it is shown in,
// at w × h cells.
func (p *panel) bodySize(w, h int) (total, room int) {
	head, body := p.content(w, h)
	return len(body), max(h-2-len(head), 1)
}

// content is the panel's lines at w × h cells: the fixed ones (title, headline) and those that
// scroll.
func (p *panel) content(w, h int) (head, body []string) {
	s := p.c.styles
	inner := max(w-4, 10)
	head = []string{s.panelTitle.Render("Live check")}
	var b strings.Builder
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
		head = append(head, p.summary())
		if px := proxyHost(p.result); px != "" {
			head = append(head, s.dim.Render(truncateLinked("via the proxy "+px, inner, "…")))
		}
		b.WriteString(p.checklist(inner, max(h-2-len(head), 1)))
	}
	if p.note != "" {
		b.WriteString("\n" + s.warn.Render(providers.Warn.Mark()+" ") + hangingWrap(p.note, inner, 2))
	}
	out := strings.TrimRight(b.String(), "\n")
	if out == "" {
		return head, nil
	}
	return head, strings.Split(out, "\n")
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
			l, lw = truncateLinked(l, inner, "…"), inner
		}
		b.WriteString("\n" + side + " " + l + strings.Repeat(" ", inner-lw) + " " + side)
	}
	b.WriteString("\n" + border.Render("╰"+strings.Repeat("─", w-2)+"╯"))
	return b.String()
}

// checklist renders the checks in their stable order; when they do not fit in room lines, the
// failures and warnings come first (the rest is a scroll away).
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
	out := make([]string, 0, len(lines))
	for _, st := range []providers.Status{providers.Fail, providers.Warn, providers.Pass, providers.Skip} {
		for i, c := range p.result.Checks {
			if c.Status == st {
				out = append(out, lines[i])
			}
		}
	}
	for i, c := range p.result.Checks { // any other status, last
		switch c.Status {
		case providers.Fail, providers.Warn, providers.Pass, providers.Skip:
		default:
			out = append(out, lines[i])
		}
	}
	return strings.Join(out, "\n")
}

func (p *panel) summary() string {
	s := p.c.styles
	r := p.result
	if r.OK {
		msg, st := passedHeadline(r), s.pass
		if warningCount(r) > 0 {
			st = s.warn
		}
		if r.User != "" {
			msg += " · " + safe.Text(r.User)
		}
		return st.Render(msg)
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

// warningCount counts the checks of a result that passed with a warning.
func warningCount(r providers.Result) int {
	n := 0
	for _, c := range r.Checks {
		if c.Status == providers.Warn {
			n++
		}
	}
	return n
}

// passedHeadline is the headline of a result that passed: "All checks passed", or, when some
// checks warn, "Passed with 2 warnings" (never "all passed" above lines that warn).
func passedHeadline(r providers.Result) string {
	if n := warningCount(r); n > 0 {
		return "Passed with " + plural(n, "warning")
	}
	return "All checks passed"
}

// withWarnings is what follows "passed" for a result: "" or " with 2 warnings".
func withWarnings(r providers.Result) string {
	if n := warningCount(r); n > 0 {
		return " with " + plural(n, "warning")
	}
	return ""
}

// retestAll tallies a re-test of every stored credential (the picker's T): its notice sums up
// all of them, never only the last to finish, so that it never names a credential the cursor is
// not on as if it were the selected one.
type retestAll struct {
	order   []string          // the credentials re-tested, in the picker's order
	labels  map[string]string // their names in prose
	pending map[string]bool
	passed  int
	warned  int
	failed  map[string]bool
	unrec   map[string]bool // the result could not be recorded
	// noun is what the notice calls them: "provider", or "credential" once one is not named after
	// its provider
	noun string
}

// newRetestAll starts a tally of the re-tests in flight (credential → sequence), rows being the
// picker's.
func newRetestAll(testing map[string]int, rows []entry) *retestAll {
	a := &retestAll{labels: map[string]string{}, pending: map[string]bool{}, failed: map[string]bool{}, unrec: map[string]bool{}, noun: "provider"}
	for _, e := range rows {
		if _, ok := testing[e.credential()]; !ok || e.name == "" {
			continue
		}
		a.order = append(a.order, e.name)
		a.labels[e.name] = e.label()
		a.pending[e.name] = true
		if e.name != string(e.p.ID) {
			a.noun = "credential"
		}
	}
	return a
}

// tally counts a recorded re-test (err: it was not recorded) and returns the notice to show, or
// ok false when the re-test is not one of the tally's (a nil tally has none).
func (a *retestAll) tally(name string, r providers.Result, err error) (notice string, isErr, ok bool) {
	if a == nil || !a.pending[name] {
		return "", false, false
	}
	delete(a.pending, name)
	switch {
	case err != nil:
		a.unrec[name] = true
	case r.OK && warningCount(r) > 0:
		a.warned++
	case r.OK:
		a.passed++
	default:
		a.failed[name] = true
	}
	notice, isErr = a.notice()
	return notice, isErr, true
}

// notice is "5 re-tested: 3 passed, 1 passed with warnings, 1 failed (GitLab)", or while some
// still run, "re-testing 5 providers: 2 done (…), 3 running".
func (a *retestAll) notice() (string, bool) {
	var parts []string
	if a.passed > 0 {
		parts = append(parts, itoa(a.passed)+" passed")
	}
	if a.warned > 0 {
		parts = append(parts, itoa(a.warned)+" passed with warnings")
	}
	if len(a.failed) > 0 {
		parts = append(parts, itoa(len(a.failed))+" failed ("+a.namesOf(a.failed)+")")
	}
	if len(a.unrec) > 0 {
		parts = append(parts, itoa(len(a.unrec))+" not recorded ("+a.namesOf(a.unrec)+")")
	}
	isErr := len(a.failed) > 0 || len(a.unrec) > 0
	all := len(a.order)
	if left := len(a.pending); left > 0 {
		return "re-testing " + plural(all, a.noun) + ": " + itoa(all-left) + " done (" + strings.Join(parts, ", ") + "), " +
			itoa(left) + " running", isErr
	}
	return itoa(all) + " re-tested: " + strings.Join(parts, ", "), isErr
}

// namesOf names the credentials of set in the picker's order.
func (a *retestAll) namesOf(set map[string]bool) string {
	var names []string
	for _, name := range a.order {
		if set[name] {
			names = append(names, a.labels[name])
		}
	}
	return strings.Join(names, ", ")
}
