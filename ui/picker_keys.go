package ui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"gitopscfg/config/safe"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// key answers a key on the list: the question asked first, else the selected credential's action.
func (p *picker) key(msg tea.KeyPressMsg) tea.Cmd {
	k := p.c.keys.picker
	if p.which != nil {
		return p.answerWhich(msg)
	}
	if p.ask != nil {
		return p.answerPush(msg)
	}
	if p.yn != nil {
		return p.answer(msg)
	}
	defer p.follow() // the list's window keeps the cursor in sight
	if p.pageKey(msg) {
		return nil
	}
	sel := p.selected()
	n := len(p.rows())
	switch {
	case key.Matches(msg, k.Up):
		p.cursor = (p.cursor + n - 1) % n
	case key.Matches(msg, k.Down):
		p.cursor = (p.cursor + 1) % n
	case key.Matches(msg, k.Quit):
		return func() tea.Msg { return quitMsg{} }
	case key.Matches(msg, k.Help):
		p.full = !p.full
	case key.Matches(msg, k.Edit):
		return func() tea.Msg { return openEditorMsg{id: sel.p.ID, name: sel.credential()} }
	case key.Matches(msg, k.New):
		p.notice = ""
		return func() tea.Msg { return addCredentialMsg{provider: sel.p.ID} }
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

// activate makes the selected credential the active one, once it is configured and is not already.
func (p *picker) activate(sel entry) tea.Cmd {
	name := sel.credential()
	switch {
	case p.configured(name) == nil:
		p.say(sel.label()+" is not configured yet: press enter to set it up first", true)
	case p.data.Active == name:
		p.say(sel.label()+" is already the active "+p.noun(name), false)
	default:
		return activateCmd(p.c.ctx, p.c.store, p.c.opts.Who, name, sel.label(), p.noun(name))
	}
	return nil
}

// testSelected re-tests the selected credential (t).
func (p *picker) testSelected(sel entry) tea.Cmd {
	if p.configured(sel.credential()) == nil {
		p.say(sel.label()+" is not configured yet: nothing to test", true)
		return nil
	}
	return p.retest(sel.credential())
}

// testAll re-tests every stored credential (T); the notice sums them up once all finished.
func (p *picker) testAll() tea.Cmd {
	var cmds []tea.Cmd
	for _, e := range p.rows() {
		if e.name != "" && p.configured(e.name) != nil {
			cmds = append(cmds, p.retest(e.name))
		}
	}
	p.all = newRetestAll(p.testing, p.rows())
	if len(cmds) == 0 {
		p.say("no provider is configured yet: press enter to set one up", true)
	}
	return tea.Batch(cmds...)
}

// askRoundTrip asks before the selected credential's round trip (r), which creates and deletes a
// repository; with SkipRoundTripConfirm it opens the round trip at once.
func (p *picker) askRoundTrip(sel entry) tea.Cmd {
	cfg := p.configured(sel.credential())
	if cfg == nil {
		p.say(sel.label()+" is not configured yet: nothing to test", true)
		return nil
	}
	p.notice = ""
	if p.c.opts.SkipRoundTripConfirm {
		return p.roundTrip(sel.credential())
	}
	what := "it creates and deletes a private throw-away repository in " + sel.p.OrgNoun + " " + safe.Text(cfg.Org)
	if cfg.Repo != "" {
		what = "it pushes a throw-away branch to " + safe.Text(cfg.Repo) + " and deletes it"
	}
	p.yn = &pickerQuestion{name: sel.credential(), act: actRoundTrip, q: newConfirm(p.c.keys.confirm,
		"Round trip of "+sel.label()+": "+what+". Go on?")}
	return nil
}

// askRemove asks before the selected credential and its token leave the store (d).
func (p *picker) askRemove(sel entry) {
	if p.configured(sel.credential()) == nil {
		p.say(sel.label()+" is not configured: nothing to remove", true)
		return
	}
	q := "Remove " + sel.label() + " and its token from the store?"
	if p.configured(sel.credential()).SSHKeyRef != "" {
		q = "Remove " + sel.label() + " and its token from the store, and delete the SSH key it registered through " + sel.p.Name + "'s API?"
	}
	p.yn = &pickerQuestion{name: sel.credential(), act: actRemove, q: newConfirm(p.c.keys.confirm, q)}
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
	switch {
	case a.act == actRemove && r == replyYes:
		o := usecase.Options{Who: p.c.opts.Who, Env: usecase.EnvOf(p.c.opts.Env)}
		return removeCmd(p.c.ctx, p.c.store, o, p.data.Revision, a.name, p.label(a.name), p.noun(a.name))
	case a.act == actRemove:
		p.say("nothing was removed", false)
	case r == replyYes:
		return p.roundTrip(a.name)
	default:
		p.say("no round trip: nothing was created", false)
	}
	return nil
}

// roundTrip opens the round trip of credential name as stored.
func (p *picker) roundTrip(name string) tea.Cmd {
	cfg := p.configured(name)
	if cfg == nil {
		p.say(p.label(name)+" is not configured any more (another writer removed it)", true)
		return nil
	}
	creds := providers.FromConfig(name, cfg)
	return func() tea.Msg { return roundTripMsg{creds: creds, stored: true} }
}

// startRotate answers R on the selected credential: the root opens its rotation.
func (p *picker) startRotate(sel entry) tea.Cmd {
	switch {
	case p.configured(sel.credential()) == nil:
		p.say(sel.label()+" is not configured yet: nothing to rotate", true)
		return nil
	case p.pushing != "":
		p.say("a push to Devtron is running: rotate once it is done", true)
		return nil
	}
	p.notice = ""
	name := sel.credential()
	return func() tea.Msg { return rotateMsg{name: name} }
}

// retest starts a re-test of the stored credential name.
func (p *picker) retest(name string) tea.Cmd {
	p.seq++
	start := len(p.testing) == 0
	p.testing[name] = p.seq
	p.notice = ""
	cfg := p.configured(name)
	creds := providers.FromConfig(name, cfg)
	cmd := retestCmd(p.c.ctx, p.c.opts.Env, p.c.check, p.seq, creds, providers.KnownUserID(cfg), p.c.now)
	if start {
		return tea.Batch(cmd, p.spin.Tick)
	}
	return cmd
}

// keys are the bindings the picker answers to now: the answers while it asks a question.
func (p *picker) keys() help.KeyMap {
	if c := p.which; c != nil {
		return newChooseKeys(len(c.insts))
	}
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
