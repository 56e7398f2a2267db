package ui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"gitopscfg/config/safe"
	"gitopscfg/providers"
)

// key answers a key on the list: the question asked first, else the selected provider's action.
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
		return p.activate(sel)
	case key.Matches(msg, k.Test):
		return p.testSelected(sel)
	case key.Matches(msg, k.TestAll):
		return p.testAll()
	case key.Matches(msg, k.RoundTrip):
		return p.askRoundTrip(sel)
	case key.Matches(msg, k.Push):
		return p.startPush(sel)
	case key.Matches(msg, k.Rotate):
		return p.startRotate(sel)
	case key.Matches(msg, k.Remove):
		p.askRemove(sel)
	}
	return nil
}

// activate makes the selected provider the active one, once it is configured and is not already.
func (p *picker) activate(sel providers.Provider) tea.Cmd {
	switch {
	case p.configured(sel.ID) == nil:
		p.say(sel.Name+" is not configured yet: press enter to set it up first", true)
	case p.data.Active == string(sel.ID):
		p.say(sel.Name+" is already the active provider", false)
	default:
		return activateCmd(p.c.ctx, p.c.store, p.c.opts.Who, sel.ID, sel.Name)
	}
	return nil
}

// testSelected re-tests the selected provider (t).
func (p *picker) testSelected(sel providers.Provider) tea.Cmd {
	if p.configured(sel.ID) == nil {
		p.say(sel.Name+" is not configured yet: nothing to test", true)
		return nil
	}
	return p.retest(sel.ID)
}

// testAll re-tests every configured provider (T); the notice sums them up once all finished.
func (p *picker) testAll() tea.Cmd {
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
}

// askRoundTrip asks before the selected provider's round trip (r), which creates and deletes a
// repository; with SkipRoundTripConfirm it opens the round trip at once.
func (p *picker) askRoundTrip(sel providers.Provider) tea.Cmd {
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
	return nil
}

// askRemove asks before the selected provider and its token leave the store (d).
func (p *picker) askRemove(sel providers.Provider) {
	if p.configured(sel.ID) == nil {
		p.say(sel.Name+" is not configured: nothing to remove", true)
		return
	}
	p.yn = &pickerQuestion{id: sel.ID, act: actRemove, q: newConfirm(p.c.keys.confirm, "Remove "+sel.Name+" and its token from the store?")}
	p.notice = ""
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
	creds := providers.FromConfig(string(id), cfg)
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
	creds := providers.FromConfig(string(id), cfg)
	cmd := retestCmd(p.c.ctx, p.c.opts.Env, p.c.check, p.seq, creds, providers.KnownUserID(cfg), p.c.now)
	if start {
		return tea.Batch(cmd, p.spin.Tick)
	}
	return cmd
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
