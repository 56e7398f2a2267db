package kit

import (
	"io"
	"strings"
	"time"

	"github.com/charmbracelet/x/vt"
)

// Term is the screen a session draws on, as a terminal shows it: a VT emulator fed with what the
// session writes. Tests read the screen rather than the stream of escape sequences, so that they
// can wait on what the admin sees (which field has the focus) instead of sleeping.
type Term struct {
	watched
	vt *vt.Emulator
}

// NewTerm is a width × height screen. The emulator's answers to the program's queries (modes,
// colours) are read and dropped: the session's real client answers them, or nobody does.
func NewTerm(width, height int) *Term {
	e := vt.NewEmulator(width, height)
	go func() { _, _ = io.Copy(io.Discard, e) }() // ends with the test process
	return &Term{vt: e}
}

func (t *Term) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.changing()
	return t.vt.Write(p)
}

// Screen is the text on the screen, one line per row, trailing blanks trimmed.
func (t *Term) Screen() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.vt.String()
}

// WaitUntil reports whether ok holds for the screen within the time given; it looks again after
// each write.
func (t *Term) WaitUntil(ok func(screen string) bool, within time.Duration) bool {
	return t.waitUntil(t.vt.String, ok, within)
}

// Focused is the title of the form field that has the focus on screen: huh marks the focused
// field with a bar (┃) on its left, the title on its first line. "" when no field has it.
func Focused(screen string) string {
	for _, line := range strings.Split(screen, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimLeft(line, " "), "┃ "); ok {
			title, _, _ := strings.Cut(rest, "  ") // the live check panel may follow on the right
			return strings.TrimSpace(title)
		}
	}
	return ""
}
