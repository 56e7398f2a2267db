package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
	"gitopscfg/forms"
	"gitopscfg/providers"
	"gitopscfg/usecase"
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
	if e.panel.passedFor(norm) || hostKeyPending(norm) {
		// No host key is trusted for the draft's SSH server yet, so the check's ssh stage cannot
		// pass: the host-key question comes first, and the check runs again once it is trusted.
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
// if any. A draft going over SSH first has its server's host key looked at (editor_ssh.go): the
// save runs once that key is trusted.
func (e *editor) save() tea.Cmd {
	norm, err := forms.Credentials(*e.draft)
	if err != nil {
		e.say("cannot save: "+fieldErrors(err)[0], true)
		return nil
	}
	e.notice = ""
	if fp := e.confirmedFor(norm); fp != "" {
		return e.commit(norm, fp) // a host key confirmed in this edit: the save trusts exactly that one
	}
	if providers.UsesSSH(norm) {
		return e.lookAtHostKey(norm)
	}
	return e.commit(norm, "")
}

// commit saves norm, trusting the SSH host key of fingerprint trust ("": none asked).
func (e *editor) commit(norm providers.Credentials, trust string) tea.Cmd {
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
	now := e.c.now()
	in := saveInput(e.base, norm, result, deep, false, now)
	in.TrustHostKey, in.RegisterKey = trust, e.registers()
	o := usecase.Options{Who: e.c.opts.Who, Now: func() time.Time { return now }, Env: usecase.EnvOf(e.c.opts.Env)}
	if e.create != nil {
		in.Base, in.Activate = 0, true
		return createCmd(e.c.ctx, e.c.opts.ConfigDir, e.create.passphrase, o, in)
	}
	return saveCmd(e.c.ctx, e.c.store, o, in)
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
		return e.saveFailed(msg.err)
	}
	*e.draft = providers.FromConfig(e.name, msg.data.Credentials[e.name])
	e.orig, e.last = *e.draft, *e.draft
	e.base = msg.data.Revision
	e.isActive = msg.data.Active == e.name
	passed := e.panel.passedFor(*e.draft)
	if passed && !e.isActive {
		e.ask(askActivate, newConfirm(e.c.keys.confirm, "Saved"+e.alsoSaid(msg.said)+". Make "+e.label()+" the active "+providers.CredentialNoun(e.name, e.p.ID)+"?").withDefaultYes())
		return nil
	}
	if !passed {
		return closeWith("Saved "+e.label()+e.alsoSaid(msg.said)+", but its check did not pass: fix it soon", true)
	}
	return closeWith("Saved "+e.label()+e.alsoSaid(msg.said), false)
}
