package ui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"gitopscfg/forms"
	"gitopscfg/providers"
)

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
		return activateCmd(e.c.ctx, e.c.store, e.c.opts.Who, e.name, e.label(), providers.CredentialNoun(e.name, e.p.ID))
	case state == askActivate:
		return closeWith("Saved "+e.label(), false)
	case state == askTrustHostKey:
		return e.trustAnswered(yes)
	}
	return nil
}

func (e *editor) key(msg tea.KeyPressMsg) tea.Cmd {
	k := e.c.keys.editor
	switch e.state {
	case saving, lookingHostKey:
		return nil
	case checkingTrusted:
		if key.Matches(msg, e.c.keys.editor.Back) {
			e.state = editing
			e.say("not saved yet: the host key is trusted in this edit; press ctrl+s to save", false)
		}
		return nil
	case askSaveAnyway, askDiscard, askActivate, askTrustHostKey:
		return e.answer(msg)
	case hostKeyRefused:
		e.state = editing // any key goes back to the form
		return nil
	case askReplaceHostKey:
		return e.replaceKey(msg)
	}
	if cmd, ok := e.pubKey(msg); ok {
		return cmd
	}
	if e.scrollKey(msg) { // the check panel scrolls (scroll.go)
		return nil
	}
	switch {
	case key.Matches(msg, k.Back), key.Matches(msg, k.Quit):
		e.quitting = key.Matches(msg, k.Quit)
		if e.dirty() {
			e.ask(askDiscard, newConfirm(e.c.keys.confirm, "Discard your unsaved changes to "+e.label()+"?"))
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

// keys are the bindings the editor answers to now: the answers while it asks a question.
func (e *editor) keys() help.KeyMap {
	switch e.state {
	case askSaveAnyway, askDiscard, askActivate, askTrustHostKey:
		return e.q
	case askReplaceHostKey:
		return newReplaceKeys()
	}
	return e.c.keys.editor
}

func (e *editor) ShortHelp() []key.Binding  { return e.withScrollHelp(e.keys().ShortHelp()) }
func (e *editor) FullHelp() [][]key.Binding { return e.keys().FullHelp() }
