package ui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"gitopscfg/forms"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// key answers a key at the rotation's stage.
func (r *rotateScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	k := r.c.keys.rotation
	switch {
	case r.state == rotAsking:
		return r.answerKey(msg)
	case key.Matches(msg, k.Cancel) && r.state == rotRunning:
		r.stop()
	case key.Matches(msg, k.Back) && r.state == rotDone:
		return func() tea.Msg { return closeRotationMsg{notice: r.notice, isErr: r.failed} }
	case key.Matches(msg, k.Again) && r.canAgain():
		return r.start()
	case msg.String() == "q":
		return func() tea.Msg { return quitMsg{} }
	}
	return nil
}

// answerKey answers the question asked.
func (r *rotateScreen) answerKey(msg tea.KeyPressMsg) tea.Cmd {
	k := r.c.keys.rotation
	switch {
	case r.yn != nil:
		if rep, ok := r.yn.answer(msg); ok {
			r.answer(rotAnswer{yes: rep == replyYes})
			if rep == replyYes {
				return r.run(stepIssuing)
			}
			return r.run(stepNone)
		}
	case r.asking(askToken) && key.Matches(msg, k.Submit):
		return r.submitToken()
	case r.asking(askToken) && key.Matches(msg, k.Leave):
		r.answer(rotAnswer{err: errNotRotated})
	case r.asking(askToken):
		var cmd tea.Cmd
		r.input, cmd = r.input.Update(msg)
		return cmd
	case r.asking(askRetry) && key.Matches(msg, k.Retry):
		r.retrying()
		r.answer(rotAnswer{yes: true})
		return r.run(stepSaving)
	case key.Matches(msg, k.Show) && r.shown == "":
		r.answer(rotAnswer{show: true}) // the use case shows it (and asks again about a retry)
		return r.run(stepNone)
	case key.Matches(msg, k.GiveUp), key.Matches(msg, k.QuitLosing):
		r.quitting = msg.String() != "esc"
		r.answer(rotAnswer{})
		return r.run(stepNone)
	}
	return nil
}

// retrying drops the failed save, which makes way for its retry, and the token shown.
func (r *rotateScreen) retrying() {
	for i := len(r.events) - 1; i >= 0; i-- {
		if s, ok := r.events[i].(usecase.StepDone); ok && s.Name == "save" && s.Status == providers.Fail {
			r.events = r.events[:i]
			break
		}
	}
	r.shown, r.putOff = "", false
}

// submitToken takes the token typed by hand, once it has the right format and is a new one.
func (r *rotateScreen) submitToken() tea.Cmd {
	next := r.old
	next.Token = strings.TrimSpace(r.input.Value())
	norm, err := forms.Credentials(next)
	switch {
	case next.Token == "":
		r.inputErr = "paste the new token, or press esc to leave it"
	case err != nil:
		r.inputErr = fieldErrors(err)[0]
	case norm.Token == r.old.Token:
		page := r.p.TokenURL(r.old.Host)
		if r.create != nil && r.create.Page != "" {
			page = r.create.Page // a group or project access token's own page, a client secret's
		}
		r.inputErr = "that is the token stored already: create a new one at " + page
	default:
		r.input.Reset()
		r.inputErr, r.create = "", nil
		r.answer(rotAnswer{token: norm.Token})
		return r.run(stepChecking)
	}
	return nil
}

// keys are the bindings at the rotation's stage.
func (r *rotateScreen) keys() help.KeyMap {
	k := r.c.keys.rotation
	switch {
	case r.yn != nil:
		return r.yn
	case r.asking(askToken):
		return keyList{k.Submit, k.Leave, k.Interrupt}
	case r.asking(askShow):
		return keyList{k.Show, k.GiveUp, k.QuitLosing}
	case r.asking(askRetry) && r.shown != "":
		return keyList{k.Retry, k.GiveUp, k.QuitKeeping}
	case r.asking(askRetry):
		return keyList{k.Retry, k.Show, k.GiveUp, k.QuitLosing}
	case r.state == rotRunning:
		return keyList{k.Cancel, k.Quit}
	case r.canAgain():
		return keyList{k.Back, k.Again, k.Quit}
	case r.state == rotDone:
		return keyList{k.Back, k.Quit}
	}
	return keyList{k.Quit}
}

func (r *rotateScreen) ShortHelp() []key.Binding  { return r.keys().ShortHelp() }
func (r *rotateScreen) FullHelp() [][]key.Binding { return r.keys().FullHelp() }
