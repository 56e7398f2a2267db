package ui

import (
	"context"
	"errors"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
	"gitopscfg/config/safe"
	"gitopscfg/platforms"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// The picker's push to Devtron (p): the question (which says when Devtron's active provider would
// change, and from which to which), the push through usecase.Push, and its notice, which a newer
// comparison that contradicts it takes away.

// devtronPushedMsg ends a push of credential name (of provider) to a Devtron instance; activate
// says whether it was allowed to make the provider Devtron's active one, before is the
// credential's state in that instance as the picker showed it when the push started ("" unknown).
type devtronPushedMsg struct {
	name     string
	instance instKey // the platform instance
	provider providers.ID
	ask      pushAsk // the question answered
	activate bool
	before   platforms.DriftState
	res      platforms.PushResult
	// here is true when the push made the credential the active one here too, as in Devtron;
	// data is the store then.
	here bool
	data *config.Data
	err  error
}

// devtronPlanMsg is Devtron's answer to what a push of credential name would do to its active
// provider, read before the question when the drift does not say.
type devtronPlanMsg struct {
	seq  int
	name string
	plan platforms.SwitchPlan
	err  error
}

// pushNote is what a push's notice said, to be checked against newer comparisons.
type pushNote struct {
	name     string
	instance instKey
	provider providers.ID
	text     string
	saved    bool
	active   bool // the push made the provider Devtron's active one
	before   platforms.DriftState
	// parts are the notes of each push of a push to all instances (the others are unset then)
	parts []pushNote
}

// pushAsk is a push of credential name (of provider) waiting for the admin's answer, or for
// Devtron's plan before the question.
type pushAsk struct {
	name     string
	provider providers.ID
	instance instKey // the platform instance
	seq      int     // tags the plan's reply
	planning bool    // Devtron is being asked which provider is active there
	// switches is true when the push makes provider Devtron's active one in place of from;
	// present when Devtron holds a configuration of provider already (inactive then).
	switches bool
	from     string
	present  bool
	// replaces is the other stored credential of provider that Devtron holds ("" none known):
	// the push replaces it there.
	replaces string
	// changed: asked again, Devtron's active provider having changed since it was read.
	changed bool
}

// devtronPlanCmd asks the Devtron instance inst what a push of credential name would do to its
// active provider.
func devtronPlanCmd(ctx context.Context, b *usecase.Backend, d *config.Data, seq int, name string, inst instKey) tea.Cmd {
	return guard(func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, b.Env(0).Timeout)
		defer cancel()
		plan, err := b.PlanPush(ctx, d, name, inst.name)
		return devtronPlanMsg{seq: seq, name: name, plan: plan, err: err}
	})
}

// devtronPushCmd pushes the credential of the question a, as stored in d, to d's Devtron instance a.instance
// (usecase.Push: the freshness gate, then the push); a.switches lets the push make its provider
// Devtron's active one in place of another, and then the credential the active one here too,
// a.replaces lets it replace another credential of the provider there. The session's end stops
// waiting.
func devtronPushCmd(ctx context.Context, b *usecase.Backend, d *config.Data, a pushAsk, activate bool, before platforms.DriftState) tea.Cmd {
	return guard(func() tea.Msg {
		out, err := b.Push(ctx, d, usecase.PushInput{Kind: a.instance.kind, Credential: a.name, Instance: a.instance.name, Activate: activate, Replace: a.replaces != ""})
		return devtronPushedMsg{name: a.name, instance: a.instance, provider: a.provider, ask: a, activate: activate, before: before, res: out.Result, here: out.ActivatedHere, data: out.Data, err: err}
	})
}

// contradicted reports whether the comparison of the instances insts, newer than the push, says
// otherwise than the push's notice (an instance that could not be read says nothing).
func (n *pushNote) contradicted(insts map[instKey]*instanceView) bool {
	for _, part := range n.parts {
		if part.contradicted(insts) {
			return true
		}
	}
	if len(n.parts) > 0 {
		return false
	}
	iv := insts[n.instance]
	if iv == nil {
		return true // no longer stored
	}
	if iv.drift == nil {
		return false
	}
	d := *iv.drift
	pd, ok := d.Credentials[n.name]
	if !ok {
		return true // no longer stored here
	}
	if n.saved {
		return pd.State == platforms.Absent || pd.State == platforms.Differs || pd.State == platforms.Other ||
			(n.active && d.Active != "" && d.Active != n.provider)
	}
	return pd.State == platforms.InSync && n.before != platforms.InSync
}

// sayPush shows a notice about a push of credential name (of provider) to the Devtron instance
// inst, to be dropped once a newer comparison contradicts it.
func (p *picker) sayPush(name string, inst instKey, provider providers.ID, text string, isErr, saved, active bool, before platforms.DriftState) {
	p.say(text, isErr)
	p.dv.note = &pushNote{name: name, instance: inst, provider: provider, text: text, saved: saved, active: active, before: before}
}

// startPush asks to confirm a push of the selected credential (after asking Devtron which
// provider is active there when the drift does not say), or says why it cannot be pushed. With
// several Devtron instances, it asks first to which (devtron_choose.go).
func (p *picker) startPush(sel entry) tea.Cmd {
	name := sel.credential()
	cfg := p.configured(name)
	insts := p.instances()
	switch {
	case len(insts) == 0:
		p.say("no Devtron instance is stored: run `gitopscfg devtron set --url URL --token-stdin` first", true)
		return nil
	case cfg == nil:
		p.say(sel.label()+" is not configured yet: nothing to push", true)
		return nil
	case p.pushing != "":
		p.say("a push to "+p.named(p.pushingTo)+" is running already", true)
		return nil
	}
	if stale := notFresh(name, cfg); stale != nil {
		if stale.Never {
			p.say(sel.label()+" has not been checked since it was last set: press t to test it before pushing", true)
		} else {
			p.say(sel.label()+"'s last check failed: fix it and press t before pushing", true)
		}
		return nil
	}
	p.notice = ""
	if len(insts) > 1 {
		p.which = &pushChoice{name: name, provider: sel.p.ID, insts: insts}
		return nil
	}
	return p.askPush(name, sel.p.ID, insts[0])
}

// askPush asks to confirm a push of credential name (of provider) to the Devtron instance inst,
// after asking the instance which provider is active there when the drift does not say.
func (p *picker) askPush(name string, provider providers.ID, inst instKey) tea.Cmd {
	if !inst.spec().OneActive {
		p.ask = &pushAsk{name: name, instance: inst, provider: provider}
		return nil
	}
	if pd, ok := p.current(inst, name); ok && pd.State != platforms.DriftUnknown && pd.State != platforms.Unsupported {
		if there, known := p.activeThere(inst); known {
			p.ask = newAsk(name, inst, provider, string(there), pd.State != platforms.Absent)
			p.ask.replaces = pd.Holder
			return nil
		}
	}
	p.seq++
	p.ask = &pushAsk{name: name, instance: inst, provider: provider, seq: p.seq, planning: true}
	return tea.Batch(devtronPlanCmd(p.c.ctx, p.c.backend(), p.data.Clone(), p.seq, name, inst), p.spin.Tick)
}

// notFresh is the freshness gate's refusal of the credential name (usecase.Fresh), nil when it
// may be delivered.
func notFresh(name string, cfg *config.Credential) *usecase.NotFreshError {
	var nf *usecase.NotFreshError
	if errors.As(usecase.Fresh(name, cfg), &nf) {
		return nf
	}
	return nil
}

// newAsk is the question before a push of credential name (of provider) to the Devtron instance
// inst while its active provider is there (its provider id, "" none) and it holds a configuration
// of provider or not.
func newAsk(name string, inst instKey, provider providers.ID, there string, present bool) *pushAsk {
	return &pushAsk{name: name, instance: inst, provider: provider, from: there, present: present, switches: there != "" && there != string(provider)}
}

// planned takes Devtron's plan and asks the question.
func (p *picker) planned(msg devtronPlanMsg) tea.Cmd {
	a := p.ask
	if a == nil || !a.planning || a.seq != msg.seq {
		return nil // answered (no) meanwhile
	}
	if msg.err != nil {
		p.ask = nil
		p.say(p.at(a.instance)+p.label(msg.name)+" was not pushed: Devtron's active provider could not be read: "+
			safe.Text(p.instance(a.instance).Redact(msg.err.Error())), true)
		return p.nextPush()
	}
	p.ask = newAsk(msg.name, a.instance, a.provider, platforms.ActiveName(msg.plan.Active), msg.plan.Present)
	return nil
}

// answerPush takes the admin's answer to the push's question.
func (p *picker) answerPush(msg tea.KeyPressMsg) tea.Cmd {
	a := p.ask
	yes := key.Matches(msg, p.c.keys.confirm.Yes)
	if a.planning {
		if key.Matches(msg, p.c.keys.confirm.No) {
			p.ask = nil
			p.say(p.at(a.instance)+"nothing was pushed", false)
			return p.nextPush()
		}
		return nil // the question is not asked yet
	}
	p.ask = nil
	switch {
	case yes:
		return p.push(*a, a.switches)
	case a.switches && a.present && msg.String() == "k":
		return p.push(*a, false)
	case a.switches:
		p.say(p.at(a.instance)+"nothing was pushed: "+a.from+" stays Devtron's active provider", false)
	default:
		p.say(p.at(a.instance)+"nothing was pushed", false)
	}
	return p.nextPush()
}

// askText is the question before the push.
func (p *picker) askText() string {
	a := p.ask
	name := p.label(a.name)
	dt := p.named(a.instance)
	url := safe.Text(p.where(a.instance))
	if !a.instance.spec().OneActive {
		return p.batchCount() + "Push " + name + " to " + dt + " at " + url + "? " + dt + " is given its Secret, which is read back. (y/N)"
	}
	if a.planning {
		return p.batchCount() + "Reading which provider is active in " + dt + " at " + url + " before pushing " + name + "… (esc: nothing is pushed)"
	}
	validates := "Devtron validates it by creating and deleting a repository."
	if cfg := p.data.Credentials[a.name]; cfg != nil && cfg.Repo != "" {
		validates = platforms.CustomRepositoryNote(providers.FromConfig(a.name, cfg))
	}
	if a.replaces != "" {
		validates = "Devtron holds one configuration per provider: the push replaces " + p.label(a.replaces) + "'s there. " + validates
	}
	if !a.switches {
		q := p.batchCount() + "Push " + name + " to " + dt + " at " + url + "? " + validates
		if a.from == "" && p.data.Active != "" && p.data.Active != a.name {
			q += " " + dt + " has no active GitOps provider: " + name + " becomes its active one, while " + p.data.Active + " stays the active " + p.noun(p.data.Active) + " here."
		}
		return q + " (y/N)"
	}
	q := "Push " + name + " to " + dt + " at " + url + "? "
	if a.changed {
		q = dt + "'s active provider changed since it was read, nothing was pushed. " + q
	}
	q = p.batchCount() + q
	q += dt + "'s active GitOps provider will change from " + a.from + " to " + string(a.provider) + ": its applications then push with " + name + "'s credentials"
	if !a.present {
		q += " (Devtron saves every new configuration active)"
	}
	if p.data.Active == a.name {
		q += ", as " + a.name + " is the active " + p.noun(a.name) + " here. "
	} else {
		q += ", and " + a.name + " becomes the active " + p.noun(a.name) + " here too. "
	}
	q += validates
	if a.present {
		return q + " (y: push and switch · k: update it, keep " + a.from + " active there · N: nothing is pushed)"
	}
	return q + " (y: push and switch · N: nothing is pushed)"
}

// push starts the push the admin confirmed to question a; activate lets it make its provider
// Devtron's active one.
func (p *picker) push(a pushAsk, activate bool) tea.Cmd {
	name := a.name
	cfg := p.configured(name)
	if cfg == nil || p.where(a.instance) == "" {
		p.say(p.at(a.instance)+p.label(name)+" was not pushed: it is no longer configured (another writer changed the store)", true)
		return p.nextPush()
	}
	p.pushing, p.pushingTo = name, a.instance
	p.notice = ""
	var before platforms.DriftState
	if pd, ok := p.current(a.instance, name); ok {
		before = pd.State
	}
	return tea.Batch(devtronPushCmd(p.c.ctx, p.c.backend(), p.data.Clone(), a, activate, before), p.spin.Tick)
}

// pushed takes the end of a push the admin asked for, and goes on with the next instance of a
// push to all.
func (p *picker) pushed(msg devtronPushedMsg) tea.Cmd {
	p.sayPushed(msg)
	return p.nextPush()
}

// sayPushed says how a push ended, or asks again when the instance refused it as it was asked: a
// push allowed to switch Devtron's active provider that did makes the credential the active one
// here too.
func (p *picker) sayPushed(msg devtronPushedMsg) {
	name := p.label(msg.name)
	noun := p.noun(msg.name)
	say := func(text string, isErr, saved, active bool) {
		p.sayPush(msg.name, msg.instance, msg.provider, p.at(msg.instance)+text, isErr, saved, active, msg.before)
	}
	var se *platforms.SwitchError
	var re *usecase.ReplaceError
	switch {
	case errors.As(msg.err, &se):
		// Devtron's active provider changed since it was read: nothing was sent; ask again.
		p.ask = newAsk(msg.name, msg.instance, msg.provider, platforms.ActiveName(se.Active), false)
		p.ask.changed = true
		p.notice = ""
	case errors.As(msg.err, &re):
		// Devtron holds another credential of the provider, which the question did not say:
		// nothing was sent; ask again, saying so.
		a := msg.ask
		a.replaces, a.present = re.Holder, true
		p.ask = &a
		p.notice = ""
	case msg.err != nil && msg.res.OK():
		// Saved in Devtron, made its active provider, but not made the active one here.
		say(name+": "+msg.res.Message+"; but "+msg.err.Error()+": press a on it", true, true, true)
	case msg.err != nil && msg.res.Outcome == "":
		say(name+" was not pushed: "+msg.err.Error(), true, false, false)
	case msg.res.OK():
		text := name + ": " + msg.res.Message
		if msg.here {
			if msg.data != nil {
				p.setData(msg.data)
			}
			say(text+". "+name+" is now the active "+noun+" here too, as in "+msg.instance.spec().Name+".", false, true, true)
			return
		}
		if !msg.res.Active || p.data == nil || p.data.Active == msg.name {
			say(text, false, true, msg.res.Active)
			return
		}
		here := p.data.Active
		if here == "" {
			here = "none"
		}
		say(text+". Here "+here+" is the active "+p.noun(here)+": a on "+name+" makes them agree.", false, true, true)
	default:
		say(name+": "+msg.res.Message, true, false, false)
	}
}
