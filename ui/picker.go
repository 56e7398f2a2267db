package ui

import (
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// quitMsg asks the root to end the session.
type quitMsg struct{}

// openEditorMsg asks the root to open the editor of credential name, of provider id.
type openEditorMsg struct {
	id   providers.ID
	name string
	// kind is a new credential's kind ("": a token).
	kind string
}

// picker lists the stored credentials under their provider, with their state, and acts on the
// selected one (picker_rows.go).
type picker struct {
	size
	c       *common
	data    *config.Data
	cursor  int      // the selected row (rows)
	scroll  scroller // the list's window when it does not fit (picker_scroll.go)
	seq     int
	testing map[string]int // credential → sequence of its re-test in flight
	all     *retestAll     // the tally of the last re-test of all (T), summed up in the notice
	spin    spinner.Model
	full    bool // full help shown
	// yn is the y/N question asked before acting on a provider (nil: none).
	yn     *pickerQuestion
	notice string
	isErr  bool
	// Devtron: what the picker knows of its instances (devtron.go), the push that runs, the push
	// waiting for an answer.
	dv        devtronView
	pushing   string  // the credential being pushed ("" none)
	pushingTo instKey // the platform instance it is pushed to
	ask       *pushAsk
	which     *pushChoice // the question to which instance a push goes (devtron_choose.go)
	batch     *pushBatch  // a push to all instances under way
	// rot is the rotation of a credential's token (R), a screen of its own shown in the list's
	// place, from the moment it opens until the admin leaves it (the root routes to it).
	rot *rotateScreen
}

// pickerQuestion is a question the picker asks before it acts on credential name.
type pickerQuestion struct {
	q    *confirm
	name string
	act  pickerAct
}

// pickerAct is what a yes to the picker's question does.
type pickerAct int

const (
	actRemove    pickerAct = iota // d: remove the credential and its token
	actRoundTrip                  // r: run the round trip (it creates and deletes a repository)
)

func newPicker(c *common) *picker {
	return &picker{c: c, testing: map[string]int{}, spin: c.newSpinner(), dv: devtronView{rev: -1}}
}

// setData shows a new state of the store, selecting the active credential on first show; after
// that the cursor stays on the credential it was on (on its row's place when it is gone).
func (p *picker) setData(d *config.Data) {
	keep := d.Active
	if p.data != nil {
		keep = p.selected().credential()
	}
	p.data = d
	p.choose(keep)
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
		if p.testing[msg.name] != msg.seq {
			return nil // superseded: a newer re-test of this credential is running; this result is not kept
		}
		return recordRetestCmd(p.c.ctx, p.c.store, p.c.opts.Who, msg)
	case retestMsg:
		if p.testing[msg.name] != msg.seq {
			return nil // superseded while it was being recorded
		}
		delete(p.testing, msg.name)
		name := p.label(msg.name)
		switch {
		case msg.err == errStale:
			p.say(name+" changed during the re-test; its result was not recorded", true)
		case msg.err != nil:
			p.say("could not record the result of "+name+": "+msg.err.Error(), true)
		default:
			p.setData(msg.data)
			if n := providers.Warnings(msg.result.Record(p.c.now(), false)); msg.result.OK && n > 0 {
				p.say(name+": passed with "+plural(n, "warning")+" (enter to see them)", false)
			} else if msg.result.OK {
				p.say(name+": all checks passed", false)
			} else {
				p.say(name+": "+failSummary(msg.result)+" (enter to see and fix)", true)
			}
		}
		if notice, isErr, ok := p.all.tally(msg.name, msg.result, msg.err); ok {
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
		p.setData(msg.data)
		p.say(msg.notice, false)
		return nil
	case revokedMsg:
		if msg.warn != nil {
			p.say("warning: "+msg.warn.Message, false)
		}
		return nil
	case tea.KeyPressMsg:
		return p.key(msg)
	}
	return nil
}
