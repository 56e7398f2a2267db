package ui

import (
	"image/color"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"gitopscfg/config"
	"gitopscfg/forms"
	"gitopscfg/providers"
)

// editorState: editing, or one question or save in flight.
type editorState int

const (
	editing editorState = iota
	askSaveAnyway
	askDiscard
	saving
	askActivate
)

// closeEditorMsg asks the root to go back to the picker.
type closeEditorMsg struct {
	notice string
	isErr  bool
	quit   bool
}

// createSpec makes the editor create the store on save (the first-run wizard).
type createSpec struct{ passphrase string }

// sideBySideMin is the width from which the panel sits beside the form instead of below it.
const sideBySideMin = 100

// editor is one provider's huh form, bound to a draft, with the live check panel.
type editor struct {
	size
	// fit bounds the fields' help to the room the form has (read by the form as it renders).
	fit   forms.HelpFit
	c     *common
	p     providers.Provider
	draft *providers.Credentials
	orig  providers.Credentials
	last  providers.Credentials // the draft as of the last form update
	form  *huh.Form
	panel *panel
	// deep is a round trip of an unsaved draft: stored with the credentials when exactly those are saved.
	deep     *deepOutcome
	base     int64 // the store revision this edit started from
	create   *createSpec
	isActive bool
	stored   bool // the provider is configured: its stored credentials are checked on opening
	state    editorState
	quitting bool // a discard question that came from ctrl+c
	// q is the question asked in the ask* states.
	q      *confirm
	notice string
	isErr  bool
}

func newEditor(c *common, p providers.Provider, data *config.Data, create *createSpec) *editor {
	var cfg *config.Credential
	e := &editor{c: c, p: p, create: create, panel: newPanel(c)}
	if data != nil {
		cfg = data.Credentials[string(p.ID)]
		e.base = data.Revision
		e.isActive = data.Active == string(p.ID)
	}
	creds := providers.FromConfig(p.ID, cfg)
	if cfg == nil {
		creds = c.opts.startingCredentials(p)
	}
	e.draft = &creds
	e.orig, e.last = creds, creds
	e.stored = cfg != nil
	if norm, err := forms.Credentials(creds); err == nil && cfg != nil {
		e.panel.known, e.panel.knownFor = providers.KnownUserID(cfg), norm
	}
	return e
}

// Init builds the form (once the editor has its size) and checks the stored credentials.
func (e *editor) Init() tea.Cmd {
	cmds := []tea.Cmd{e.newForm()}
	if e.stored {
		cmds = append(cmds, e.panel.start(*e.draft))
	}
	return tea.Batch(cmds...)
}

// newForm builds a fresh form on the draft (huh forms are one-shot) and sizes it.
func (e *editor) newForm() tea.Cmd {
	e.fit = e.helpFit()
	e.form = forms.New(e.p, e.draft, forms.FitHelp(e.fit)).WithTheme(formTheme()).WithShowHelp(false).WithShowErrors(false)
	e.layout()
	cmds := []tea.Cmd{e.form.Init()}
	e.forward(tea.BackgroundColorMsg{Color: bgColor(e.c.dark)})
	return tea.Batch(cmds...)
}

func bgColor(dark bool) color.Color {
	if dark {
		return color.Black
	}
	return color.White
}

// dims are the editor's regions for the current terminal size.
func (e *editor) dims() (formW, formH, panelW, panelH int, side bool) {
	w, h := e.width, e.height
	body := max(h-5, 6) // header line + blank; notice (up to 2 lines); help line
	if w >= sideBySideMin {
		formW = w * 55 / 100
		return formW, body, w - formW - 1, body, true
	}
	panelH = max(8, body/2)
	return w, body - panelH, w, panelH, false
}

func (e *editor) layout() {
	formW, formH, _, _, _ := e.dims()
	e.form.WithWidth(formW).WithHeight(max(formH-1, 4))
}

// helpFit is the room for each field's help, so that the field, input line included, fits on the
// screen when the form scrolls to it: 5 lines go to the form's and the field's titles, the input,
// and the blank lines between.
func (e *editor) helpFit() forms.HelpFit {
	formW, formH, _, _, _ := e.dims()
	return forms.HelpFit{Width: formW - 4, Lines: max(formH-1-5, 2)}
}

// resize lays the editor out again; when the room for help changed, the form is built anew (forms
// are one-shot) on the same draft, with the focus back on the field that had it.
func (e *editor) resize() tea.Cmd {
	if e.helpFit() == e.fit {
		e.layout()
		return nil
	}
	focused := ""
	if f := e.form.GetFocusedField(); f != nil {
		focused = f.GetKey()
	}
	cmd := e.newForm()
	for range 16 { // at most the number of fields
		f := e.form.GetFocusedField()
		if f == nil || f.GetKey() == focused {
			break
		}
		e.forward(e.form.NextField()())
	}
	return cmd
}

func (e *editor) forward(msg tea.Msg) tea.Cmd {
	m, cmd := e.form.Update(msg)
	if f, ok := m.(*huh.Form); ok {
		e.form = f
	}
	return cmd
}

func (e *editor) dirty() bool { return *e.draft != e.orig }

func (e *editor) say(notice string, isErr bool) { e.notice, e.isErr = notice, isErr }

func (e *editor) Update(msg tea.Msg) (screen, tea.Cmd) { return e, e.update(msg) }

func (e *editor) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		return e.resize()
	case tea.BackgroundColorMsg:
		return e.forward(msg)
	case debounceMsg, checkDoneMsg:
		return e.panel.Update(msg, *e.draft)
	case savedMsg:
		return e.saved(msg)
	case createdMsg:
		if msg.err != nil {
			e.state = editing
			e.say("could not create the store: "+msg.err.Error(), true)
		}
		return nil // the root takes over on success
	case changedMsg:
		if msg.err != nil {
			return closeWith("saved, but not activated: "+msg.err.Error(), true)
		}
		return closeWith("saved "+e.p.Name+"; "+msg.notice, false)
	case tea.KeyPressMsg:
		return e.key(msg)
	}
	// everything else (cursor blinks, spinner ticks, field updates) goes to both children
	return tea.Batch(e.panel.Update(msg, *e.draft), e.afterForm(e.forward(msg)))
}

func closeWith(notice string, isErr bool) tea.Cmd {
	return func() tea.Msg { return closeEditorMsg{notice: notice, isErr: isErr} }
}

// ask asks q in state (one of the ask* states).
func (e *editor) ask(state editorState, q *confirm) {
	e.state, e.q = state, q
}

// answer takes the answer to the question asked.
func (e *editor) answer(msg tea.KeyPressMsg) tea.Cmd {
	r, ok := e.q.answer(msg)
	if !ok {
		return nil
	}
	yes := r == replyYes
	state := e.state
	e.state, e.q = editing, nil
	switch {
	case state == askSaveAnyway && yes:
		return e.save()
	case state == askSaveAnyway:
		e.say("not saved: edit the fields, or press ctrl+s again", false)
	case state == askDiscard && yes:
		e.panel.stop()
		quit := e.quitting
		return func() tea.Msg { return closeEditorMsg{notice: "changes discarded", quit: quit} }
	case state == askActivate && yes:
		e.state = saving
		return activateCmd(e.c.ctx, e.c.store, e.c.opts.Who, e.p.ID, e.p.Name)
	case state == askActivate:
		return closeWith("saved "+e.p.Name, false)
	}
	return nil
}

func (e *editor) key(msg tea.KeyPressMsg) tea.Cmd {
	k := e.c.keys.editor
	switch e.state {
	case saving:
		return nil
	case askSaveAnyway, askDiscard, askActivate:
		return e.answer(msg)
	}
	if e.scrollKey(msg) { // the check panel scrolls (scroll.go)
		return nil
	}
	switch {
	case key.Matches(msg, k.Back), key.Matches(msg, k.Quit):
		e.quitting = key.Matches(msg, k.Quit)
		if e.dirty() {
			e.ask(askDiscard, newConfirm(e.c.keys.confirm, "Discard your unsaved changes to "+e.p.Name+"?"))
			return nil
		}
		e.panel.stop()
		quit := e.quitting
		return func() tea.Msg { return closeEditorMsg{quit: quit} }
	case key.Matches(msg, k.Save):
		return e.requestSave()
	case key.Matches(msg, k.Recheck):
		return e.panel.start(*e.draft)
	case key.Matches(msg, k.RoundTrip):
		return e.requestRoundTrip()
	}
	return e.afterForm(e.forward(msg))
}

// afterForm reacts to what the form did: a changed draft restarts the live check's pause, a
// completed form (enter on the last field) asks to save.
func (e *editor) afterForm(cmd tea.Cmd) tea.Cmd {
	cmds := []tea.Cmd{cmd}
	if *e.draft != e.last {
		e.last = *e.draft
		e.notice = ""
		cmds = append(cmds, e.panel.edited())
	}
	switch e.form.State {
	case huh.StateCompleted:
		cmds = append(cmds, e.newForm(), e.requestSave())
	case huh.StateAborted:
		cmds = append(cmds, e.newForm())
	}
	return tea.Batch(cmds...)
}

// requestRoundTrip opens the round-trip view on the draft, once its fields have the right format.
// Its result is recorded at once when the draft is what is stored, else kept for the save.
func (e *editor) requestRoundTrip() tea.Cmd {
	norm, err := forms.Credentials(*e.draft)
	if err != nil {
		e.say("cannot run the round trip yet: "+fieldErrors(err)[0], true)
		return nil
	}
	e.notice = ""
	stored := e.create == nil && e.orig.Token != "" && norm == e.orig
	return func() tea.Msg { return roundTripMsg{creds: norm, stored: stored} }
}

// keepRoundTrip keeps a finished round trip of the unsaved draft, to store with it on save.
func (e *editor) keepRoundTrip(out deepOutcome) { e.deep = &out }

// requestSave saves right away when the check passed for exactly this draft, else asks first.
func (e *editor) requestSave() tea.Cmd {
	norm, err := forms.Credentials(*e.draft)
	if err != nil {
		e.say("cannot save yet: "+fieldErrors(err)[0], true)
		return nil
	}
	if e.panel.passedFor(norm) {
		return e.save()
	}
	reason := "These credentials have not been checked."
	switch e.panel.state {
	case panelChecking, panelWaiting:
		reason = "The check has not finished."
	case panelDone:
		reason = "The check failed: " + failSummary(e.panel.result) + "."
	}
	e.ask(askSaveAnyway, newConfirm(e.c.keys.confirm, reason+" Save anyway?"))
	return nil
}

// save writes the draft (normalised) with the check result and the round trip that belong to it,
// if any.
func (e *editor) save() tea.Cmd {
	norm, err := forms.Credentials(*e.draft)
	if err != nil {
		e.say("cannot save: "+fieldErrors(err)[0], true)
		return nil
	}
	var result *providers.Result
	if e.panel.state == panelDone && e.panel.creds == norm {
		r := e.panel.result
		result = &r
	}
	var deep *deepOutcome
	if e.deep != nil && e.deep.creds == norm {
		deep = e.deep
	}
	e.state = saving
	e.notice = ""
	now := e.c.now()
	if e.create != nil {
		return createCmd(e.c.ctx, e.c.opts.ConfigDir, e.create.passphrase, e.c.opts.Who, norm, result, deep, now)
	}
	return saveCmd(e.c.ctx, e.c.store, e.c.opts.Who, e.base, norm, result, deep, false, now)
}

func (e *editor) saved(msg savedMsg) tea.Cmd {
	if msg.err != nil {
		e.state = editing
		if config.IsKind(msg.err, config.KindConflict) && msg.reloaded != nil {
			e.base = msg.reloaded.Revision
			e.say("Someone else saved the store while you were editing (it is now at revision "+itoa64(e.base)+
				"). Your edits are kept here: review them and press ctrl+s to save them on top.", true)
			return nil
		}
		e.say("not saved: "+msg.err.Error(), true)
		return nil
	}
	*e.draft = providers.FromConfig(e.p.ID, msg.data.Credentials[string(e.p.ID)])
	e.orig, e.last = *e.draft, *e.draft
	e.base = msg.data.Revision
	e.isActive = msg.data.Active == string(e.p.ID)
	passed := e.panel.passedFor(*e.draft)
	if passed && !e.isActive {
		e.ask(askActivate, newConfirm(e.c.keys.confirm, "Saved. Make "+e.p.Name+" the active provider?").withDefaultYes())
		return nil
	}
	if !passed {
		return closeWith("saved "+e.p.Name+", but its check did not pass: fix it soon", true)
	}
	return closeWith("saved "+e.p.Name, false)
}

func (e *editor) View() string {
	s := e.c.styles
	w := e.width
	formW, formH, panelW, panelH, side := e.dims()
	head := s.title.Render(e.p.Name) + s.subtitle.Render(" · "+e.subtitle())
	formView := e.formView(formW, formH)
	panelView := e.panel.View(panelW, panelH)
	var body string
	if side {
		body = besides(formView, formW, formH, panelView)
	} else {
		body = padLines(formView, formH) + "\n" + panelView
	}
	return truncate(head, w) + "\n\n" + body + "\n" + e.footer(w)
}

func (e *editor) subtitle() string {
	switch {
	case e.create != nil:
		return "first provider (step 3 of 3)"
	case e.orig.Token == "":
		return "new · store revision " + itoa64(e.base)
	}
	return "editing · store revision " + itoa64(e.base)
}

// formView is the form with the format errors of its fields under it, in w × h cells.
func (e *editor) formView(w, h int) string {
	var errs []string
	for _, err := range e.form.Errors() {
		errs = append(errs, e.c.styles.fail.Render(providers.Fail.Mark()+" ")+hangingWrap(err.Error(), w-2, 2))
	}
	errText := strings.Join(errs, "\n")
	room := h - lipgloss.Height(errText)
	if errText == "" {
		room = h
	}
	out := keepFocusedInput(strings.TrimRight(e.form.View(), "\n"), max(room, 3))
	if errText != "" {
		out += "\n" + errText
	}
	return clampLines(out, h)
}

// keepFocusedInput fits a form's view into h lines, scrolled no further than needed for the
// focused field to show whole. A field taller than the room (the token's long help on a small terminal) keeps its title
// and its input line: the middle of its help gives way, marked with "…".
func keepFocusedInput(view string, h int) string {
	lines := strings.Split(view, "\n")
	if len(lines) <= h {
		return view
	}
	first, last := -1, -1
	for i, l := range lines {
		if strings.HasPrefix(ansi.Strip(l), "┃") {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	switch {
	case first < 0:
		return clampLines(view, h)
	case last-first+1 <= h:
		start := max(0, last-h+1) // scroll no further than the focused field needs
		return strings.Join(lines[start:start+h], "\n")
	case h < 3:
		return strings.Join(lines[last-h+1:last+1], "\n")
	}
	tail := h - 2 // the field's title, "…", then the end of its help and its input
	out := append([]string{lines[first], "┃ …"}, lines[last-tail+1:last+1]...)
	return strings.Join(out, "\n")
}

func (e *editor) footer(w int) string {
	s := e.c.styles
	h := e.c.help
	h.SetWidth(w)
	line := ""
	switch e.state {
	case askSaveAnyway, askDiscard, askActivate:
		// the room of the notice: the question wraps, its answers always show
		line = e.q.view(s, w, editorQuestionLines)
	case saving:
		line = s.dim.Render("Saving…")
	default:
		if e.notice != "" {
			st := s.msgInfo
			if e.isErr {
				st = s.msgError
			}
			line = st.Render(clampLines(wrapText(e.notice, w), 2))
		}
	}
	return line + "\n" + h.View(e)
}

// editorQuestionLines is the room of the editor's notice, which its questions take.
const editorQuestionLines = 2

// keys are the bindings the editor answers to now: the answers while it asks a question.
func (e *editor) keys() help.KeyMap {
	switch e.state {
	case askSaveAnyway, askDiscard, askActivate:
		return e.q
	}
	return e.c.keys.editor
}

func (e *editor) ShortHelp() []key.Binding  { return e.withScrollHelp(e.keys().ShortHelp()) }
func (e *editor) FullHelp() [][]key.Binding { return e.keys().FullHelp() }
