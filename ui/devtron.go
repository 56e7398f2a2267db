package ui

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
	"gitopscfg/config/safe"
	"gitopscfg/platforms"
	"gitopscfg/providers"
	"gitopscfg/usecase"
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

// devtronDriftCmd compares the providers d stores with d's Devtron instance, as request seq; ctx
// ends when a newer request replaces it.
func devtronDriftCmd(ctx context.Context, b *usecase.Backend, seq int, d *config.Data) tea.Cmd {
	msg := devtronDriftMsg{seq: seq, inst: *usecase.DevtronInstance(d), basis: map[providers.ID]providers.Credentials{}}
	for name, cfg := range d.Credentials {
		msg.basis[providers.ID(name)] = providers.FromConfig(string(providers.ID(name)), cfg)
	}
	return guard(func() tea.Msg {
		dd := b.CompareDevtron(ctx, d)
		msg.drift, msg.err = dd.Drift, dd.Err
		return msg
	})
}

// instance is the stored Devtron instance (zero when none is stored).
func (p *picker) instance() platforms.Instance {
	if p.data == nil || usecase.StoredDevtron(p.data) == nil {
		return platforms.Instance{}
	}
	return *usecase.DevtronInstance(p.data)
}

// refreshing reports whether a comparison is on its way.
func (p *picker) refreshing() bool { return p.dv.seq > p.dv.got }

// refreshDrift starts a comparison of the stored providers with the stored Devtron instance (nil
// without one); the one in flight, if any, is cancelled and its reply will be dropped.
func (p *picker) refreshDrift() tea.Cmd {
	if p.data == nil || usecase.StoredDevtron(p.data) == nil {
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
	return devtronDriftCmd(ctx, p.c.backend(), dv.seq, p.data.Clone())
}

// driftDue starts a comparison when the store changed since the latest one was asked for, and
// forgets the comparison when the Devtron instance was removed.
func (p *picker) driftDue() tea.Cmd {
	if p.data == nil || p.data.Revision == p.dv.rev {
		return nil
	}
	if usecase.StoredDevtron(p.data) == nil {
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
	if b, ok := dv.basis[id]; !ok || b != providers.FromConfig(string(id), cfg) {
		return platforms.ProviderDrift{}, false
	}
	pd, ok := dv.drift.Credentials[string(id)]
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

// devtronLine is the picker's line on the Devtron instance ("" without one): where it is, which
// provider is active there, and a warning when that is not the one active here.
func (p *picker) devtronLine(w int) string {
	s := p.c.styles
	if p.data == nil || usecase.StoredDevtron(p.data) == nil {
		return ""
	}
	at := "Devtron at " + safe.Text(usecase.StoredDevtron(p.data).URL)
	dv := &p.dv
	there, known := p.activeThere()
	switch {
	case dv.drift == nil && dv.err != "" && !p.refreshing():
		return s.warn.Render(truncate(providers.Warn.Mark()+" "+at+" could not be read: "+dv.err, w))
	case !known:
		return s.dim.Render(truncate(at+" · reading its GitOps configurations…", w))
	case usecase.ActiveDiffers(p.data, *dv.drift):
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
	if p.data == nil || usecase.StoredDevtron(p.data) == nil {
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
		return tea.Batch(p.pushed(msg), refresh), true
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
