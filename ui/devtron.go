package ui

import (
	"context"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

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
	insts map[string]instanceDrift
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
	insts map[string]*instanceView
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
	msg := devtronDriftMsg{seq: seq, basis: map[string]providers.Credentials{}, insts: map[string]instanceDrift{}}
	for name, cfg := range d.Credentials {
		msg.basis[name] = providers.FromConfig(name, cfg)
	}
	return guard(func() tea.Msg {
		for _, dd := range b.CompareDevtrons(ctx, d) {
			in := platforms.InstanceOf(platforms.KindDevtron, dd.Name, d.Platforms[string(platforms.KindDevtron)][dd.Name])
			msg.insts[dd.Name] = instanceDrift{inst: *in, drift: dd.Drift, err: dd.Err}
		}
		return msg
	})
}

// instances are the names of the stored Devtron instances, sorted.
func (p *picker) instances() []string {
	if p.data == nil {
		return nil
	}
	return p.data.InstanceNames(string(platforms.KindDevtron))
}

// instance is the stored Devtron instance name (zero when none is stored by that name).
func (p *picker) instance(name string) platforms.Instance {
	if p.data == nil {
		return platforms.Instance{}
	}
	if in := platforms.InstanceOf(platforms.KindDevtron, name, p.data.Platforms[string(platforms.KindDevtron)][name]); in != nil {
		return *in
	}
	return platforms.Instance{}
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
func (p *picker) shown(inst string) *instanceView {
	iv := p.dv.insts[inst]
	if iv == nil || iv.inst != p.instance(inst) {
		return nil
	}
	return iv
}

// current is credential name's entry in the comparison shown of the instance inst, when it is
// current: of that instance as stored and of the settings of name and of every other credential
// of its provider as stored now, and none of them was pushed there since.
func (p *picker) current(inst, name string) (platforms.ProviderDrift, bool) {
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
func (p *picker) activeThere(inst string) (providers.ID, bool) {
	iv := p.shown(inst)
	if iv == nil || iv.drift == nil || iv.activeDirty {
		return "", false
	}
	return iv.drift.Active, true
}

// heldThere is the stored credential of provider id that the instance inst holds (in sync), else
// the first stored one of id ("" none).
func (p *picker) heldThere(inst string, id providers.ID) string {
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

// devtronLine is the picker's lines on the Devtron instances ("" without one), one per instance
// (named when there are several): where it is, which provider is active there, and a warning when
// that is not the one active here.
func (p *picker) devtronLine(w int) string {
	names := p.instances()
	lines := make([]string, len(names))
	for i, n := range names {
		lines[i] = p.instanceLine(n, len(names) > 1, w)
	}
	return strings.Join(lines, "\n")
}

// instanceLine is devtronLine's line on the instance inst; named says it by its name.
func (p *picker) instanceLine(inst string, named bool, w int) string {
	s := p.c.styles
	dt := "Devtron"
	if named {
		dt += " " + inst
	}
	at := dt + " at " + safe.Text(p.instance(inst).URL)
	iv := p.dv.insts[inst]
	there, known := p.activeThere(inst)
	switch {
	case iv != nil && iv.drift == nil && iv.err != "" && !p.refreshing():
		return s.warn.Render(truncate(providers.Warn.Mark()+" "+at+" could not be read: "+iv.err, w))
	case !known:
		return s.dim.Render(truncate(at+" · reading its GitOps configurations…", w))
	case usecase.ActiveDiffers(p.data, *iv.drift):
		here, thereS := "none", string(there)
		msg := ""
		if c := p.configured(p.data.Active); c != nil {
			here = c.Provider
			if p.data.Active != c.Provider {
				here += " (" + p.data.Active + ")"
			}
			if pd, ok := iv.drift.Credentials[p.data.Active]; ok && c.Provider == thereS && pd.State == platforms.Other {
				// the same provider, but another credential of it
				msg = providers.Warn.Mark() + " " + dt + " holds " + p.label(pd.Holder) + ", here " + p.label(p.data.Active) + " is active"
			}
		}
		if thereS == "" {
			thereS = "none"
		}
		if msg == "" {
			msg = providers.Warn.Mark() + " " + dt + "'s active provider is " + thereS + ", here " + here
		}
		var fix []string
		if held := p.heldThere(inst, there); there != "" && held != "" {
			fix = append(fix, "a on "+p.label(held))
		}
		if p.data.Active != "" {
			fix = append(fix, "p on "+p.label(p.data.Active))
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

// instanceState is a row's credential's state in one Devtron instance, as the picker words it:
// full ("in sync, active there"), short (the state alone, for the count of instances in that
// state) and key (short, plain: which count it adds to).
type instanceState struct {
	inst, full, short, key string
}

// stateIn is row e's credential's state in the Devtron instance inst; ok is false for a row of a
// provider not configured here unless it is the one active there.
func (p *picker) stateIn(inst string, e entry) (st instanceState, ok bool) {
	s := p.c.styles
	word := func(full, short, key string) (instanceState, bool) {
		return instanceState{inst: inst, full: full, short: short, key: key}, true
	}
	if e.name != "" && p.pushing == e.name && p.pushingTo == inst {
		w := p.spin.View() + s.dim.Render(" pushing…")
		return word(w, w, "pushing")
	}
	there, known := p.activeThere(inst)
	if e.name == "" || p.configured(e.name) == nil {
		if known && there == e.p.ID {
			return word(s.warn.Render("active there"), s.warn.Render("active there"), "active there")
		}
		return instanceState{}, false
	}
	pd, current := p.current(inst, e.name)
	if !current {
		if iv := p.dv.insts[inst]; iv != nil && iv.err != "" && !p.refreshing() {
			return word(s.warn.Render("unknown"), s.warn.Render("unknown"), "unknown")
		}
		return word(s.dim.Render("…"), s.dim.Render("…"), "…")
	}
	activeThere := known && there == e.p.ID
	switch pd.State {
	case platforms.InSync:
		out := s.pass.Render("in sync")
		if activeThere {
			out += s.dim.Render(", ") + s.active.Render("active there")
		}
		return word(out, s.pass.Render("in sync"), "in sync")
	case platforms.Differs:
		out := s.warn.Render("differs")
		if activeThere {
			out += s.dim.Render(", active there")
		}
		return word(out, s.warn.Render("differs"), "differs")
	case platforms.Absent:
		return word(s.dim.Render("not there"), s.dim.Render("not there"), "not there")
	case platforms.Other:
		w := s.warn.Render("holds " + pd.Holder)
		return word(w, w, "holds "+pd.Holder)
	}
	w := s.warn.Render(string(pd.State))
	return word(w, w, string(pd.State))
}

// devtronBadge is the picker's word on a row's credential's state in Devtron ("" without an
// instance, and for a provider not configured here unless it is the one active there), in room
// cells. With several instances it names each and its state ("default in sync · staging holds
// acme-infra"); when that does not fit, it counts the instances in each state ("1 in sync · 1
// holds acme-infra"), or at the least says on how many it is in sync ("in sync on 1 of 2"), and
// compact is true (unless every instance is in the same state): the full help (?) shows each
// instance's state then (devtronDetail).
func (p *picker) devtronBadge(e entry, room int) (badge string, compact bool) {
	s := p.c.styles
	names := p.instances()
	label := s.dim.Render(" · Devtron: ")
	if len(names) == 1 {
		if st, ok := p.stateIn(names[0], e); ok {
			return label + st.full, false
		}
		return "", false
	}
	states := p.statesOf(e)
	if len(states) == 0 {
		return "", false
	}
	parts := make([]string, len(states))
	for i, st := range states {
		parts[i] = s.dim.Render(st.inst+" ") + st.full
	}
	if full := label + strings.Join(parts, s.dim.Render(" · ")); lipgloss.Width(full) <= room {
		return full, false
	}
	counted, same := p.countStates(states)
	if lipgloss.Width(label+counted) <= room {
		return label + counted, !same // the same state in every instance: nothing more to show
	}
	// the fewest words: on how many of the instances it is in sync
	n := 0
	for _, st := range states {
		if st.key == "in sync" {
			n++
		}
	}
	of := itoa(n)
	if n == 0 {
		of = "none"
	}
	tally := s.warn.Render("in sync on " + of + " of " + itoa(len(states)))
	if n == len(states) {
		tally = s.pass.Render("in sync on all " + itoa(n))
	}
	return label + tally, true
}

// statesOf is row e's credential's state in each stored Devtron instance that has one to show.
func (p *picker) statesOf(e entry) []instanceState {
	var out []instanceState
	for _, n := range p.instances() {
		if st, ok := p.stateIn(n, e); ok {
			out = append(out, st)
		}
	}
	return out
}

// countStates counts the instances in each state, in the order of the instances: "1 in sync · 1
// holds acme-infra"; when all are in the same (same), it is that state alone ("not there").
func (p *picker) countStates(states []instanceState) (counted string, same bool) {
	s := p.c.styles
	var keys []string
	count, short := map[string]int{}, map[string]string{}
	for _, st := range states {
		if count[st.key] == 0 {
			keys = append(keys, st.key)
			short[st.key] = st.short
		}
		count[st.key]++
	}
	if len(keys) == 1 {
		return short[keys[0]], true
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		w := short[k]
		if count[k] > 1 {
			switch {
			case k == "differs":
				w = s.warn.Render("differ")
			case strings.HasPrefix(k, "holds "):
				w = s.warn.Render("hold " + strings.TrimPrefix(k, "holds "))
			}
		}
		parts[i] = s.dim.Render(itoa(count[k])+" ") + w
	}
	return strings.Join(parts, s.dim.Render(" · ")), false
}

// devtronDetail is row e's credential's state in each Devtron instance, on lines of w cells:
// what a compact badge counts.
func (p *picker) devtronDetail(e entry, w int) []string {
	s := p.c.styles
	var lines []string
	line := s.dim.Render("Devtron:")
	for i, st := range p.statesOf(e) {
		part := s.dim.Render(st.inst+" ") + st.full
		switch {
		case i == 0:
			line += " " + part
		case lipgloss.Width(line+" · "+part) > w:
			lines = append(lines, truncateStyled(line, w))
			line = part
		default:
			line += s.dim.Render(" · ") + part
		}
	}
	return append(lines, truncateStyled(line, w))
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
		p.pushing, p.pushingTo = "", ""
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
	dv.got, dv.basis, dv.insts = msg.seq, msg.basis, map[string]*instanceView{}
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
