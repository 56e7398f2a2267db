package ui

import (
	"context"
	"errors"
	"sync/atomic"

	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/usecase"
)

// saveRetrier is what the screen answers beside usecase.RotateAsker, for the use case to ask once
// it offers the retry (today it asks ShowUnsaved): after the save of an issued token failed (err),
// RetrySave blocks until the admin decides: true tries the save again, never the rotation; false
// gives the token up. show emits it (usecase.UnsavedToken), the admin having asked to see it.
type saveRetrier interface {
	RetrySave(err error, show func()) (bool, error)
}

var _ saveRetrier = (*rotAsker)(nil)

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
