package ui

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"gitopscfg/providers"
)

// roundTripState is where a round trip stands: running → done, or running → cancelling (esc, or
// the admin quits) → done. It is done only once the round trip returned, so its clean-up is over.
type roundTripState int

const (
	rtRunning roundTripState = iota
	rtCancelling
	rtDone
)

// roundTripMsg asks the root to open the round-trip view on creds (already normalised).
type roundTripMsg struct {
	creds providers.Credentials
	// stored: creds are the stored ones (the picker, or an unchanged editor), so the result is
	// recorded as the provider's last round trip once it ends.
	stored bool
}

// closeRoundTripMsg asks the root to go back to where the round trip was started from.
type closeRoundTripMsg struct{}

// deepOutcome is a finished round trip of exactly creds, finished at at.
type deepOutcome struct {
	creds  providers.Credentials
	result providers.Result
	at     time.Time
}

// roundTrip runs one round trip (providers.RunDeep) and shows its stages as they go: a spinner on
// the running one, mark, message and duration on the finished ones, then the verdict.
type roundTrip struct {
	size
	c      *common
	p      providers.Provider
	creds  providers.Credentials
	stored bool
	from   screen // the screen it was opened from, shown again when it closes
	seq    int    // the root's sequence of round trips; replies of another are stale
	state  roundTripState
	// cancelled: esc or quit stopped it; quitting: the session ends once the clean-up is over.
	cancelled, quitting bool
	// begun: a stage started, so the live check let the round trip go on.
	begun  bool
	stages []providers.Check // one per providers.DeepStages; Status "" until it starts
	result providers.Result
	at     time.Time
	record string // what became of the result (recorded, or why not)
	recErr bool

	cancel   context.CancelFunc
	events   <-chan tea.Msg
	finished chan struct{} // closed when the round trip returned, clean-up included
	spin     spinner.Model
	scroll   scroller // how far the checklist is scrolled when it does not fit (scroll.go)
}

func newRoundTrip(c *common, msg roundTripMsg, from screen, seq int) *roundTrip {
	rt := &roundTrip{c: c, p: providers.MustLookup(msg.creds.Provider), creds: msg.creds, stored: msg.stored,
		from: from, seq: seq, spin: c.newSpinner()}
	for _, id := range providers.StagesFor(msg.creds) {
		rt.stages = append(rt.stages, providers.Check{ID: id})
	}
	return rt
}

// Init runs the round trip on its own deadline (providers.DeepTimeout), on a copy of the
// session's Env: the shared one serves other checks and sessions.
func (rt *roundTrip) Init() tea.Cmd { return rt.start(waitDeepCmd) }

// start is Init with wait handing over the round trip's messages, one per command (progress,
// then the result): the picker's rotation, which runs a round trip without its view, wraps them.
func (rt *roundTrip) start(wait func(<-chan tea.Msg) tea.Cmd) tea.Cmd {
	ctx, cancel := context.WithCancel(rt.c.ctx)
	rt.cancel = cancel
	env := *rt.c.opts.Env
	env.Timeout = providers.DeepTimeout
	events := make(chan tea.Msg, deepEvents)
	rt.events = events
	rt.finished = make(chan struct{})
	run := runDeepCmd(ctx, &env, rt.c.deep, rt.seq, rt.creds, events, rt.finished)
	return tea.Batch(run, wait(events), rt.spin.Tick)
}

// busy reports whether the round trip has not returned yet.
func (rt *roundTrip) busy() bool { return rt.state != rtDone }

// stop cancels the round trip; it still deletes its repository, and ends (done) once it has.
func (rt *roundTrip) stop() {
	if rt.state != rtRunning {
		return
	}
	rt.state = rtCancelling
	rt.cancelled = true
	rt.cancel()
}

// quit ends the session once the round trip has cleaned up.
func (rt *roundTrip) quit() {
	rt.quitting = true
	rt.stop()
}

// outcome is the finished round trip, unless it was cancelled (a cancelled run says nothing about
// the credentials).
func (rt *roundTrip) outcome() (deepOutcome, bool) {
	if rt.state != rtDone || rt.cancelled {
		return deepOutcome{}, false
	}
	return deepOutcome{creds: rt.creds, result: rt.result, at: rt.at}, true
}

func (rt *roundTrip) Update(msg tea.Msg) (screen, tea.Cmd) { return rt, rt.update(msg) }

func (rt *roundTrip) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case deepProgressMsg:
		if msg.seq != rt.seq || rt.state == rtDone {
			return nil // stale: the result has every stage already
		}
		rt.progress(msg.check)
		return waitDeepCmd(rt.events)
	case deepDoneMsg:
		if msg.seq != rt.seq {
			return nil
		}
		return rt.done(msg.result)
	case deepRecordedMsg:
		if msg.seq != rt.seq {
			return nil
		}
		switch {
		case msg.err == errStale:
			rt.record, rt.recErr = "not recorded: the stored credentials changed during the round trip", true
		case msg.err != nil:
			rt.record, rt.recErr = "could not record the result: "+msg.err.Error(), true
		default:
			rt.record = "recorded as " + rt.label() + "'s last round trip"
		}
		return nil
	case spinner.TickMsg:
		if rt.state == rtDone {
			return nil
		}
		var cmd tea.Cmd
		rt.spin, cmd = rt.spin.Update(msg)
		return cmd
	case tea.KeyPressMsg:
		return rt.key(msg)
	}
	return nil
}

func (rt *roundTrip) key(msg tea.KeyPressMsg) tea.Cmd {
	k := rt.c.keys.roundTrip
	if rt.scrollKey(msg) { // the checklist scrolls (scroll.go)
		return nil
	}
	switch {
	case key.Matches(msg, k.Quit):
		return func() tea.Msg { return quitMsg{} }
	case key.Matches(msg, k.Back):
		if rt.state == rtDone {
			return func() tea.Msg { return closeRoundTripMsg{} }
		}
		rt.stop()
	}
	return nil
}

// progress notes that a stage started (Running) or ended.
func (rt *roundTrip) progress(c providers.Check) {
	for i := range rt.stages {
		if rt.stages[i].ID == c.ID {
			rt.stages[i] = c
			rt.begun = rt.begun || c.Status == providers.Running
			return
		}
	}
}

// done takes the result (every stage, clean-up included) and records it when it belongs to the
// stored credentials.
func (rt *roundTrip) done(r providers.Result) tea.Cmd {
	rt.state = rtDone
	rt.cancel()
	rt.result = r
	rt.at = rt.c.now()
	for i := range rt.stages {
		if c, ok := r.Find(rt.stages[i].ID); ok {
			rt.stages[i] = c
		}
	}
	switch {
	case rt.quitting:
		return nil
	case rt.cancelled:
		rt.record = "not recorded: the round trip was cancelled"
	case rt.stored && rt.c.store != nil:
		rt.record = "recording the result…"
		return recordDeepCmd(rt.c.ctx, rt.c.store, rt.c.opts.Who, rt.seq, rt.creds, r, rt.at)
	default:
		rt.record = "not recorded yet: these credentials are not saved; saving them (ctrl+s) stores this result with them"
	}
	return nil
}

// leftOver reports whether the clean-up failed: a repository was left behind.
func (rt *roundTrip) leftOver() bool {
	_, left := providers.LeftBehind(rt.result)
	return rt.state == rtDone && left
}

// failedStage is the first round-trip stage that failed, or "".
func (rt *roundTrip) failedStage() string {
	for _, c := range rt.stages {
		if c.Status == providers.Fail {
			return c.ID
		}
	}
	return ""
}

// liveChecks are the live check's own checks (the result without the stages).
func (rt *roundTrip) liveChecks() []providers.Check {
	var out []providers.Check
	for _, c := range rt.result.Checks {
		if !isDeepStage(c.ID) {
			out = append(out, c)
		}
	}
	return out
}

func isDeepStage(id string) bool { return providers.IsDeepStage(id) }

// summary is the one-line outcome, for the picker's or the editor's notice after leaving.
func (rt *roundTrip) summary() (string, bool) {
	name := rt.label()
	switch {
	case rt.leftOver():
		c, _ := providers.LeftBehind(rt.result)
		return name + ": the round trip LEFT " + leftWhat(c) + " BEHIND (see " + c.ID + ": press r to run it again after removing it)", true
	case rt.cancelled:
		return name + ": round trip cancelled; nothing was left behind", false
	case rt.result.OK:
		return name + ": round trip passed" + withWarnings(rt.result), false
	case rt.failedStage() != "":
		return name + ": round trip FAILED at " + rt.failedStage(), true
	}
	return name + ": round trip FAILED: the live check did not pass", true
}

// keys are the bindings of the view now: while it runs, esc cancels.
func (rt *roundTrip) keys() roundTripKeys {
	if rt.state != rtDone {
		return rt.c.keys.roundTrip.running()
	}
	return rt.c.keys.roundTrip
}

func (rt *roundTrip) ShortHelp() []key.Binding  { return rt.withScrollHelp(rt.keys().ShortHelp()) }
func (rt *roundTrip) FullHelp() [][]key.Binding { return rt.keys().FullHelp() }

// label names the credentials of the round trip in prose.
func (rt *roundTrip) label() string {
	return providers.CredentialLabel(rt.creds.CredentialName(), rt.p.ID)
}
