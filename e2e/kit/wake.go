package kit

import (
	"sync"
	"time"
)

// watched is text that writers change under mu and tests wait on: a Buffer's bytes, a Term's
// screen. Each change wakes the waiters, so a test waits on state, never on a sleep.
type watched struct {
	mu sync.Mutex
	// changed, when not nil, is closed by the next change.
	changed chan struct{}
}

// changing is called with mu held by every change.
func (w *watched) changing() {
	if w.changed != nil {
		close(w.changed)
		w.changed = nil
	}
}

// waitUntil reports whether ok holds for read() within the time given; it asks again after each
// change (changes made while it asks are taken together). read runs with mu held; ok runs
// outside it, so writers never wait on it.
func (w *watched) waitUntil(read func() string, ok func(string) bool, within time.Duration) bool {
	deadline := time.After(within)
	for {
		w.mu.Lock()
		text := read()
		if w.changed == nil {
			w.changed = make(chan struct{})
		}
		changed := w.changed
		w.mu.Unlock()
		if ok(text) {
			return true
		}
		select {
		case <-changed:
		case <-deadline:
			return false
		}
	}
}
