package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
	"gitopscfg/config/safe"
	"gitopscfg/platforms"
	"gitopscfg/providers"
)

// The picker's view of the stored Devtron instance: which configurations it holds and which
// provider is active there (the drift), kept as fresh as the store. Every change of the store
// (a save, an activation, a recorded check, another writer's change), every push and every
// return of the terminal's focus starts a new comparison; each is tagged with a sequence number,
// and only the reply to the latest one is kept (an older one still in flight is cancelled). While
// one runs, a provider whose settings changed since the comparison shown, or that was just
// pushed, shows as being read again ("…"), never as its old state.
//
// A push never changes Devtron's active provider without asking: when it would (from the drift,
// or from Devtron itself when the drift does not say), the question says from which provider to
// which, yes pushes with Activate and then makes the provider the active one here too, so that the
// ✓ and Devtron agree; a configuration Devtron holds inactive may also be updated without the
// switch (k). A push asked without the switch is sent without Activate: Devtron's active provider
// cannot change behind the admin's back even when the drift was out of date.

// devtronDriftMsg is the reply to drift request seq: the comparison of basis (the stored
// providers when it was asked) with the Devtron instance inst.
type devtronDriftMsg struct {
	seq   int
	inst  platforms.Instance
	basis map[providers.ID]providers.Credentials
	drift platforms.Drift
	err   error
}

// devtronPushedMsg ends a push of one provider to Devtron; activate says whether it was allowed
// to make the provider Devtron's active one, before is the provider's state in Devtron as the
// picker showed it when the push started ("" unknown).
type devtronPushedMsg struct {
	id       providers.ID
	activate bool
	before   platforms.DriftState
	res      platforms.PushResult
	err      error
}

// devtronPlanMsg is Devtron's answer to what a push of id would do to its active provider, read
// before the question when the drift does not say.
type devtronPlanMsg struct {
	seq  int
	id   providers.ID
	plan platforms.SwitchPlan
	err  error
}

// activatedHereMsg: after a push made id Devtron's active provider, the store made it the active
// one here too (or why not); notice is what to say.
type activatedHereMsg struct {
	id     providers.ID
	data   *config.Data
	err    error
	notice string
}

func (msg activatedHereMsg) storeData() *config.Data { return msg.data }

// devtronView is what the picker knows of the stored Devtron instance.
type devtronView struct {
	seq    int   // the latest drift request
	got    int   // the request whose reply is shown
	rev    int64 // the store revision the latest request compared (-1: none yet)
	cancel context.CancelFunc
	// drift is the comparison shown (nil: none yet, or the latest failed: err says why); inst
	// and basis are the instance and the stored providers it compared.
	drift *platforms.Drift
	err   string
	inst  platforms.Instance
	basis map[providers.ID]providers.Credentials
	// dirty are the providers pushed since the comparison shown, activeDirty whether Devtron's
	// active provider may have changed since: both are being read again.
	dirty       map[providers.ID]bool
	activeDirty bool
	// note is the notice about a push, dropped when a newer comparison contradicts it.
	note *pushNote
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

func devtronEnv(env *providers.Env) *providers.Env {
	if env == nil {
		return providers.NewEnv("ui")
	}
	return env
}

// devtronDriftCmd compares basis with Devtron instance in, as request seq; ctx ends when a newer
// request replaces it.
func devtronDriftCmd(ctx context.Context, env *providers.Env, seq int, in platforms.Instance, basis map[providers.ID]providers.Credentials) tea.Cmd {
	stored := make([]providers.Credentials, 0, len(basis))
	for _, c := range basis {
		stored = append(stored, c)
	}
	slices.SortFunc(stored, func(x, y providers.Credentials) int { return strings.Compare(string(x.Provider), string(y.Provider)) })
	env = devtronEnv(env)
	return guard(func() tea.Msg {
		msg := devtronDriftMsg{seq: seq, inst: in, basis: basis}
		dt, err := platforms.NewDevtron(env, in)
		if err != nil {
			msg.err = err
			return msg
		}
		ctx, cancel := context.WithTimeout(ctx, env.Timeout)
		defer cancel()
		msg.drift, msg.err = dt.Compare(ctx, stored)
		return msg
	})
}

// devtronPlanCmd asks Devtron what a push of id would do to its active provider.
func devtronPlanCmd(ctx context.Context, env *providers.Env, in platforms.Instance, seq int, id providers.ID) tea.Cmd {
	env = devtronEnv(env)
	return guard(func() tea.Msg {
		dt, err := platforms.NewDevtron(env, in)
		if err != nil {
			return devtronPlanMsg{seq: seq, id: id, err: err}
		}
		ctx, cancel := context.WithTimeout(ctx, env.Timeout)
		defer cancel()
		plan, err := dt.PlanPush(ctx, id)
		return devtronPlanMsg{seq: seq, id: id, plan: plan, err: err}
	})
}

// devtronPushCmd pushes creds to the Devtron instance; activate lets the push make the provider
// Devtron's active one in place of another. The session's end stops waiting.
func devtronPushCmd(ctx context.Context, env *providers.Env, in platforms.Instance, creds providers.Credentials, activate bool, before platforms.DriftState) tea.Cmd {
	env = devtronEnv(env)
	return guard(func() tea.Msg {
		msg := devtronPushedMsg{id: creds.Provider, activate: activate, before: before}
		dt, err := platforms.NewDevtron(env, in)
		if err != nil {
			msg.err = err
			return msg
		}
		msg.res, msg.err = dt.Push(ctx, creds, platforms.PushOptions{Activate: activate})
		return msg
	})
}

// activateHereCmd makes id the active provider here, after the push (pushed: its notice) made it
// Devtron's.
func activateHereCmd(ctx context.Context, s *config.Store, who string, id providers.ID, pushed string) tea.Cmd {
	name := providers.MustLookup(id).Name
	return guard(func() tea.Msg {
		d, err := s.Activate(ctx, who, string(id))
		if err != nil {
			return activatedHereMsg{id: id, err: fmt.Errorf("%s; but %s could not be made the active provider here too (%v): press a on it", pushed, name, err)}
		}
		return activatedHereMsg{id: id, data: d, notice: pushed + ". " + name + " is now the active provider here too, as in Devtron."}
	})
}

// instance is the stored Devtron instance (zero when none is stored).
func (p *picker) instance() platforms.Instance {
	if p.data == nil || p.data.Devtron == nil {
		return platforms.Instance{}
	}
	return *platforms.InstanceFromConfig(p.data.Devtron)
}

// refreshing reports whether a comparison is on its way.
func (p *picker) refreshing() bool { return p.dv.seq > p.dv.got }

// refreshDrift starts a comparison of the stored providers with the stored Devtron instance (nil
// without one); the one in flight, if any, is cancelled and its reply will be dropped.
func (p *picker) refreshDrift() tea.Cmd {
	if p.data == nil || p.data.Devtron == nil {
		return nil
	}
	dv := &p.dv
	dv.seq++
	dv.rev = p.data.Revision
	if dv.cancel != nil {
		dv.cancel()
	}
	ctx, cancel := context.WithCancel(p.c.ctx)
	dv.cancel = cancel
	basis := map[providers.ID]providers.Credentials{}
	for name, cfg := range p.data.Providers {
		basis[providers.ID(name)] = providers.FromConfig(providers.ID(name), cfg)
	}
	return devtronDriftCmd(ctx, p.c.opts.Env, dv.seq, p.instance(), basis)
}

// driftDue starts a comparison when the store changed since the latest one was asked for, and
// forgets the comparison when the Devtron instance was removed.
func (p *picker) driftDue() tea.Cmd {
	if p.data == nil || p.data.Revision == p.dv.rev {
		return nil
	}
	if p.data.Devtron == nil {
		if p.dv.cancel != nil {
			p.dv.cancel()
		}
		p.dv = devtronView{seq: p.dv.seq + 1, got: p.dv.seq + 1, rev: p.data.Revision}
		return nil
	}
	return p.refreshDrift()
}

// current is provider id's entry in the comparison shown, when it is current: of the stored
// instance and of id's settings as stored now, and id was not pushed since.
func (p *picker) current(id providers.ID) (platforms.ProviderDrift, bool) {
	dv := &p.dv
	cfg := p.configured(id)
	if dv.drift == nil || cfg == nil || dv.dirty[id] || dv.inst != p.instance() {
		return platforms.ProviderDrift{}, false
	}
	if b, ok := dv.basis[id]; !ok || b != providers.FromConfig(id, cfg) {
		return platforms.ProviderDrift{}, false
	}
	pd, ok := dv.drift.Providers[id]
	return pd, ok
}

// activeThere is Devtron's active provider as the comparison shown says, when it is current.
func (p *picker) activeThere() (providers.ID, bool) {
	dv := &p.dv
	if dv.drift == nil || dv.activeDirty || dv.inst != p.instance() {
		return "", false
	}
	return dv.drift.Active, true
}

// activeDiffers reports whether Devtron's active provider is not the one active here, as status
// reports it: a Devtron with nothing active that does not hold the provider active here has only
// not been pushed to yet.
func activeDiffers(here string, drift platforms.Drift) bool {
	there := string(drift.Active)
	if there == here {
		return false
	}
	if there == "" {
		pd, held := drift.Providers[providers.ID(here)]
		return held && pd.State != platforms.Absent && pd.State != platforms.Unsupported
	}
	return true
}

// devtronLine is the picker's line on the Devtron instance ("" without one): where it is, which
// provider is active there, and a warning when that is not the one active here.
func (p *picker) devtronLine(w int) string {
	s := p.c.styles
	if p.data == nil || p.data.Devtron == nil {
		return ""
	}
	at := "Devtron at " + safe.Text(p.data.Devtron.URL)
	dv := &p.dv
	there, known := p.activeThere()
	switch {
	case dv.drift == nil && dv.err != "" && !p.refreshing():
		return s.warn.Render(truncate(providers.Warn.Mark()+" "+at+" could not be read: "+dv.err, w))
	case !known:
		return s.dim.Render(truncate(at+" · reading its GitOps configurations…", w))
	case activeDiffers(p.data.Active, *dv.drift):
		here, thereS := p.data.Active, string(there)
		if here == "" {
			here = "none"
		}
		if thereS == "" {
			thereS = "none"
		}
		msg := providers.Warn.Mark() + " Devtron's active provider is " + thereS + ", here " + here
		var fix []string
		if there != "" && p.configured(there) != nil {
			fix = append(fix, "a on "+providers.MustLookup(there).Name)
		}
		if p.data.Active != "" {
			fix = append(fix, "p on "+providers.MustLookup(providers.ID(p.data.Active)).Name)
		}
		switch len(fix) {
		case 1:
			msg += ": " + fix[0] + " makes them agree"
		case 2:
			msg += ": " + fix[0] + ", or " + fix[1] + ", makes them agree"
		}
		return s.warn.Render(wrapText(msg, w))
	}
	active := string(there)
	if active == "" {
		active = "none"
	}
	return s.dim.Render(truncate(at+" · active there: "+active, w))
}

// devtronBadge is the picker's word on a provider's state in Devtron ("" without an instance,
// and for a provider not configured here unless it is the one active there).
func (p *picker) devtronBadge(id providers.ID) string {
	s := p.c.styles
	if p.data == nil || p.data.Devtron == nil {
		return ""
	}
	label := s.dim.Render(" · Devtron: ")
	if p.pushing == id {
		return label + p.spin.View() + s.dim.Render(" pushing…")
	}
	if p.configured(id) == nil {
		if there, ok := p.activeThere(); ok && there == id {
			return label + s.warn.Render("active there")
		}
		return ""
	}
	pd, ok := p.current(id)
	if !ok {
		if p.dv.err != "" && !p.refreshing() {
			return label + s.warn.Render("unknown")
		}
		return label + s.dim.Render("…")
	}
	there, known := p.activeThere()
	activeThere := known && there == id
	switch pd.State {
	case platforms.InSync:
		out := s.pass.Render("in sync")
		if activeThere {
			out += s.dim.Render(", ") + s.active.Render("active there")
		}
		return label + out
	case platforms.Differs:
		out := s.warn.Render("differs")
		if activeThere {
			out += s.dim.Render(", active there")
		}
		return label + out
	case platforms.Absent:
		return label + s.dim.Render("not there")
	}
	return label + s.warn.Render(string(pd.State))
}

// devtronUpdate handles the Devtron messages; ok is false for any other message.
func (p *picker) devtronUpdate(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case devtronDriftMsg:
		p.drifted(msg)
		return nil, true
	case devtronPlanMsg:
		return p.planned(msg), true
	case devtronPushedMsg:
		if p.pushing != msg.id {
			return nil, true
		}
		p.pushing = ""
		// Devtron changed (or may have): what it holds of id, and which provider is active there,
		// are read again before they are shown as current.
		if p.dv.dirty == nil {
			p.dv.dirty = map[providers.ID]bool{}
		}
		p.dv.dirty[msg.id], p.dv.activeDirty = true, true
		refresh := p.refreshDrift()
		if p.rot.pushes(msg.id) {
			return tea.Batch(p.rotationPushed(msg), refresh), true
		}
		return tea.Batch(p.pushed(msg), refresh), true
	case activatedHereMsg:
		if msg.err != nil {
			p.sayPush(msg.id, msg.err.Error(), true, true, true, "")
			return nil, true
		}
		if msg.data != nil {
			p.setData(msg.data)
		}
		p.sayPush(msg.id, msg.notice, false, true, true, "")
		return nil, true
	}
	return nil, false
}

// drifted takes a comparison's reply: only the latest request's is kept.
func (p *picker) drifted(msg devtronDriftMsg) {
	dv := &p.dv
	if msg.seq != dv.seq {
		return // a newer comparison is on its way (or the instance was removed)
	}
	if dv.cancel != nil {
		dv.cancel()
		dv.cancel = nil
	}
	dv.got, dv.inst, dv.basis, dv.dirty, dv.activeDirty = msg.seq, msg.inst, msg.basis, nil, false
	if msg.err != nil {
		dv.drift, dv.err = nil, safe.Text(msg.inst.Redact(msg.err.Error()))
		return
	}
	d := msg.drift
	dv.drift, dv.err = &d, ""
	// A push's notice does not outlive a newer view of Devtron that contradicts it.
	if n := dv.note; n != nil {
		if p.notice != n.text {
			dv.note = nil
		} else if n.contradicted(d) {
			dv.note = nil
			p.notice, p.isErr = "", false
		}
	}
}

// contradicted reports whether drift, newer than the push, says otherwise than the push's notice.
func (n *pushNote) contradicted(d platforms.Drift) bool {
	pd, ok := d.Providers[n.id]
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
	switch {
	case p.data == nil || p.data.Devtron == nil:
		p.say("no Devtron instance is stored: run `gitopscfg devtron set --url URL --token-stdin` first", true)
	case cfg == nil:
		p.say(sel.Name+" is not configured yet: nothing to push", true)
	case p.pushing != "":
		p.say("a push to Devtron is running already", true)
	case latestRecord(cfg) == nil:
		p.say(sel.Name+" has not been checked since it was last set: press t to test it before pushing", true)
	case !latestRecord(cfg).OK:
		p.say(sel.Name+"'s last check failed: fix it and press t before pushing", true)
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
		return tea.Batch(devtronPlanCmd(p.c.ctx, p.c.opts.Env, p.instance(), p.seq, sel.ID), p.spin.Tick)
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
	url := safe.Text(p.data.Devtron.URL)
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

func latestRecord(c *config.Provider) *config.CheckRecord {
	r := c.LastCheck
	if c.LastDeep != nil && (r == nil || c.LastDeep.At.After(r.At)) {
		r = c.LastDeep
	}
	return r
}

// push starts the confirmed push; activate lets it make id Devtron's active provider.
func (p *picker) push(id providers.ID, activate bool) tea.Cmd {
	cfg := p.configured(id)
	if cfg == nil || p.data.Devtron == nil {
		p.say(providers.MustLookup(id).Name+" was not pushed: it is no longer configured (another writer changed the store)", true)
		return nil
	}
	p.pushing = id
	p.notice = ""
	var before platforms.DriftState
	if pd, ok := p.current(id); ok {
		before = pd.State
	}
	creds := providers.FromConfig(id, cfg)
	return tea.Batch(devtronPushCmd(p.c.ctx, p.c.opts.Env, p.instance(), creds, activate, before), p.spin.Tick)
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
	case msg.err != nil && msg.res.Outcome == "":
		p.sayPush(msg.id, name+" was not pushed: "+msg.err.Error(), true, false, false, msg.before)
	case msg.res.OK():
		text := name + ": " + msg.res.Message
		if !msg.res.Active || p.data == nil || p.data.Active == string(msg.id) {
			p.sayPush(msg.id, text, false, true, msg.res.Active, msg.before)
			return nil
		}
		if msg.activate {
			p.sayPush(msg.id, text+"; making "+name+" the active provider here too…", false, true, true, msg.before)
			return activateHereCmd(p.c.ctx, p.c.store, p.c.opts.Who, msg.id, text)
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
