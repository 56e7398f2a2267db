package ui

import (
	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
	"gitopscfg/forms"
	"gitopscfg/providers"
)

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
	*e.draft = providers.FromConfig(e.name, msg.data.Credentials[e.name])
	e.orig, e.last = *e.draft, *e.draft
	e.base = msg.data.Revision
	e.isActive = msg.data.Active == e.name
	passed := e.panel.passedFor(*e.draft)
	if passed && !e.isActive {
		e.ask(askActivate, newConfirm(e.c.keys.confirm, "Saved. Make "+e.label()+" the active "+providers.CredentialNoun(e.name, e.p.ID)+"?").withDefaultYes())
		return nil
	}
	if !passed {
		return closeWith("Saved "+e.label()+", but its check did not pass: fix it soon", true)
	}
	return closeWith("Saved "+e.label(), false)
}
