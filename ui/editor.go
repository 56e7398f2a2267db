package ui

import (
	"image/color"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"gitopscfg/config"
	"gitopscfg/forms"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// editorState: editing, or one question or save in flight.
type editorState int

const (
	editing editorState = iota
	askSaveAnyway
	askDiscard
	saving
	askActivate
	// lookingHostKey: the SSH server's host key is being looked at, before the save.
	lookingHostKey
	// askTrustHostKey: the host key seen is shown; the admin trusts it (and saves) or not.
	askTrustHostKey
	// hostKeyRefused: the server showed another host key than the one trusted; nothing was saved.
	hostKeyRefused
	// checkingTrusted: the host key was trusted; the check runs again with it, then the save goes on.
	checkingTrusted
	// askReplaceHostKey: the server shows another host key than the one trusted; the admin types
	// an answer to replace it (editor_hostkey_replace.go).
	askReplaceHostKey
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

// editor is one credential's huh form (its provider's), bound to a draft, with the live check panel.
type editor struct {
	size
	// fit bounds the fields' help to the room the form has (read by the form as it renders).
	fit   forms.HelpFit
	c     *common
	p     providers.Provider
	name  string // the credential's name
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
	stored   bool // the credential is stored: its stored settings are checked on opening
	state    editorState
	quitting bool // a discard question that came from ctrl+c
	// q is the question asked in the ask* states.
	q      *confirm
	notice string
	isErr  bool
	sshState
}

// sshState is the editor's Git-over-SSH state (editor_ssh.go).
type sshState struct {
	// ssh is the form's Git transport answers.
	ssh forms.SSHChoice
	// genPriv and genPub are the key generated in this edit (the private key is never shown).
	genPriv, genPub string
	generating      bool
	// hostSeq numbers the looks at a host key; seen is the key shown.
	hostSeq int
	seen    usecase.HostKeySeen
	// refused says why a host key was refused, in full (hostKeyRefused).
	refused string
	// showPub: the public key has the screen to itself (ctrl+o).
	showPub bool
	// confirmedFP and confirmedLine are the host key the admin confirmed in this edit (trusted
	// for the first time, or replacing the one trusted): the save trusts exactly that one.
	confirmedFP, confirmedLine string
	// replace is a changed host key's replacement (editor_hostkey_replace.go).
	replace hostKeyReplace
}

// newEditor is the editor of credential name of provider p, as data stores it (a new one when it
// does not).
func newEditor(c *common, p providers.Provider, name string, data *config.Data, create *createSpec) *editor {
	var cfg *config.Credential
	e := &editor{c: c, p: p, name: name, create: create, panel: newPanel(c)}
	if data != nil {
		cfg = data.Credentials[name]
		e.base = data.Revision
		e.isActive = data.Active == name
	}
	creds := providers.FromConfig(name, cfg)
	if cfg == nil {
		creds = c.opts.startingCredentials(p, name)
	}
	e.draft = &creds
	e.orig, e.last = creds, creds
	e.stored = cfg != nil
	e.initSSH(cfg != nil && cfg.SSHKey != "")
	if norm, err := forms.Credentials(creds); err == nil && cfg != nil {
		e.panel.known, e.panel.knownFor = providers.KnownUserID(cfg), norm
	}
	return e
}

// ofKind makes a new credential's draft of kind ("": a token), as it started: the form then asks
// for that kind's fields.
func (e *editor) ofKind(kind string) {
	if e.stored || kind == "" {
		return
	}
	e.draft.Kind = kind
	e.orig.Kind, e.last.Kind = kind, kind
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
	e.form = forms.New(e.p, e.draft, forms.FitHelp(e.fit), forms.WithSSH(&e.ssh)).WithTheme(formTheme()).WithShowHelp(false).WithShowErrors(false)
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
	w := e.width
	body := e.bodyLines()
	if w >= sideBySideMin {
		formW = w * 55 / 100
		return formW, body, w - formW - 1, body, true
	}
	panelH = max(8, body/2)
	return w, body - panelH, w, panelH, false
}

// bodyLines is the height of the form and the panel: what the header (a line and a blank), the
// notice (up to 2 lines), the help line and the public key under the form, when shown, leave.
func (e *editor) bodyLines() int { return max(e.height-5-len(e.pubLines(e.width)), 6) }

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

func (e *editor) dirty() bool { return !sameSettings(*e.draft, e.orig) }

// sameSettings reports whether a and b are the same credentials once normalised (forms.Credentials):
// a PEM secret (a GitHub App's key, a service principal's certificate) shows in a one-line input
// with its line breaks as spaces, which is no edit. Drafts that do not normalise are compared as
// they are.
func sameSettings(a, b providers.Credentials) bool {
	if a == b {
		return true
	}
	na, errA := forms.Credentials(a)
	nb, errB := forms.Credentials(b)
	return errA == nil && errB == nil && na == nb
}

func (e *editor) say(notice string, isErr bool) { e.notice, e.isErr = notice, isErr }

func (e *editor) Update(msg tea.Msg) (screen, tea.Cmd) { return e, e.update(msg) }

func (e *editor) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		return e.resize()
	case tea.BackgroundColorMsg:
		return e.forward(msg)
	case debounceMsg, checkDoneMsg:
		return tea.Batch(e.panel.Update(msg, *e.draft), e.checkedTrusted())
	case revokedMsg:
		return e.panel.Update(msg, *e.draft)
	case savedMsg:
		return e.saved(msg)
	case sshKeyMsg:
		return e.keyGenerated(msg)
	case hostKeyMsg:
		return e.hostKeySeen(msg)
	case createdMsg:
		if msg.err != nil {
			e.state = editing
			e.say("could not create the store: "+msg.err.Error(), true)
		}
		return nil // the root takes over on success
	case changedMsg:
		if msg.err != nil {
			return closeWith("Saved, but not activated: "+msg.err.Error(), true)
		}
		return closeWith("Saved "+e.label()+"; "+msg.notice, false)
	case tea.KeyPressMsg:
		return e.key(msg)
	case tea.PasteMsg:
		if e.state == askReplaceHostKey {
			return nil // the answer to replace a host key is typed, never pasted
		}
	}
	// everything else (cursor blinks, spinner ticks, field updates) goes to both children
	return tea.Batch(e.panel.Update(msg, *e.draft), e.afterForm(e.forward(msg)))
}

// label names the credential edited in prose.
func (e *editor) label() string { return providers.CredentialLabel(e.name, e.p.ID) }

func closeWith(notice string, isErr bool) tea.Cmd {
	return func() tea.Msg { return closeEditorMsg{notice: notice, isErr: isErr} }
}

// afterForm reacts to what the form did: a changed draft restarts the live check's pause, a
// completed form (enter on the last field) asks to save.
func (e *editor) afterForm(cmd tea.Cmd) tea.Cmd {
	cmds := []tea.Cmd{cmd, e.syncSSH()}
	if !sameSettings(*e.draft, e.last) {
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
