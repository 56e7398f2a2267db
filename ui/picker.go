package ui

import (
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// quitMsg asks the root to end the session.
type quitMsg struct{}

// openEditorMsg asks the root to open the editor of a provider.
type openEditorMsg struct {
	id providers.ID
}

// picker lists the four providers with their state and acts on the selected one.
type picker struct {
	size
	c       *common
	data    *config.Data
	cursor  int
	seq     int
	testing map[providers.ID]int // provider → sequence of its re-test in flight
	all     *retestAll           // the tally of the last re-test of all (T), summed up in the notice
	spin    spinner.Model
	full    bool // full help shown
	// yn is the y/N question asked before acting on a provider (nil: none).
	yn     *pickerQuestion
	notice string
	isErr  bool
	// Devtron: what the picker knows of the instance (devtron.go), the provider whose push runs,
	// the push waiting for an answer.
	dv      devtronView
	pushing providers.ID
	ask     *pushAsk
	// rot is the rotation of a provider's token (R), a screen of its own shown in the list's
	// place, from the moment it opens until the admin leaves it (the root routes to it).
	rot *rotateScreen
}

// pickerQuestion is a question the picker asks before it acts on provider id.
type pickerQuestion struct {
	q   *confirm
	id  providers.ID
	act pickerAct
}

// pickerAct is what a yes to the picker's question does.
type pickerAct int

const (
	actRemove    pickerAct = iota // d: remove the provider and its token
	actRoundTrip                  // r: run the round trip (it creates and deletes a repository)
)

func newPicker(c *common) *picker {
	return &picker{c: c, testing: map[providers.ID]int{}, spin: c.newSpinner(), dv: devtronView{rev: -1}}
}

func (p *picker) selected() providers.Provider { return providers.All()[p.cursor] }

func (p *picker) configured(id providers.ID) *config.Credential {
	if p.data == nil {
		return nil
	}
	return p.data.Credentials[string(id)]
}

// setData shows a new state of the store, selecting the active provider on first show.
func (p *picker) setData(d *config.Data) {
	first := p.data == nil
	p.data = d
	if first && d.Active != "" {
		for i, id := range providers.IDs {
			if string(id) == d.Active {
				p.cursor = i
			}
		}
	}
}

func (p *picker) say(notice string, isErr bool) { p.notice, p.isErr = notice, isErr }

func (p *picker) Init() tea.Cmd { return nil }

func (p *picker) Update(msg tea.Msg) (screen, tea.Cmd) { return p, p.update(msg) }

func (p *picker) update(msg tea.Msg) tea.Cmd {
	if cmd, ok := p.devtronUpdate(msg); ok {
		return cmd
	}
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if len(p.testing) == 0 && p.pushing == "" && (p.ask == nil || !p.ask.planning) {
			return nil
		}
		var cmd tea.Cmd
		p.spin, cmd = p.spin.Update(msg)
		return cmd
	case retestedMsg:
		if p.testing[msg.id] != msg.seq {
			return nil // superseded: a newer re-test of this provider is running; this result is not kept
		}
		return recordRetestCmd(p.c.ctx, p.c.store, p.c.opts.Who, msg)
	case retestMsg:
		if p.testing[msg.id] != msg.seq {
			return nil // superseded while it was being recorded
		}
		delete(p.testing, msg.id)
		name := providers.MustLookup(msg.id).Name
		switch {
		case msg.err == errStale:
			p.say(name+" changed during the re-test; its result was not recorded", true)
		case msg.err != nil:
			p.say("could not record the result of "+name+": "+msg.err.Error(), true)
		default:
			p.data = msg.data
			if n := warnings(msg.result.Record(p.c.now(), false)); msg.result.OK && n > 0 {
				p.say(name+": passed with "+plural(n, "warning")+" (enter to see them)", false)
			} else if msg.result.OK {
				p.say(name+": all checks passed", false)
			} else {
				p.say(name+": "+failSummary(msg.result)+" (enter to see and fix)", true)
			}
		}
		if notice, isErr, ok := p.all.tally(msg.id, msg.result, msg.err); ok {
			p.say(notice, isErr) // T: a summary of all, whichever finished last
		}
		return nil
	case changedMsg:
		if msg.err != nil {
			p.say(msg.err.Error(), true)
			if p.c.store != nil {
				return loadCmd(p.c.store)
			}
			return nil
		}
		p.data = msg.data
		p.say(msg.notice, false)
		return nil
	case tea.KeyPressMsg:
		return p.key(msg)
	}
	return nil
}
