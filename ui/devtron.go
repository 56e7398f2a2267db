package ui

import (
	"context"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
)

// devtronDriftMsg is the comparison of the stored providers with the stored Devtron instance.
type devtronDriftMsg struct {
	url   string
	drift platforms.Drift
	err   error
}

// devtronPushedMsg ends a push of one provider to Devtron.
type devtronPushedMsg struct {
	id  providers.ID
	res platforms.PushResult
	err error
}

func devtronEnv(env *providers.Env) *providers.Env {
	if env == nil {
		return providers.NewEnv("ui")
	}
	return env
}

// devtronDriftCmd reads Devtron's configurations and compares them with d's (nil: no instance).
func devtronDriftCmd(ctx context.Context, env *providers.Env, d *config.Data) tea.Cmd {
	if d == nil || d.Devtron == nil {
		return nil
	}
	in := *platforms.InstanceFromConfig(d.Devtron)
	var stored []providers.Credentials
	for name, p := range d.Providers {
		stored = append(stored, providers.FromConfig(providers.ID(name), p))
	}
	slices.SortFunc(stored, func(x, y providers.Credentials) int { return strings.Compare(string(x.Provider), string(y.Provider)) })
	env = devtronEnv(env)
	return func() tea.Msg {
		dt, err := platforms.NewDevtron(env, in)
		if err != nil {
			return devtronDriftMsg{url: in.URL, err: err}
		}
		ctx, cancel := context.WithTimeout(ctx, env.Timeout)
		defer cancel()
		drift, err := dt.Compare(ctx, stored)
		return devtronDriftMsg{url: in.URL, drift: drift, err: err}
	}
}

// devtronPushCmd pushes creds to the Devtron instance; the session's end stops waiting.
func devtronPushCmd(ctx context.Context, env *providers.Env, in platforms.Instance, creds providers.Credentials) tea.Cmd {
	env = devtronEnv(env)
	return func() tea.Msg {
		dt, err := platforms.NewDevtron(env, in)
		if err != nil {
			return devtronPushedMsg{id: creds.Provider, err: err}
		}
		res, err := dt.Push(ctx, creds, platforms.PushOptions{})
		return devtronPushedMsg{id: creds.Provider, res: res, err: err}
	}
}

// devtronBadge is the picker's word on a provider's state in Devtron ("" without an instance).
func (p *picker) devtronBadge(id providers.ID) string {
	s := p.c.styles
	if p.data == nil || p.data.Devtron == nil {
		return ""
	}
	label := s.dim.Render(" · Devtron: ")
	if p.pushing == id {
		return label + p.spin.View() + s.dim.Render(" pushing…")
	}
	if p.drift == nil {
		if p.driftErr != "" {
			return label + s.warn.Render("unknown")
		}
		return label + s.dim.Render("…")
	}
	pd, ok := p.drift.Providers[id]
	if !ok {
		return label + s.dim.Render("…")
	}
	switch pd.State {
	case platforms.InSync:
		out := s.pass.Render("in sync")
		if pd.ActiveThere {
			out += s.dim.Render(", ") + s.active.Render("active there")
		}
		return label + out
	case platforms.Differs:
		out := s.warn.Render("differs")
		if pd.ActiveThere {
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
		if p.data == nil || p.data.Devtron == nil || p.data.Devtron.URL != msg.url {
			return nil, true // stale
		}
		if msg.err != nil {
			p.drift, p.driftErr = nil, msg.err.Error()
			return nil, true
		}
		d := msg.drift
		p.drift, p.driftErr = &d, ""
		return nil, true
	case devtronPushedMsg:
		if p.pushing != msg.id {
			return nil, true
		}
		p.pushing = ""
		if p.rot.pushes(msg.id) {
			return tea.Batch(p.rotationPushed(msg), devtronDriftCmd(p.c.ctx, p.c.opts.Env, p.data)), true
		}
		name := providers.MustLookup(msg.id).Name
		switch {
		case msg.err != nil && msg.res.Outcome == "":
			p.say(name+" was not pushed: "+msg.err.Error(), true)
		case msg.res.OK():
			p.say(name+": "+msg.res.Message, false)
		default:
			p.say(name+": "+msg.res.Message, true)
		}
		return devtronDriftCmd(p.c.ctx, p.c.opts.Env, p.data), true
	}
	return nil, false
}

// startPush asks to confirm a push of the selected provider, or says why it cannot be pushed.
func (p *picker) startPush(sel providers.Provider) {
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
		p.confirmPush = sel.ID
		p.notice = ""
	}
}

func latestRecord(c *config.Provider) *config.CheckRecord {
	r := c.LastCheck
	if c.LastDeep != nil && (r == nil || c.LastDeep.At.After(r.At)) {
		r = c.LastDeep
	}
	return r
}

// push starts the confirmed push.
func (p *picker) push(id providers.ID) tea.Cmd {
	p.pushing = id
	p.notice = ""
	creds := providers.FromConfig(id, p.configured(id))
	return tea.Batch(devtronPushCmd(p.c.ctx, p.c.opts.Env, *platforms.InstanceFromConfig(p.data.Devtron), creds), p.spin.Tick)
}
