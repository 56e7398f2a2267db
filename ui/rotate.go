package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
	"gitopscfg/config/safe"
	"gitopscfg/forms"
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

// saveRetrier is what the screen answers beside usecase.RotateAsker, for the use case to ask once
// it offers the retry (today it asks ShowUnsaved): after the save of an issued token failed (err),
// RetrySave blocks until the admin decides: true tries the save again, never the rotation; false
// gives the token up. show emits it (usecase.UnsavedToken), the admin having asked to see it.
type saveRetrier interface {
	RetrySave(err error, show func()) (bool, error)
}

var _ saveRetrier = (*rotAsker)(nil)

// newRotator is the use case on the session's store, with what common.backend gives it.
func newRotator(c *common) rotator { return c.backend() }

// rotateMsg asks the root to open the rotation of provider id's token.
type rotateMsg struct{ id providers.ID }

// closeRotationMsg asks the root to go back to the picker, saying notice.
type closeRotationMsg struct {
	notice string
	isErr  bool
}

// rotationMsg is one message of rotation run seq, in the order it happened: a
// usecase.RotateEvent, a question (rotAsk), Devtron's progress (platforms.Event), the end (rotEnd).
type rotationMsg struct {
	seq int
	msg any
}

// storeData is the store as the rotation left it, once it ended having saved.
func (msg rotationMsg) storeData() *config.Data {
	if e, ok := msg.msg.(rotEnd); ok {
		return e.out.Data
	}
	return nil
}

// rotTickMsg redraws run seq's elapsed time.
type rotTickMsg struct{ seq int }

// rotEnd: Rotate returned.
type rotEnd struct {
	out usecase.Rotated
	err error
}

type rotAskKind int

const (
	askIssue rotAskKind = iota // Confirm: may the provider issue the new token?
	askToken                   // Token: the replacement made by hand
	askShow                    // ShowUnsaved: show the issued token the store could not take?
	askRetry                   // RetrySave: retry its save, show it, or give it up?
)

// rotAsk is a question of the use case; the answer goes to reply (room for one).
type rotAsk struct {
	kind  rotAskKind
	plan  usecase.IssuePlan
	reply chan<- rotAnswer
}

type rotAnswer struct {
	yes, show bool
	token     string
	err       error // ends the rotation
}

// errNotRotated ends a rotation the admin left before anything changed.
var errNotRotated = errors.New("not rotated: nothing changed")

// rotationRuns numbers the rotations of every session: a message of an earlier run is stale.
var rotationRuns atomic.Int64

// rotAsker is the bridge's end in the use case's goroutine: it hands what happens to the screen,
// in order, and blocks on the screen's answers.
type rotAsker struct {
	seq int
	// ctx is the rotation's (esc and quitting cancel it); session ends with the session, after
	// which nobody reads or answers.
	ctx, session context.Context
	out          chan<- tea.Msg
}

func (a *rotAsker) send(msg any) bool {
	select {
	case a.out <- rotationMsg{seq: a.seq, msg: msg}:
		return true
	case <-a.session.Done():
		return false
	}
}

// ask asks q and waits for the answer. A cancelled rotation stops waiting when cancellable; the
// questions about an issued token that could not be saved wait regardless until the session ends
// (the answer decides whether its only copy is kept).
func (a *rotAsker) ask(q rotAsk, cancellable bool) (rotAnswer, error) {
	reply := make(chan rotAnswer, 1)
	q.reply = reply
	if !a.send(q) {
		return rotAnswer{}, a.session.Err()
	}
	var cancelled <-chan struct{}
	if cancellable {
		cancelled = a.ctx.Done()
	}
	select {
	case ans := <-reply:
		return ans, ans.err
	case <-cancelled:
		return rotAnswer{}, a.ctx.Err()
	case <-a.session.Done():
		return rotAnswer{}, a.session.Err()
	}
}

func (a *rotAsker) event(e usecase.RotateEvent) { a.send(e) }
func (a *rotAsker) progress(e platforms.Event)  { a.send(e) }
func (a *rotAsker) CanReadToken() error         { return nil } // the screen has a masked input

func (a *rotAsker) Confirm(p usecase.IssuePlan) (bool, error) {
	ans, err := a.ask(rotAsk{kind: askIssue, plan: p}, true)
	return ans.yes, err
}

func (a *rotAsker) Token() (string, error) {
	ans, err := a.ask(rotAsk{kind: askToken}, true)
	return ans.token, err
}

func (a *rotAsker) ShowUnsaved() bool {
	ans, err := a.ask(rotAsk{kind: askShow}, false)
	return err == nil && ans.show
}

func (a *rotAsker) RetrySave(_ error, show func()) (bool, error) {
	for {
		ans, err := a.ask(rotAsk{kind: askRetry}, false)
		if err != nil || !ans.show {
			return ans.yes, err
		}
		show()
	}
}

// runRotationCmd runs the rotation; its events, questions and end go to a.out, closed after the
// end; finished is closed once Rotate returned.
func runRotationCmd(b rotator, in usecase.RotateInput, a *rotAsker, finished chan<- struct{}) tea.Cmd {
	return guard(func() tea.Msg {
		defer close(finished)
		defer close(a.out)
		out, err := b.Rotate(a.ctx, in, a)
		a.send(rotEnd{out: out, err: err})
		return nil
	})
}

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

// rotateScreen is the rotation of one provider's token.
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

// start runs a rotation (again, after a failed one).
func (r *rotateScreen) start() tea.Cmd {
	*r = rotateScreen{size: r.size, c: r.c, b: r.b, p: r.p, old: r.old, issued: r.issued, devtron: r.devtron,
		seq: int(rotationRuns.Add(1)), spin: r.spin, spinning: r.spinning}
	ctx, cancel := context.WithCancel(r.c.ctx)
	out := make(chan tea.Msg, 16)
	r.cancel, r.stream, r.finished = cancel, out, make(chan struct{})
	a := &rotAsker{seq: r.seq, ctx: ctx, session: r.c.ctx, out: out}
	in := usecase.RotateInput{Provider: r.p.ID, Timeout: providers.DeepTimeout, Events: a.event, PushProgress: a.progress}
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
		r.input.EchoMode, r.input.EchoCharacter, r.input.Prompt = textinput.EchoPassword, '•', "New token: "
		r.input.SetWidth(max(min(60, r.width-12), 10))
		return r.input.Focus()
	default:
		// quitting now would lose the new token: the admin decides first
		r.putOff, r.quitting = r.quitting, false
	}
	return nil
}

// issueQuestion is GitLab's question before it issues the new token.
func (r *rotateScreen) issueQuestion(p usecase.IssuePlan) string {
	then := "then checked and round-tripped"
	if r.devtron != "" {
		then = "then checked, round-tripped and pushed to Devtron at " + safe.Text(r.devtron)
	}
	return "Rotate the " + p.Provider + " token? " + p.Provider + " revokes the current token " + p.OldHint +
		" the moment it returns the new one, which expires on " + p.Expires.Format("2006-01-02") +
		"; the new token is saved at once, " + then + "."
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

// verdict sums the rotation up: the headline under its steps (which say the rest), and the
// notice on the list: the headline, then the use case's last word (on a failure, its note on which
// token the store holds).
func (r *rotateScreen) verdict() {
	name := r.p.Name
	last, _ := r.lastStep()
	var notes []string // the prose under the last step
	for i := len(r.events) - 1; i >= 0; i-- {
		if _, step := r.events[i].(usecase.StepDone); step {
			break
		}
		if n, ok := r.events[i].(usecase.StepNote); ok && !isCheckLine(n.Text) {
			notes = append([]string{n.Text}, notes...)
		}
	}
	say := last.Message
	switch {
	case len(notes) > 0 && errors.Is(r.err, usecase.ErrSaveFailed):
		say = notes[0] // which token the store holds comes before how to keep the new one
	case len(notes) > 0:
		say = notes[len(notes)-1]
	}
	r.failed = r.err != nil
	switch {
	case !r.failed:
		checks := "all checks passed"
		if r.warnings > 0 {
			checks = "the check passed with " + plural(r.warnings, "warning")
		}
		r.headline = name + ": " + checks + " and the round trip too."
	case last.Name == "interrupted":
		r.headline, say = name+": interrupted: "+last.Message, ""
	case last.Status == providers.Fail:
		r.headline = strings.TrimSpace(name + ": the " + last.Name + " step failed. " + r.fix(last.Name))
	default: // a store or usage error, no step's
		r.headline, say = name+": "+r.err.Error(), ""
	}
	r.notice = strings.TrimSpace(r.headline + " " + say)
}

// fix says what the admin does in the UI after step failed (the use case names the commands).
func (r *rotateScreen) fix(step string) string {
	switch {
	case step == "push":
		return "Press p on the list to push the new token to Devtron."
	case step != "check" && step != "round trip":
		return ""
	case r.issued:
		return "Fix what it names (enter on the list edits " + r.p.Name + "), then press t or r there."
	}
	return "Fix what it names, then press R to try again."
}

func (r *rotateScreen) lastStep() (usecase.StepDone, bool) {
	for i := len(r.events) - 1; i >= 0; i-- {
		if s, ok := r.events[i].(usecase.StepDone); ok {
			return s, true
		}
	}
	return usecase.StepDone{}, false
}

// isCheckLine reports whether a note is a check's or a stage's line (it starts with a mark).
func isCheckLine(text string) bool {
	for _, st := range []providers.Status{providers.Pass, providers.Fail, providers.Warn, providers.Skip} {
		if strings.HasPrefix(text, st.Mark()+" ") {
			return true
		}
	}
	return false
}

// canAgain reports whether R rotates again: after a failure that left a working token in the
// store (not after a failed save of an issued token: the old one is revoked).
func (r *rotateScreen) canAgain() bool {
	return !r.busy() && r.failed && !(r.issued && errors.Is(r.err, usecase.ErrSaveFailed))
}

// key answers a key at the rotation's stage.
func (r *rotateScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	k := r.c.keys.rotation
	switch {
	case r.state == rotAsking:
		return r.answerKey(msg)
	case key.Matches(msg, k.Cancel) && r.state == rotRunning:
		r.stop()
	case key.Matches(msg, k.Back) && r.state == rotDone:
		return func() tea.Msg { return closeRotationMsg{notice: r.notice, isErr: r.failed} }
	case key.Matches(msg, k.Again) && r.canAgain():
		return r.start()
	case msg.String() == "q":
		return func() tea.Msg { return quitMsg{} }
	}
	return nil
}

// answerKey answers the question asked.
func (r *rotateScreen) answerKey(msg tea.KeyPressMsg) tea.Cmd {
	k := r.c.keys.rotation
	switch {
	case r.yn != nil:
		if rep, ok := r.yn.answer(msg); ok {
			r.answer(rotAnswer{yes: rep == replyYes})
			if rep == replyYes {
				return r.run(stepIssuing)
			}
			return r.run(stepNone)
		}
	case r.asking(askToken) && key.Matches(msg, k.Submit):
		return r.submitToken()
	case r.asking(askToken) && key.Matches(msg, k.Leave):
		r.answer(rotAnswer{err: errNotRotated})
	case r.asking(askToken):
		var cmd tea.Cmd
		r.input, cmd = r.input.Update(msg)
		return cmd
	case r.asking(askRetry) && key.Matches(msg, k.Retry):
		r.retrying()
		r.answer(rotAnswer{yes: true})
		return r.run(stepSaving)
	case key.Matches(msg, k.Show) && r.shown == "":
		r.answer(rotAnswer{show: true}) // the use case shows it (and asks again about a retry)
		return r.run(stepNone)
	case key.Matches(msg, k.GiveUp), key.Matches(msg, k.QuitLosing):
		r.quitting = msg.String() != "esc"
		r.answer(rotAnswer{})
		return r.run(stepNone)
	}
	return nil
}

// retrying drops the failed save, which makes way for its retry, and the token shown.
func (r *rotateScreen) retrying() {
	for i := len(r.events) - 1; i >= 0; i-- {
		if s, ok := r.events[i].(usecase.StepDone); ok && s.Name == "save" && s.Status == providers.Fail {
			r.events = r.events[:i]
			break
		}
	}
	r.shown, r.putOff = "", false
}

// submitToken takes the token typed by hand, once it has the right format and is a new one.
func (r *rotateScreen) submitToken() tea.Cmd {
	next := r.old
	next.Token = strings.TrimSpace(r.input.Value())
	norm, err := forms.Credentials(next)
	switch {
	case next.Token == "":
		r.inputErr = "paste the new token, or press esc to leave it"
	case err != nil:
		r.inputErr = fieldErrors(err)[0]
	case norm.Token == r.old.Token:
		r.inputErr = "that is the token stored already: create a new one at " + r.p.TokenURL(r.old.Host)
	default:
		r.input.Reset()
		r.inputErr, r.create = "", nil
		r.answer(rotAnswer{token: norm.Token})
		return r.run(stepChecking)
	}
	return nil
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

// running says what the step on its way does, or what a cancelled rotation still finishes.
func (r *rotateScreen) running() string {
	name := r.p.Name
	if r.state == rotCancelling {
		switch {
		case r.quitting && (r.step == stepIssuing || r.step == stepSaving):
			return "finishing the rotation: the session ends once the new token is saved…"
		case r.quitting && r.step == stepRoundTrip:
			return "quitting once the round trip has cleaned up: deleting its repository…"
		case r.quitting:
			return "quitting once the step on its way has stopped…"
		case r.step == stepIssuing || r.step == stepSaving:
			return "cancelling once the new token is saved (" + name + "'s answer is its only copy)…"
		case r.step == stepRoundTrip:
			return "cancelling: deleting the round trip's repository…"
		}
		return "cancelling…"
	}
	switch r.step {
	case stepReading:
		return "reading what " + name + " says of the stored token…"
	case stepIssuing:
		return name + " is issuing the new token…"
	case stepSaving:
		return "saving the new token…"
	case stepChecking:
		return "checking the new token…"
	case stepRoundTrip:
		return "round trip: a throw-away repository is created, cloned, pushed to, verified and deleted…"
	case stepPushing:
		if r.pushed != "" {
			return "pushing the new token to Devtron: " + r.pushed
		}
		return "pushing the new token to Devtron at " + r.devtron + "…"
	}
	return "…"
}

// elapsedText is how long a step has run: "4 s", "1 min 05 s".
func elapsedText(d time.Duration) string {
	s := int(max(d, 0) / time.Second)
	if s < 60 {
		return fmt.Sprintf("%d s", s)
	}
	return fmt.Sprintf("%d min %02d s", s/60, s%60)
}

// keys are the bindings at the rotation's stage.
func (r *rotateScreen) keys() help.KeyMap {
	k := r.c.keys.rotation
	switch {
	case r.yn != nil:
		return r.yn
	case r.asking(askToken):
		return keyList{k.Submit, k.Leave, k.Interrupt}
	case r.asking(askShow):
		return keyList{k.Show, k.GiveUp, k.QuitLosing}
	case r.asking(askRetry) && r.shown != "":
		return keyList{k.Retry, k.GiveUp, k.QuitKeeping}
	case r.asking(askRetry):
		return keyList{k.Retry, k.Show, k.GiveUp, k.QuitLosing}
	case r.state == rotRunning:
		return keyList{k.Cancel, k.Quit}
	case r.canAgain():
		return keyList{k.Back, k.Again, k.Quit}
	case r.state == rotDone:
		return keyList{k.Back, k.Quit}
	}
	return keyList{k.Quit}
}

func (r *rotateScreen) ShortHelp() []key.Binding  { return r.keys().ShortHelp() }
func (r *rotateScreen) FullHelp() [][]key.Binding { return r.keys().FullHelp() }

// View is the rotation: what it does, its steps as they end, the one on its way with its elapsed
// time or the question asked, and the outcome; when the steps do not fit, the earliest give way.
func (r *rotateScreen) View() string {
	s := r.c.styles
	w, h := r.width, r.height
	intro := r.p.Name + " issues the new token and revokes the old one " + providers.TokenHint(r.old.Token) +
		" at once: the new token is saved first, then checked, round-tripped, and pushed to Devtron when an instance is stored."
	if !r.issued {
		intro = "Paste the replacement below: it is saved only once it passed the check and the round trip, then pushed to " +
			"Devtron when an instance is stored. The old token " + providers.TokenHint(r.old.Token) + " keeps working until you revoke it."
	}
	top := truncate(s.title.Render(r.p.Name)+s.subtitle.Render(" · token rotation"), w) + "\n"
	for _, l := range strings.Split(clampLines(wrapText(intro, w), 3), "\n") {
		top += s.dim.Render(l) + "\n"
	}
	top += "\n"
	foot := r.footer(w)
	body := r.body(w)
	if room := max(h-lineCount(top)-lineCount(foot)-1, 1); len(body) > room {
		kept := body[len(body)-max(room-1, 1):]
		body = append([]string{s.dim.Render("… " + plural(len(body)-len(kept), "earlier line"))}, kept...)
	}
	gap := h - lineCount(top) - len(body) - lineCount(foot)
	return top + strings.Join(body, "\n") + strings.Repeat("\n", max(gap, 0)+1) + foot
}

// body is the steps so far, then what goes on now: the token input, the step on its way, the
// token shown on request.
func (r *rotateScreen) body(w int) []string {
	s := r.c.styles
	var out []string
	for _, e := range r.events {
		switch e := e.(type) {
		case usecase.StepDone:
			out = append(out, checkLine(s, providers.Check{ID: e.Name, Status: e.Status, Message: e.Message}, "", w))
		case usecase.StepNote:
			if isCheckLine(e.Text) { // a check's or a stage's line hangs under its mark
				out = append(out, indent(hangingWrap(safe.Text(e.Text), w-2, 2), 2))
			} else {
				out = append(out, indent(wrapText(safe.Text(e.Text), w-2), 2))
			}
		case usecase.RotateWarning:
			out = append(out, s.warn.Render(hangingWrap(providers.Warn.Mark()+" "+safe.Text(e.Text), w, 2)))
		}
	}
	if r.asking(askToken) {
		if c := r.create; c != nil {
			out = append(out, hangingWrap("Create the replacement at "+safe.Text(c.Page)+" with the scopes:", w, 2))
			for _, sc := range c.Scopes {
				extra := ""
				if sc.Advisory {
					extra = " (optional)"
				}
				out = append(out, hangingWrap("- "+sc.Name+extra+": "+sc.Why, w, 2))
			}
		}
		out = append(out, "", r.input.View())
		if r.inputErr != "" {
			out = append(out, s.fail.Render(providers.Fail.Mark()+" ")+hangingWrap(safe.Text(r.inputErr), w-2, 2))
		}
	}
	if r.working() {
		st := s.dim
		if r.state == rotCancelling {
			st = s.prompt
		}
		text := safe.Text(r.running() + " " + elapsedText(r.c.now().Sub(r.since)))
		out = append(out, r.spin.View()+" "+st.Render(hangingWrap(text, w-2, 2)))
	}
	if r.shown != "" {
		// Shown whole on the admin's explicit request, as the command line's --show-token-if-unsaved
		// does: the old token is revoked, so this is the only way left to keep the new one.
		out = append(out, "", s.warn.Render(wrapText("The new token, shown because you asked (it is not saved: keep it somewhere safe):", w)), r.shown)
	}
	return strings.Split(strings.Join(out, "\n"), "\n")
}

// footer is the question asked or the outcome, and the keys.
func (r *rotateScreen) footer(w int) string {
	s := r.c.styles
	var out []string
	switch {
	case r.yn != nil:
		out = append(out, r.yn.view(s, w, 6))
	case r.asking(askShow, askRetry):
		q := "The new token is not saved and " + r.p.Name + " has revoked the old one: "
		if r.asking(askRetry) {
			q += "R saves it again (the token stays in this session's memory until then); s shows it whole, once."
		} else {
			q += "s shows it whole, once, so that you can keep it by hand."
		}
		if r.putOff {
			q = "Quitting was put off: the new token would be lost. " + q
		}
		out = append(out, s.prompt.Render(clampLines(wrapText(q, w), 4)))
	case r.state == rotDone:
		st := s.pass
		if r.failed {
			st = s.fail
		}
		out = append(out, st.Render(clampLines(wrapText(safe.Text(r.headline), w), 3)))
	}
	hm := r.c.help
	hm.SetWidth(w)
	return strings.Join(append(out, hm.View(r)), "\n")
}

// indent puts n spaces before every line of s.
func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
}
