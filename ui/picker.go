package ui

import (
	"gitopscfg/config/safe"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// quitMsg asks the root to end the session.
type quitMsg struct{}

// openEditorMsg asks the root to open the editor of a provider.
type openEditorMsg struct {
	id providers.ID
}

// picker lists the four providers with their state and acts on the selected one.
type picker struct {
	size
	c       *common
	data    *config.Data
	cursor  int
	seq     int
	testing map[providers.ID]int // provider → sequence of its re-test in flight
	all     *retestAll           // the tally of the last re-test of all (T), summed up in the notice
	spin    spinner.Model
	full    bool // full help shown
	// yn is the y/N question asked before acting on a provider (nil: none).
	yn     *pickerQuestion
	notice string
	isErr  bool
	// Devtron: what the picker knows of the instance (devtron.go), the provider whose push runs,
	// the push waiting for an answer.
	dv      devtronView
	pushing providers.ID
	ask     *pushAsk
	// rot is the rotation of a provider's token (R), a screen of its own shown in the list's
	// place, from the moment it opens until the admin leaves it (the root routes to it).
	rot *rotateScreen
}

// pickerQuestion is a question the picker asks before it acts on provider id.
type pickerQuestion struct {
	q   *confirm
	id  providers.ID
	act pickerAct
}

// pickerAct is what a yes to the picker's question does.
type pickerAct int

const (
	actRemove    pickerAct = iota // d: remove the provider and its token
	actRoundTrip                  // r: run the round trip (it creates and deletes a repository)
)

func newPicker(c *common) *picker {
	return &picker{c: c, testing: map[providers.ID]int{}, spin: c.newSpinner(), dv: devtronView{rev: -1}}
}

func (p *picker) selected() providers.Provider { return providers.All()[p.cursor] }

func (p *picker) configured(id providers.ID) *config.Credential {
	if p.data == nil {
		return nil
	}
	return p.data.Credentials[string(id)]
}

// setData shows a new state of the store, selecting the active provider on first show.
func (p *picker) setData(d *config.Data) {
	first := p.data == nil
	p.data = d
	if first && d.Active != "" {
		for i, id := range providers.IDs {
			if string(id) == d.Active {
				p.cursor = i
			}
		}
	}
}

func (p *picker) say(notice string, isErr bool) { p.notice, p.isErr = notice, isErr }

func (p *picker) Init() tea.Cmd { return nil }

func (p *picker) Update(msg tea.Msg) (screen, tea.Cmd) { return p, p.update(msg) }

func (p *picker) update(msg tea.Msg) tea.Cmd {
	if cmd, ok := p.devtronUpdate(msg); ok {
		return cmd
	}
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if len(p.testing) == 0 && p.pushing == "" && (p.ask == nil || !p.ask.planning) {
			return nil
		}
		var cmd tea.Cmd
		p.spin, cmd = p.spin.Update(msg)
		return cmd
	case retestedMsg:
		if p.testing[msg.id] != msg.seq {
			return nil // superseded: a newer re-test of this provider is running; this result is not kept
		}
		return recordRetestCmd(p.c.ctx, p.c.store, p.c.opts.Who, msg)
	case retestMsg:
		if p.testing[msg.id] != msg.seq {
			return nil // superseded while it was being recorded
		}
		delete(p.testing, msg.id)
		name := providers.MustLookup(msg.id).Name
		switch {
		case msg.err == errStale:
			p.say(name+" changed during the re-test; its result was not recorded", true)
		case msg.err != nil:
			p.say("could not record the result of "+name+": "+msg.err.Error(), true)
		default:
			p.data = msg.data
			if n := warnings(msg.result.Record(p.c.now(), false)); msg.result.OK && n > 0 {
				p.say(name+": passed with "+plural(n, "warning")+" (enter to see them)", false)
			} else if msg.result.OK {
				p.say(name+": all checks passed", false)
			} else {
				p.say(name+": "+failSummary(msg.result)+" (enter to see and fix)", true)
			}
		}
		if notice, isErr, ok := p.all.tally(msg.id, msg.result, msg.err); ok {
			p.say(notice, isErr) // T: a summary of all, whichever finished last
		}
		return nil
	case changedMsg:
		if msg.err != nil {
			p.say(msg.err.Error(), true)
			if p.c.store != nil {
				return loadCmd(p.c.store)
			}
			return nil
		}
		p.data = msg.data
		p.say(msg.notice, false)
		return nil
	case tea.KeyPressMsg:
		return p.key(msg)
	}
	return nil
}

func (p *picker) key(msg tea.KeyPressMsg) tea.Cmd {
	k := p.c.keys.picker
	if p.ask != nil {
		return p.answerPush(msg)
	}
	if p.yn != nil {
		return p.answer(msg)
	}
	sel := p.selected()
	switch {
	case key.Matches(msg, k.Up):
		p.cursor = (p.cursor + len(providers.IDs) - 1) % len(providers.IDs)
	case key.Matches(msg, k.Down):
		p.cursor = (p.cursor + 1) % len(providers.IDs)
	case key.Matches(msg, k.Quit):
		return func() tea.Msg { return quitMsg{} }
	case key.Matches(msg, k.Help):
		p.full = !p.full
	case key.Matches(msg, k.Edit):
		return func() tea.Msg { return openEditorMsg{id: sel.ID} }
	case key.Matches(msg, k.Activate):
		switch {
		case p.configured(sel.ID) == nil:
			p.say(sel.Name+" is not configured yet: press enter to set it up first", true)
		case p.data.Active == string(sel.ID):
			p.say(sel.Name+" is already the active provider", false)
		default:
			return activateCmd(p.c.ctx, p.c.store, p.c.opts.Who, sel.ID, sel.Name)
		}
	case key.Matches(msg, k.Test):
		if p.configured(sel.ID) == nil {
			p.say(sel.Name+" is not configured yet: nothing to test", true)
			return nil
		}
		return p.retest(sel.ID)
	case key.Matches(msg, k.TestAll):
		var cmds []tea.Cmd
		for _, id := range providers.IDs {
			if p.configured(id) != nil {
				cmds = append(cmds, p.retest(id))
			}
		}
		p.all = newRetestAll(p.testing)
		if len(cmds) == 0 {
			p.say("no provider is configured yet: press enter to set one up", true)
		}
		return tea.Batch(cmds...)
	case key.Matches(msg, k.RoundTrip):
		cfg := p.configured(sel.ID)
		if cfg == nil {
			p.say(sel.Name+" is not configured yet: nothing to test", true)
			return nil
		}
		p.notice = ""
		if p.c.opts.SkipRoundTripConfirm {
			return p.roundTrip(sel.ID)
		}
		p.yn = &pickerQuestion{id: sel.ID, act: actRoundTrip, q: newConfirm(p.c.keys.confirm,
			"Round trip of "+sel.Name+": it creates and deletes a private throw-away repository in "+sel.OrgNoun+" "+
				safe.Text(cfg.Org)+". Go on?")}
	case key.Matches(msg, k.Push):
		return p.startPush(sel)
	case key.Matches(msg, k.Rotate):
		return p.startRotate(sel)
	case key.Matches(msg, k.Remove):
		if p.configured(sel.ID) == nil {
			p.say(sel.Name+" is not configured: nothing to remove", true)
			return nil
		}
		p.yn = &pickerQuestion{id: sel.ID, act: actRemove, q: newConfirm(p.c.keys.confirm, "Remove "+sel.Name+" and its token from the store?")}
		p.notice = ""
	}
	return nil
}

// answer takes the answer to the picker's question.
func (p *picker) answer(msg tea.KeyPressMsg) tea.Cmd {
	a := p.yn
	r, ok := a.q.answer(msg)
	if !ok {
		return nil
	}
	p.yn = nil
	name := providers.MustLookup(a.id).Name
	switch {
	case a.act == actRemove && r == replyYes:
		return removeCmd(p.c.ctx, p.c.store, p.c.opts.Who, p.data.Revision, a.id, name)
	case a.act == actRemove:
		p.say("nothing was removed", false)
	case r == replyYes:
		return p.roundTrip(a.id)
	default:
		p.say("no round trip: nothing was created", false)
	}
	return nil
}

// roundTrip opens the round trip of provider id's stored credentials.
func (p *picker) roundTrip(id providers.ID) tea.Cmd {
	cfg := p.configured(id)
	if cfg == nil {
		p.say(providers.MustLookup(id).Name+" is not configured any more (another writer removed it)", true)
		return nil
	}
	creds := providers.FromConfig(id, cfg)
	return func() tea.Msg { return roundTripMsg{creds: creds, stored: true} }
}

// startRotate answers R on the selected provider: the root opens its rotation.
func (p *picker) startRotate(sel providers.Provider) tea.Cmd {
	switch {
	case p.configured(sel.ID) == nil:
		p.say(sel.Name+" is not configured yet: nothing to rotate", true)
		return nil
	case p.pushing != "":
		p.say("a push to Devtron is running: rotate once it is done", true)
		return nil
	}
	p.notice = ""
	return func() tea.Msg { return rotateMsg{id: sel.ID} }
}

// retest starts a re-test of a stored provider.
func (p *picker) retest(id providers.ID) tea.Cmd {
	p.seq++
	start := len(p.testing) == 0
	p.testing[id] = p.seq
	p.notice = ""
	cfg := p.configured(id)
	creds := providers.FromConfig(id, cfg)
	cmd := retestCmd(p.c.ctx, p.c.opts.Env, p.c.check, p.seq, creds, providers.KnownUserID(cfg), p.c.now)
	if start {
		return tea.Batch(cmd, p.spin.Tick)
	}
	return cmd
}

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
	s := p.c.styles
	w := p.width
	rows := []row{
		{text: s.title.Render("gitopscfg") + s.subtitle.Render(" · Global Configurations › GitOps")},
		{text: s.dim.Render(truncate("Git credentials of the GitOps platform · ✓ marks the active provider", w)), drop: 3},
	}
	if dl := p.devtronLine(w); dl != "" {
		for _, l := range strings.Split(dl, "\n") {
			rows = append(rows, row{text: l})
		}
	}
	rows = append(rows, row{drop: 2})
	for i, pr := range providers.All() {
		if i > 0 {
			rows = append(rows, row{drop: 1})
		}
		rows = append(rows, p.item(i, pr, w)...)
	}
	fixed := 0 // the rows that never give way: what is left is a question's room
	for _, r := range rows {
		if r.drop == 0 {
			fixed++
		}
	}
	msg, help := p.footer(w, fixed)
	return fitScreen(rows, strings.Split(msg, "\n"), help, p.height)
}

// row is one line of a screen's body; drop says how early it gives way when the screen is too
// short for the body and the footer (0: never; 1 first).
type row struct {
	text string
	drop int
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

// item is a provider's rows: its name, state and state in Devtron; where it is; its checks.
func (p *picker) item(i int, pr providers.Provider, w int) []row {
	s := p.c.styles
	cfg := p.configured(pr.ID)
	sel := i == p.cursor
	cur := "  "
	if sel {
		cur = s.cursor.Render("› ")
	}
	mark := "  "
	if p.data != nil && p.data.Active == string(pr.ID) {
		mark = s.active.Render("✓ ")
	}
	name := pr.Name
	if sel {
		name = s.selected.Render(name)
	}
	badge := s.badgeOff.Render("not configured")
	if cfg != nil {
		badge = s.badgeOn.Render("configured")
		if p.data.Active == string(pr.ID) {
			badge = s.active.Render("active") + s.dim.Render(" · ") + badge
		}
	}
	line1 := truncateStyled(cur+mark+padRight(name, 18)+badge+p.devtronBadge(pr.ID), w)
	indent := "      "
	if cfg == nil {
		return []row{{text: line1}, {text: indent + s.dim.Render(truncate("not set up yet · press enter to configure it", w-len(indent))), drop: 2}}
	}
	where := safe.Text(cfg.Host) + " · " + pr.OrgNoun + " " + safe.Text(cfg.Org)
	if cfg.ProjectKey != "" {
		where += " / " + cfg.ProjectKey
	}
	if cfg.Username != "" {
		where += " · " + safe.Text(cfg.Username)
	}
	return []row{{text: line1}, {text: indent + truncate(where, w-len(indent))}, {text: indent + p.checkLine(pr.ID, cfg, w-len(indent))}}
}

// warnings counts the checks of a record that passed with a warning.
func warnings(r *config.CheckRecord) int {
	n := 0
	for _, c := range r.Checks {
		if c.Status == string(providers.Warn) {
			n++
		}
	}
	return n
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
func (p *picker) checkLine(id providers.ID, cfg *config.Credential, w int) string {
	s := p.c.styles
	if _, busy := p.testing[id]; busy {
		return p.spin.View() + " " + s.dim.Render("checking…")
	}
	if cfg.LastCheck == nil && cfg.LastDeep == nil {
		return s.dim.Render("never checked · press t to test, r for a round trip")
	}
	now := p.c.now()
	var parts []string
	if r := cfg.LastCheck; r != nil {
		outcome := s.pass.Render("last check passed")
		if n := warnings(r); r.OK && n > 0 {
			outcome = s.warn.Render("last check passed with " + plural(n, "warning"))
		}
		if !r.OK {
			outcome = s.fail.Render("last check FAILED")
		}
		parts = append(parts, outcome+" "+s.dim.Render(Ago(r.At, now)))
	}
	if r := cfg.LastDeep; r != nil {
		outcome := s.pass.Render("round trip passed")
		if n := warnings(r); r.OK && n > 0 {
			outcome = s.warn.Render("round trip passed with " + plural(n, "warning"))
		}
		if !r.OK {
			outcome = s.fail.Render("round trip FAILED")
		}
		parts = append(parts, outcome+" "+s.dim.Render(Ago(r.At, now)))
	}
	latest := cfg.LastCheck
	if latest == nil || (cfg.LastDeep != nil && cfg.LastDeep.At.After(latest.At)) {
		latest = cfg.LastDeep
	}
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

// footer is the notice or question ("" when there is none) and the help.
func (p *picker) footer(w, fixed int) (msg, help string) {
	s := p.c.styles
	switch {
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

// keys are the bindings the picker answers to now: the answers while it asks a question.
func (p *picker) keys() help.KeyMap {
	if a := p.ask; a != nil {
		return p.c.keys.pushAnswers(a.planning, a.switches, a.present, a.from)
	}
	if p.yn != nil {
		return p.yn.q
	}
	return p.c.keys.picker
}

func (p *picker) ShortHelp() []key.Binding  { return p.keys().ShortHelp() }
func (p *picker) FullHelp() [][]key.Binding { return p.keys().FullHelp() }

// padRight pads a (possibly styled) string to width cells.
func padRight(str string, width int) string {
	if n := lipgloss.Width(str); n < width {
		return str + strings.Repeat(" ", width-n)
	}
	return str + " "
}
