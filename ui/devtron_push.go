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

// devtronPushedMsg ends a push of one provider to Devtron; activate says whether it was allowed
// to make the provider Devtron's active one, before is the provider's state in Devtron as the
// picker showed it when the push started ("" unknown).
type devtronPushedMsg struct {
	id       providers.ID
	activate bool
	before   platforms.DriftState
	res      platforms.PushResult
	// here is true when the push made id the active provider here too, as in Devtron; data is
	// the store then.
	here bool
	data *config.Data
	err  error
}

// devtronPlanMsg is Devtron's answer to what a push of id would do to its active provider, read
// before the question when the drift does not say.
type devtronPlanMsg struct {
	seq  int
	id   providers.ID
	plan platforms.SwitchPlan
	err  error
}

// pushNote is what a push's notice said, to be checked against newer comparisons.
type pushNote struct {
	id     providers.ID
	text   string
	saved  bool
	active bool // the push made the provider Devtron's active one
	before platforms.DriftState
}

// pushAsk is a push waiting for the admin's answer, or for Devtron's plan before the question.
type pushAsk struct {
	id       providers.ID
	seq      int  // tags the plan's reply
	planning bool // Devtron is being asked which provider is active there
	// switches is true when the push makes id Devtron's active provider in place of from;
	// present when Devtron holds id's configuration already (inactive then).
	switches bool
	from     string
	present  bool
	// changed: asked again, Devtron's active provider having changed since it was read.
	changed bool
}

// devtronPlanCmd asks Devtron what a push of id would do to its active provider.
func devtronPlanCmd(ctx context.Context, b *usecase.Backend, d *config.Data, seq int, id providers.ID) tea.Cmd {
	return guard(func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, b.Env(0).Timeout)
		defer cancel()
		plan, err := b.PlanPush(ctx, d, string(id), usecase.DevtronName(d))
		return devtronPlanMsg{seq: seq, id: id, plan: plan, err: err}
	})
}

// devtronPushCmd pushes id's stored credentials in d to d's Devtron instance (usecase.Push: the
// freshness gate, then the push); activate lets the push make id Devtron's active provider in
// place of another, and then the active one here too. The session's end stops waiting.
func devtronPushCmd(ctx context.Context, b *usecase.Backend, d *config.Data, id providers.ID, activate bool, before platforms.DriftState) tea.Cmd {
	return guard(func() tea.Msg {
		out, err := b.Push(ctx, d, usecase.PushInput{Credential: string(id), Instance: usecase.DevtronName(d), Activate: activate})
		return devtronPushedMsg{id: id, activate: activate, before: before, res: out.Result, here: out.ActivatedHere, data: out.Data, err: err}
	})
}

// contradicted reports whether drift, newer than the push, says otherwise than the push's notice.
func (n *pushNote) contradicted(d platforms.Drift) bool {
	pd, ok := d.Credentials[string(n.id)]
	if !ok {
		return true // no longer stored here
	}
	if n.saved {
		return pd.State == platforms.Absent || pd.State == platforms.Differs || (n.active && d.Active != "" && d.Active != n.id)
	}
	return pd.State == platforms.InSync && n.before != platforms.InSync
}

// sayPush shows a notice about a push of id, to be dropped once a newer comparison contradicts it.
func (p *picker) sayPush(id providers.ID, text string, isErr, saved, active bool, before platforms.DriftState) {
	p.say(text, isErr)
	p.dv.note = &pushNote{id: id, text: text, saved: saved, active: active, before: before}
}

// startPush asks to confirm a push of the selected provider (after asking Devtron which provider
// is active there when the drift does not say), or says why it cannot be pushed.
func (p *picker) startPush(sel providers.Provider) tea.Cmd {
	cfg := p.configured(sel.ID)
	stale := notFresh(sel.ID, cfg)
	switch {
	case p.data == nil || usecase.StoredDevtron(p.data) == nil:
		p.say("no Devtron instance is stored: run `gitopscfg devtron set --url URL --token-stdin` first", true)
	case cfg == nil:
		p.say(sel.Name+" is not configured yet: nothing to push", true)
	case p.pushing != "":
		p.say("a push to Devtron is running already", true)
	case stale != nil:
		if stale.Never {
			p.say(sel.Name+" has not been checked since it was last set: press t to test it before pushing", true)
		} else {
			p.say(sel.Name+"'s last check failed: fix it and press t before pushing", true)
		}
	default:
		p.notice = ""
		if pd, ok := p.current(sel.ID); ok && pd.State != platforms.DriftUnknown && pd.State != platforms.Unsupported {
			if there, known := p.activeThere(); known {
				p.ask = newAsk(sel.ID, string(there), pd.State != platforms.Absent)
				return nil
			}
		}
		p.seq++
		p.ask = &pushAsk{id: sel.ID, seq: p.seq, planning: true}
		return tea.Batch(devtronPlanCmd(p.c.ctx, p.c.backend(), p.data.Clone(), p.seq, sel.ID), p.spin.Tick)
	}
	return nil
}

// notFresh is the freshness gate's refusal of cfg (usecase.Fresh), nil when it may be delivered.
func notFresh(id providers.ID, cfg *config.Credential) *usecase.NotFreshError {
	var nf *usecase.NotFreshError
	if errors.As(usecase.Fresh(string(id), cfg), &nf) {
		return nf
	}
	return nil
}

// newAsk is the question before a push of id while Devtron's active provider is there (its
// provider id, "" none) and Devtron holds id's configuration or not.
func newAsk(id providers.ID, there string, present bool) *pushAsk {
	return &pushAsk{id: id, from: there, present: present, switches: there != "" && there != string(id)}
}

// planned takes Devtron's plan and asks the question.
func (p *picker) planned(msg devtronPlanMsg) tea.Cmd {
	a := p.ask
	if a == nil || !a.planning || a.seq != msg.seq {
		return nil // answered (no) meanwhile
	}
	if msg.err != nil {
		p.ask = nil
		p.say(providers.MustLookup(msg.id).Name+" was not pushed: Devtron's active provider could not be read: "+
			safe.Text(p.instance().Redact(msg.err.Error())), true)
		return nil
	}
	p.ask = newAsk(msg.id, platforms.ActiveName(msg.plan.Active), msg.plan.Present)
	return nil
}

// answerPush takes the admin's answer to the push's question.
func (p *picker) answerPush(msg tea.KeyPressMsg) tea.Cmd {
	a := p.ask
	yes := key.Matches(msg, p.c.keys.confirm.Yes)
	if a.planning {
		if key.Matches(msg, p.c.keys.confirm.No) {
			p.ask = nil
			p.say("nothing was pushed", false)
		}
		return nil // the question is not asked yet
	}
	p.ask = nil
	switch {
	case yes:
		return p.push(a.id, a.switches)
	case a.switches && a.present && msg.String() == "k":
		return p.push(a.id, false)
	case a.switches:
		p.say("nothing was pushed: "+a.from+" stays Devtron's active provider", false)
	default:
		p.say("nothing was pushed", false)
	}
	return nil
}

// askText is the question before the push.
func (p *picker) askText() string {
	a := p.ask
	name := providers.MustLookup(a.id).Name
	url := safe.Text(usecase.StoredDevtron(p.data).URL)
	if a.planning {
		return "Reading which provider is active in Devtron at " + url + " before pushing " + name + "… (esc: nothing is pushed)"
	}
	validates := "Devtron validates it by creating and deleting a repository."
	if !a.switches {
		q := "Push " + name + " to Devtron at " + url + "? " + validates
		if a.from == "" && p.data.Active != "" && p.data.Active != string(a.id) {
			q += " Devtron has no active GitOps provider: " + name + " becomes its active one, while " + p.data.Active + " stays the active provider here."
		}
		return q + " (y/N)"
	}
	q := "Push " + name + " to Devtron at " + url + "? "
	if a.changed {
		q = "Devtron's active provider changed since it was read, nothing was pushed. " + q
	}
	q += "Devtron's active GitOps provider will change from " + a.from + " to " + string(a.id) + ": its applications then push with " + name + "'s credentials"
	if !a.present {
		q += " (Devtron saves every new configuration active)"
	}
	if p.data.Active == string(a.id) {
		q += ", as " + string(a.id) + " is the active provider here. "
	} else {
		q += ", and " + string(a.id) + " becomes the active provider here too. "
	}
	q += validates
	if a.present {
		return q + " (y: push and switch · k: update it, keep " + a.from + " active there · N: nothing is pushed)"
	}
	return q + " (y: push and switch · N: nothing is pushed)"
}

// push starts the confirmed push; activate lets it make id Devtron's active provider.
func (p *picker) push(id providers.ID, activate bool) tea.Cmd {
	cfg := p.configured(id)
	if cfg == nil || usecase.StoredDevtron(p.data) == nil {
		p.say(providers.MustLookup(id).Name+" was not pushed: it is no longer configured (another writer changed the store)", true)
		return nil
	}
	p.pushing = id
	p.notice = ""
	var before platforms.DriftState
	if pd, ok := p.current(id); ok {
		before = pd.State
	}
	return tea.Batch(devtronPushCmd(p.c.ctx, p.c.backend(), p.data.Clone(), id, activate, before), p.spin.Tick)
}

// pushed takes the end of a push the admin asked for: a push allowed to switch Devtron's active
// provider that did makes the provider the active one here too.
func (p *picker) pushed(msg devtronPushedMsg) tea.Cmd {
	name := providers.MustLookup(msg.id).Name
	var se *platforms.SwitchError
	switch {
	case errors.As(msg.err, &se):
		// Devtron's active provider changed since it was read: nothing was sent; ask again.
		p.ask = newAsk(msg.id, platforms.ActiveName(se.Active), false)
		p.ask.changed = true
		p.notice = ""
	case msg.err != nil && msg.res.OK():
		// Saved in Devtron, made its active provider, but not made the active one here.
		p.sayPush(msg.id, name+": "+msg.res.Message+"; but "+msg.err.Error()+": press a on it", true, true, true, msg.before)
	case msg.err != nil && msg.res.Outcome == "":
		p.sayPush(msg.id, name+" was not pushed: "+msg.err.Error(), true, false, false, msg.before)
	case msg.res.OK():
		text := name + ": " + msg.res.Message
		if msg.here {
			if msg.data != nil {
				p.setData(msg.data)
			}
			p.sayPush(msg.id, text+". "+name+" is now the active provider here too, as in Devtron.", false, true, true, msg.before)
			return nil
		}
		if !msg.res.Active || p.data == nil || p.data.Active == string(msg.id) {
			p.sayPush(msg.id, text, false, true, msg.res.Active, msg.before)
			return nil
		}
		here := p.data.Active
		if here == "" {
			here = "none"
		}
		p.sayPush(msg.id, text+". Here "+here+" is the active provider: a on "+name+" makes them agree.", false, true, true, msg.before)
	default:
		p.sayPush(msg.id, name+": "+msg.res.Message, true, false, false, msg.before)
	}
	return nil
}
