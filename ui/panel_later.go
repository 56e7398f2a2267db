package ui

import (
	"context"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"gitopscfg/providers"
)

// What a live check leaves to do once its result is known (providers.Pending: the revocation of
// a GitHub App's installation token) runs in a command of its own, after the panel has shown the
// result; its warning, if any, then shows quietly: in the checklist it belongs to, or as a line
// of its own when the draft changed since (the panel), or in the picker's notice when the editor
// has closed. A session that ends runs what no command has run yet, and waits for the rest
// (Model.Close), so that no process exits leaving a live token behind.

// revokedMsg is the end of what the live check seq left to do; warn is its warning (nil: none).
type revokedMsg struct {
	seq  int
	warn *providers.Check
}

// laterWork is a session's pending work: what commands have not run yet, and those running.
type laterWork struct {
	mu      sync.Mutex
	next    int
	todo    map[int]providers.Pending
	running sync.WaitGroup
}

// add keeps p until a command (run) or the session's end (drain) runs it.
func (l *laterWork) add(p providers.Pending) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.todo == nil {
		l.todo = map[int]providers.Pending{}
	}
	l.next++
	l.todo[l.next] = p
	return l.next
}

// run runs the work id, unless drain took it first (nil then).
func (l *laterWork) run(id int) *providers.Check {
	l.mu.Lock()
	p := l.todo[id]
	delete(l.todo, id)
	if p != nil {
		l.running.Add(1)
	}
	l.mu.Unlock()
	if p == nil {
		return nil
	}
	defer l.running.Done()
	return p(context.Background()) // bounded by the provider's own timeout
}

// drain runs what no command has run yet, then waits for all of it, for at most d.
func (l *laterWork) drain(d time.Duration) {
	l.mu.Lock()
	todo := l.todo
	l.todo = nil
	for range todo {
		l.running.Add(1)
	}
	l.mu.Unlock()
	for _, p := range todo {
		go func() {
			defer l.running.Done()
			p(context.Background())
		}()
	}
	done := make(chan struct{})
	go func() { l.running.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
	}
}

// finishLater is the command that runs what the check of msg left to do (nil: nothing), whether
// or not msg is stale: a token minted for a check nobody looks at any more is revoked too.
func (p *panel) finishLater(msg checkDoneMsg) tea.Cmd {
	if msg.pending == nil {
		return nil
	}
	l, seq := p.c.later, msg.seq
	id := l.add(msg.pending)
	return guard(func() tea.Msg { return revokedMsg{seq: seq, warn: l.run(id)} })
}

// revoked shows the warning of what a check left to do: in its checklist while the panel shows
// that check, else as a line of its own.
func (p *panel) revoked(msg revokedMsg) {
	if msg.warn == nil {
		return
	}
	if msg.seq == p.seq && p.state == panelDone {
		p.result.Checks = append(p.result.Checks, *msg.warn)
		return
	}
	p.note = msg.warn.Message
}
