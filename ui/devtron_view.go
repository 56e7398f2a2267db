package ui

import (
	"strings"

	"charm.land/lipgloss/v2"

	"gitopscfg/config/safe"
	"gitopscfg/platforms"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// devtronLine is the picker's lines on the platform instances ("" without one), one per instance
// (named when there are several): where it is, which provider is active there (Devtron), and a
// warning when that is not the one active here, or when it holds credentials no longer stored.
func (p *picker) devtronLine(w int) string {
	names := p.instances()
	lines := make([]string, len(names))
	for i, n := range names {
		lines[i] = p.instanceLine(n, w)
	}
	return strings.Join(lines, "\n")
}

// instanceLine is devtronLine's line on the instance inst.
func (p *picker) instanceLine(inst instKey, w int) string {
	s := p.c.styles
	dt := p.named(inst)
	at := dt + " at " + safe.Text(p.where(inst))
	iv := p.dv.insts[inst]
	there, known := p.activeThere(inst)
	switch {
	case iv != nil && iv.drift == nil && iv.err != "" && !p.refreshing():
		return s.warn.Render(truncate(providers.Warn.Mark()+" "+at+" could not be read: "+iv.err, w))
	case !known && inst.spec().OneActive:
		return s.dim.Render(truncate(at+" · reading its GitOps configurations…", w))
	case !known:
		return s.dim.Render(truncate(at+" · reading what it holds…", w))
	case !inst.spec().OneActive:
		return p.clusterLine(inst, at, w)
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
	inst             instKey
	full, short, key string
}

// stateIn is row e's credential's state in the Devtron instance inst; ok is false for a row of a
// provider not configured here unless it is the one active there.
func (p *picker) stateIn(inst instKey, e entry) (st instanceState, ok bool) {
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
	label := s.dim.Render(" · ")
	if p.oneKind() && len(names) > 0 {
		label = s.dim.Render(" · " + names[0].spec().Name + ": ")
	}
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
		parts[i] = s.dim.Render(p.listName(st.inst)+" ") + st.full
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
	line := s.dim.Render("Platforms:")
	if p.oneKind() {
		line = s.dim.Render(p.instances()[0].spec().Name + ":")
	}
	for i, st := range p.statesOf(e) {
		part := s.dim.Render(p.listName(st.inst)+" ") + st.full
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

// clusterLine is the line on an instance with no active configuration (a cluster): where it is
// and, when it holds credentials no longer stored, a warning naming them and the way to prune.
func (p *picker) clusterLine(inst instKey, at string, w int) string {
	s := p.c.styles
	orphans := p.dv.insts[inst].drift.Orphaned
	if len(orphans) == 0 {
		return s.dim.Render(truncate(at, w))
	}
	return s.warn.Render(wrapText(providers.Warn.Mark()+" "+at+" holds what was pushed for credentials no longer stored ("+
		strings.Join(orphans, ", ")+"): `gitopscfg push "+string(inst.kind)+" --prune` deletes it", w))
}
