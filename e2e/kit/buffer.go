package kit

import (
	"bytes"
	"strings"
	"time"
)

// Buffer is a bytes.Buffer that a process or a session writes from its own goroutines while the
// test reads it. WaitFor and WaitUntil wake at each write, so a test waits on what was written.
type Buffer struct {
	watched
	b bytes.Buffer
}

func (l *Buffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.changing()
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
// after each write.
func (l *Buffer) WaitUntil(ok func(string) bool, within time.Duration) bool {
	return l.waitUntil(l.b.String, ok, within)
}
