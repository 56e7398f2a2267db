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

// The picker's view of the stored Devtron instances: which configurations each holds and which
// provider is active there (the drift), kept as fresh as the store. Devtron holds one
// configuration per provider, so each stored credential is compared with its provider's there:
// in sync, differs, not there, or "holds" another stored credential of the same provider
// (platforms.Other). One comparison reads every instance (usecase.CompareDevtrons). Every change
// of the store (a save, an activation, a recorded check, another writer's change), every push and
// every return of the terminal's focus starts a new comparison; each is tagged with a sequence
// number, and only the reply to the latest one is kept (an older one still in flight is
// cancelled). While one runs, a credential whose provider's settings changed since the comparison
// shown shows as being read again ("…") in every instance, one just pushed in the instance it was
// pushed to, never as its old state.
//
// A push never changes Devtron's active provider without asking: when it would (from the drift,
// or from Devtron itself when the drift does not say), the question says from which provider to
// which, yes pushes with Activate and then makes the provider the active one here too, so that the
// ✓ and Devtron agree; a configuration Devtron holds inactive may also be updated without the
// switch (k). A push asked without the switch is sent without Activate: Devtron's active provider
// cannot change behind the admin's back even when the drift was out of date.

// devtronDriftMsg is the reply to drift request seq: the comparison of basis (the stored
// credentials, by name, when it was asked) with every stored Devtron instance, by name.
type devtronDriftMsg struct {
	seq   int
	basis map[string]providers.Credentials
	insts map[instKey]instanceDrift
}

// instanceDrift is one Devtron instance's part of a comparison: the instance compared, and what it
// holds (or why it could not be read).
type instanceDrift struct {
	inst  platforms.Instance
	drift platforms.Drift
	err   error
}

// devtronView is what the picker knows of the stored Devtron instances.
type devtronView struct {
	seq    int   // the latest drift request
	got    int   // the request whose reply is shown
	rev    int64 // the store revision the latest request compared (-1: none yet)
	cancel context.CancelFunc
	// basis is the stored credentials the comparison shown compared; insts is what it read of
	// each instance, by name.
	basis map[string]providers.Credentials
	insts map[instKey]*instanceView
	// note is the notice about a push, dropped when a newer comparison contradicts it.
	note *pushNote
}

// instanceView is what the comparison shown read of one Devtron instance.
type instanceView struct {
	// drift is what it holds (nil: it could not be read, err says why); inst is the instance as
	// it was compared.
	drift *platforms.Drift
	err   string
	inst  platforms.Instance
	// dirty are the providers a credential of which was pushed there since the comparison shown,
	// activeDirty whether its active provider may have changed since: both are being read again.
	dirty       map[providers.ID]bool
	activeDirty bool
}

// devtronDriftCmd compares the credentials d stores with each of d's Devtron instances (one
// usecase.CompareDevtrons), as request seq; ctx ends when a newer request replaces it.
func devtronDriftCmd(ctx context.Context, b *usecase.Backend, seq int, d *config.Data) tea.Cmd {
	msg := devtronDriftMsg{seq: seq, basis: map[string]providers.Credentials{}, insts: map[instKey]instanceDrift{}}
	for name, cfg := range d.Credentials {
		msg.basis[name] = providers.FromConfig(name, cfg)
	}
	return guard(func() tea.Msg {
		for _, dd := range b.CompareAll(ctx, d) {
			in := platforms.InstanceOf(dd.Kind, dd.Name, d.Platforms[string(dd.Kind)][dd.Name])
			msg.insts[instKey{dd.Kind, dd.Name}] = instanceDrift{inst: *in, drift: dd.Drift, err: dd.Err}
		}
		return msg
	})
}

// refreshing reports whether a comparison is on its way.
func (p *picker) refreshing() bool { return p.dv.seq > p.dv.got }

// refreshDrift starts a comparison of the stored credentials with every stored Devtron instance
// (nil without one); the one in flight, if any, is cancelled and its reply will be dropped.
func (p *picker) refreshDrift() tea.Cmd {
	if len(p.instances()) == 0 {
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
// forgets the comparison when the last Devtron instance was removed.
func (p *picker) driftDue() tea.Cmd {
	if p.data == nil || p.data.Revision == p.dv.rev {
		return nil
	}
	if len(p.instances()) == 0 {
		if p.dv.cancel != nil {
			p.dv.cancel()
		}
		p.dv = devtronView{seq: p.dv.seq + 1, got: p.dv.seq + 1, rev: p.data.Revision}
		return nil
	}
	return p.refreshDrift()
}

// shown is what the comparison shown read of the instance inst, when it is the instance stored
// by that name now (nil otherwise).
func (p *picker) shown(inst instKey) *instanceView {
	iv := p.dv.insts[inst]
	if iv == nil || iv.inst != p.instance(inst) {
		return nil
	}
	return iv
}

// current is credential name's entry in the comparison shown of the instance inst, when it is
// current: of that instance as stored and of the settings of name and of every other credential
// of its provider as stored now, and none of them was pushed there since.
func (p *picker) current(inst instKey, name string) (platforms.ProviderDrift, bool) {
	iv := p.shown(inst)
	cfg := p.configured(name)
	if iv == nil || iv.drift == nil || cfg == nil || iv.dirty[providers.ID(cfg.Provider)] {
		return platforms.ProviderDrift{}, false
	}
	same := credentialsOf(p.data, providers.ID(cfg.Provider))
	for other, b := range p.dv.basis {
		if b.Provider == providers.ID(cfg.Provider) && p.configured(other) == nil {
			return platforms.ProviderDrift{}, false // a credential of the provider compared is gone
		}
	}
	for _, n := range same {
		if b, ok := p.dv.basis[n]; !ok || b != providers.FromConfig(n, p.configured(n)) {
			return platforms.ProviderDrift{}, false
		}
	}
	st, ok := iv.drift.Credentials[name]
	return st, ok
}

// activeThere is the active provider of the Devtron instance inst as the comparison shown says,
// when it is current.
func (p *picker) activeThere(inst instKey) (providers.ID, bool) {
	iv := p.shown(inst)
	if iv == nil || iv.drift == nil || iv.activeDirty {
		return "", false
	}
	return iv.drift.Active, true
}

// heldThere is the stored credential of provider id that the instance inst holds (in sync), else
// the first stored one of id ("" none).
func (p *picker) heldThere(inst instKey, id providers.ID) string {
	names := credentialsOf(p.data, id)
	for _, n := range names {
		if st, ok := p.current(inst, n); ok && st.State == platforms.InSync {
			return n
		}
	}
	if len(names) > 0 {
		return names[0]
	}
	return ""
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
		if p.pushing != msg.name || p.pushingTo != msg.instance {
			return nil, true
		}
		p.pushing, p.pushingTo = "", instKey{}
		// The instance changed (or may have): what it holds of the credential's provider, and
		// which provider is active there, are read again before they are shown as current.
		if iv := p.dv.insts[msg.instance]; iv != nil {
			if iv.dirty == nil {
				iv.dirty = map[providers.ID]bool{}
			}
			iv.dirty[msg.provider], iv.activeDirty = true, true
		}
		refresh := p.refreshDrift()
		return tea.Batch(p.pushed(msg), refresh), true
	}
	return nil, false
}

// drifted takes a comparison's reply: only the latest request's is kept.
func (p *picker) drifted(msg devtronDriftMsg) {
	dv := &p.dv
	if msg.seq != dv.seq {
		return // a newer comparison is on its way (or the instances were removed)
	}
	if dv.cancel != nil {
		dv.cancel()
		dv.cancel = nil
	}
	dv.got, dv.basis, dv.insts = msg.seq, msg.basis, map[instKey]*instanceView{}
	for name, id := range msg.insts {
		iv := &instanceView{inst: id.inst}
		if id.err != nil {
			iv.err = safe.Text(id.inst.Redact(id.err.Error()))
		} else {
			d := id.drift
			iv.drift = &d
		}
		dv.insts[name] = iv
	}
	// A push's notice does not outlive a newer view of Devtron that contradicts it.
	if n := dv.note; n != nil {
		if p.notice != n.text {
			dv.note = nil
		} else if n.contradicted(dv.insts) {
			dv.note = nil
			p.notice, p.isErr = "", false
		}
	}
}
