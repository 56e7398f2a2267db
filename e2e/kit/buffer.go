package kit

import (
	"bytes"
	"strings"
	"sync"
	"time"
)

// Buffer is a bytes.Buffer that a process or a session writes from its own goroutines while the
// test reads it. WaitFor and WaitUntil wake at each write, so a test waits on what was written.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
	// grew, when not nil, is closed by the next Write.
	grew chan struct{}
}

func (l *Buffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.grew != nil {
		close(l.grew)
		l.grew = nil
	}
	return l.b.Write(p)
}

func (l *Buffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// WaitFor reports whether want appears within the time given.
func (l *Buffer) WaitFor(want string, within time.Duration) bool {
	return l.WaitUntil(func(s string) bool { return strings.Contains(s, want) }, within)
}

// WaitUntil reports whether ok holds for what was written within the time given; it asks again
// after each write (writes made while it asks are taken together). ok runs outside the lock, so
// writers never wait on it.
func (l *Buffer) WaitUntil(ok func(string) bool, within time.Duration) bool {
	deadline := time.After(within)
	for {
		l.mu.Lock()
		written := l.b.String()
		if l.grew == nil {
			l.grew = make(chan struct{})
		}
		grew := l.grew
		l.mu.Unlock()
		if ok(written) {
			return true
		}
		select {
		case <-grew:
		case <-deadline:
			return false
		}
	}
}
