package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"gitopscfg/platforms"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// The picker's rotation (R) is a screen of its own, as the round trip is. It runs the use case
// (usecase.Backend.Rotate) in a command's goroutine and shows what it reports as it happens: each
// event becomes a line; each question (GitLab's y/N, the masked input of a token made by hand,
// what becomes of an issued token the store could not take) waits for the admin, whose answer
// goes back on a reply channel. The step on its way shows how long it has run; esc cancels it
// (the use case says which token the store holds, and a round trip under way still deletes its
// repository). Quitting cancels too and ends the session once the use case returned: what it
// finishes then is what must not be cut short, a save of the new token or a round trip's clean-up.

// rotator runs a rotation: the use case (usecase.Backend), or a scripted one in tests.
type rotator interface {
	Rotate(ctx context.Context, in usecase.RotateInput, ask usecase.RotateAsker) (usecase.Rotated, error)
}

// newRotator is the use case on the session's store, with what common.backend gives it.
func newRotator(c *common) rotator { return c.backend() }

// rotateMsg asks the root to open the rotation of the token of credential name.
type rotateMsg struct{ name string }

// closeRotationMsg asks the root to go back to the picker, saying notice.
type closeRotationMsg struct {
	notice string
	isErr  bool
}

// rotTickMsg redraws run seq's elapsed time.
type rotTickMsg struct{ seq int }

type rotState int

const (
	rotRunning    rotState = iota // a step runs (step)
	rotAsking                     // the use case waits for the admin (ask)
	rotCancelling                 // esc or quit cancelled it: what must not be cut short finishes
	rotDone                       // Rotate returned
)

// rotStep is the step on its way, as the steps that ended tell.
type rotStep int

const (
	stepNone rotStep = iota
	stepReading
	stepIssuing
	stepSaving
	stepChecking
	stepRoundTrip
	stepPushing
)

// rotateScreen is the rotation of one credential's token.
type rotateScreen struct {
	size
	c       *common
	b       rotator
	p       providers.Provider
	old     providers.Credentials // as stored when R was pressed: the input's checks; never shown
	issued  bool                  // the provider issues the new token (its API rotation)
	devtron string                // the stored Devtron instance's address ("" none)

	seq    int
	state  rotState
	events []usecase.RotateEvent // what happened so far, in order (never a token)
	// warnings counts the warning lines under the new token's check, which passed.
	warnings int
	create   *usecase.CreateAt // where the replacement is made, while it is asked for
	ask      *rotAsk           // the question waiting for the admin
	yn       *confirm          // GitLab's question, while it is asked
	input    textinput.Model
	inputErr string
	// shown is the issued token the store could not take, which the admin asked to see: its only
	// copy, on screen until they leave or it is saved, and kept nowhere else.
	shown  string
	step   rotStep
	since  time.Time // when step began
	pushed string    // Devtron's latest progress while the push runs

	ticking, spinning bool
	quitting          bool
	putOff            bool // quitting was put off: the new token would have been lost
	cancel            context.CancelFunc
	stream            <-chan tea.Msg
	finished          chan struct{} // closed once Rotate returned
	spin              spinner.Model

	err error
	// headline is the outcome under the steps, notice what the list says once back there.
	headline, notice string
	failed           bool
}

func newRotateScreen(c *common, p providers.Provider, old providers.Credentials, devtron string, b rotator) *rotateScreen {
	return &rotateScreen{c: c, b: b, p: p, old: old, issued: p.Rotation != nil, devtron: devtron, spin: c.newSpinner()}
}

func (r *rotateScreen) Init() tea.Cmd { return r.start() }

// label names the credential rotated in prose.
func (r *rotateScreen) label() string {
	return providers.CredentialLabel(r.old.CredentialName(), r.p.ID)
}

// start runs a rotation (again, after a failed one).
func (r *rotateScreen) start() tea.Cmd {
	*r = rotateScreen{size: r.size, c: r.c, b: r.b, p: r.p, old: r.old, issued: r.issued, devtron: r.devtron,
		seq: int(rotationRuns.Add(1)), spin: r.spin, spinning: r.spinning}
	ctx, cancel := context.WithCancel(r.c.ctx)
	out := make(chan tea.Msg, 16)
	r.cancel, r.stream, r.finished = cancel, out, make(chan struct{})
	a := &rotAsker{seq: r.seq, ctx: ctx, session: r.c.ctx, out: out}
	in := usecase.RotateInput{Credential: r.old.CredentialName(), Timeout: providers.DeepTimeout, Events: a.event, PushProgress: a.progress}
	first := stepNone
	if r.issued {
		first = stepReading
	}
	return tea.Batch(runRotationCmd(r.b, in, a, r.finished), waitDeepCmd(out), r.run(first))
}

// run notes that step began.
func (r *rotateScreen) run(step rotStep) tea.Cmd {
	if r.state == rotAsking {
		r.state = rotRunning
	}
	r.step, r.since, r.pushed = step, r.c.now(), ""
	return r.animate()
}

// animate keeps the spinner and the elapsed time going (each stops once nothing runs).
func (r *rotateScreen) animate() tea.Cmd {
	var cmds []tea.Cmd
	if !r.ticking {
		r.ticking = true
		seq := r.seq
		cmds = append(cmds, tea.Tick(time.Second, func(time.Time) tea.Msg { return rotTickMsg{seq: seq} }))
	}
	if !r.spinning {
		r.spinning = true
		cmds = append(cmds, r.spin.Tick)
	}
	return tea.Batch(cmds...)
}

func (r *rotateScreen) busy() bool    { return r.state != rotDone }
func (r *rotateScreen) working() bool { return r.state == rotRunning || r.state == rotCancelling }

// stop cancels the rotation: the use case finishes what must not be cut short and says which
// token the store holds.
func (r *rotateScreen) stop() {
	if !r.busy() || r.state == rotCancelling {
		return
	}
	if r.asking(askIssue, askToken) {
		r.answer(rotAnswer{err: errNotRotated})
	}
	r.state = rotCancelling
	r.cancel()
}

// quit ends the session once the use case returned; at the question about an issued token the
// store could not take, it gives the token up, as the key hint says.
func (r *rotateScreen) quit() {
	r.quitting = true
	if r.asking(askShow, askRetry) {
		r.answer(rotAnswer{})
	}
	r.stop()
}

// asking reports whether the question asked is of one of kinds.
func (r *rotateScreen) asking(kinds ...rotAskKind) bool {
	for _, k := range kinds {
		if r.ask != nil && r.ask.kind == k {
			return true
		}
	}
	return false
}

// answer replies to the question asked.
func (r *rotateScreen) answer(a rotAnswer) {
	if r.ask == nil {
		return
	}
	r.ask.reply <- a
	r.ask, r.yn = nil, nil
	if r.state == rotAsking {
		r.state = rotRunning
	}
}

func (r *rotateScreen) Update(msg tea.Msg) (screen, tea.Cmd) { return r, r.update(msg) }

func (r *rotateScreen) update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case rotationMsg:
		if msg.seq == r.seq { // else an earlier run's
			cmd = r.handle(msg.msg)
		}
	case rotTickMsg:
		if msg.seq == r.seq {
			r.ticking = false
			if r.working() {
				cmd = r.animate()
			}
		}
	case spinner.TickMsg:
		if msg.ID == r.spin.ID() {
			r.spinning = r.working()
			if r.spinning {
				r.spin, cmd = r.spin.Update(msg)
			}
		}
	case tea.KeyPressMsg:
		cmd = r.key(msg)
	default:
		if r.asking(askToken) {
			r.input, cmd = r.input.Update(msg) // pasted text, the cursor
		}
	}
	return cmd
}

// handle takes the rotation's next message and waits for the one after.
func (r *rotateScreen) handle(msg any) tea.Cmd {
	next := waitDeepCmd(r.stream)
	switch m := msg.(type) {
	case usecase.StepDone:
		return tea.Batch(next, r.stepDone(m))
	case usecase.StepNote:
		if last, _ := r.lastStep(); last.Name == "check" && last.Status == providers.Pass &&
			strings.HasPrefix(m.Text, providers.Warn.Mark()+" ") {
			r.warnings++
		}
		r.events = append(r.events, m)
	case usecase.RotateWarning:
		r.events = append(r.events, m)
	case usecase.CreateAt:
		r.create = &m
	case usecase.UnsavedToken:
		r.shown = m.Token
	case platforms.Event:
		if r.step == stepPushing {
			r.pushed = m.Message
		}
	case rotAsk:
		return tea.Batch(next, r.asked(m))
	case rotEnd:
		return r.ended(m) // the last: the stream is closed
	}
	return next
}

// stepDone notes a step's result; the step that follows it in the use case runs.
func (r *rotateScreen) stepDone(e usecase.StepDone) tea.Cmd {
	r.events = append(r.events, e)
	push := stepNone
	if r.devtron != "" {
		push = stepPushing // else the use case skips it at once
	}
	next := stepNone
	switch {
	case e.Status != providers.Pass:
	case e.Name == "token" && !r.issued, e.Name == "save" && r.issued:
		next = stepChecking
	case e.Name == "rotate", e.Name == "round trip" && !r.issued:
		next = stepSaving
	case e.Name == "check":
		next = stepRoundTrip
	case e.Name == "round trip", e.Name == "save":
		next = push
	}
	return r.run(next)
}

// asked shows a question of the use case.
func (r *rotateScreen) asked(q rotAsk) tea.Cmd {
	if r.state == rotCancelling && (q.kind == askIssue || q.kind == askToken) {
		q.reply <- rotAnswer{err: errNotRotated} // cancelled meanwhile
		return nil
	}
	r.ask, r.state = &q, rotAsking
	switch q.kind {
	case askIssue:
		r.yn = newConfirm(r.c.keys.confirm, r.issueQuestion(q.plan))
	case askToken:
		r.input = textinput.New()
		r.input.EchoMode, r.input.EchoCharacter, r.input.Prompt = textinput.EchoPassword, maskChar, "New token: "
		r.input.SetWidth(max(min(60, r.width-12), 10))
		return r.input.Focus()
	default:
		// quitting now would lose the new token: the admin decides first
		r.putOff, r.quitting = r.quitting, false
	}
	return nil
}

// ended takes the use case's end: the verdict, or back to the list when nothing was rotated.
func (r *rotateScreen) ended(e rotEnd) tea.Cmd {
	r.state, r.err, r.ask, r.yn, r.step = rotDone, e.err, nil, nil, stepNone
	r.cancel()
	switch {
	case r.quitting:
		return func() tea.Msg { return quitMsg{} }
	case errors.Is(e.err, usecase.ErrDeclined), errors.Is(e.err, errNotRotated):
		return func() tea.Msg { return closeRotationMsg{notice: errNotRotated.Error()} }
	}
	r.verdict()
	if r.c.store == nil {
		return nil
	}
	return loadCmd(r.c.store) // the list shows what it left, records included (Rotated.Data may predate them)
}

// awaitRotation waits (at most d, or a round trip's clean-up) for the use case to return: the
// program has ended, so nothing else touches the model.
func (p *picker) awaitRotation(d time.Duration) {
	if r := p.rot; r != nil && r.finished != nil {
		select {
		case <-r.finished:
		case <-time.After(max(d, providers.DeepDeleteTimeout+5*time.Second)):
		}
	}
}
