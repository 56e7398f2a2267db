package server

import (
	"fmt"
	"io"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	bm "charm.land/wish/v2/bubbletea"
	gossh "golang.org/x/crypto/ssh"
)

// logSession logs a session that ran (or was refused) as a refused authentication is logged: the
// client's address and the key's SHA-256 fingerprint, then the command (as Policy gave it to log,
// "ui" for the interactive UI) and the exit status. It is called before the exit status is sent.
func (s *Server) logSession(sess ssh.Session, msg, command string, code int) {
	fingerprint := ""
	if k := sess.PublicKey(); k != nil {
		fingerprint = gossh.FingerprintSHA256(k)
	}
	s.opts.Logger.Info(msg, "ip", ipOf(sess.RemoteAddr()), "fingerprint", fingerprint, "command", command, "exit_status", code)
}

// program builds one session's UI program: a fresh model, the session's own size, colour profile
// and background, and an input that counts as activity for the idle timeout.
func (s *Server) program(sess ssh.Session) *tea.Program {
	in := &activityReader{r: sess}
	in.touch()
	opts := append(bm.MakeOptions(sess), tea.WithInput(in), tea.WithFilter(clampWindow))
	pty, _, _ := sess.Pty()
	opts = append(opts, tea.WithWindowSize(clampSize(pty.Window.Width, pty.Window.Height)))
	model := s.opts.NewModel(s.who(sess))
	p := tea.NewProgram(model, opts...)
	s.mu.Lock()
	s.programs[p] = sess
	s.mu.Unlock()
	s.track(sess, model)
	go s.watchIdle(sess, p, in)
	go func() {
		<-sess.Context().Done()
		s.mu.Lock()
		delete(s.programs, p)
		s.mu.Unlock()
	}()
	return p
}

// clampSize bounds a terminal size to MaxPtyWidth × MaxPtyHeight. A client without a terminal of
// its own (ssh -tt from a script) reports 0×0: such a side is drawn at 80 columns or 24 rows, since
// nothing at all would be drawn at zero.
func clampSize(w, h int) (int, int) {
	if w <= 0 {
		w = 80
	}
	if h <= 0 {
		h = 24
	}
	return min(w, MaxPtyWidth), min(h, MaxPtyHeight)
}

// clampWindow is the session program's message filter: window sizes are clamped (clampSize; the
// pty's first size comes as a message too, racing the program's own start-up size, so a 0×0 there
// would leave the screen blank), and a suspend (Ctrl-Z) resumes at once, as bm.MakeOptions' own
// filter does (a program has one filter).
func clampWindow(_ tea.Model, msg tea.Msg) tea.Msg {
	switch m := msg.(type) {
	case tea.WindowSizeMsg:
		m.Width, m.Height = clampSize(m.Width, m.Height)
		return m
	case tea.SuspendMsg:
		return tea.ResumeMsg{}
	}
	return msg
}

// watchIdle ends the session after IdleTimeout without a keystroke.
func (s *Server) watchIdle(sess ssh.Session, p *tea.Program, in *activityReader) {
	if s.opts.IdleTimeout <= 0 {
		return
	}
	tick := time.NewTicker(min(s.opts.IdleTimeout/4, time.Second))
	defer tick.Stop()
	for {
		select {
		case <-sess.Context().Done():
			return
		case <-tick.C:
			if time.Since(in.last()) >= s.opts.IdleTimeout {
				s.ended.Store(sess, fmt.Sprintf("session closed after %s without input", s.opts.IdleTimeout))
				p.Quit()
				return
			}
		}
	}
}

// track registers a session's work (its UI model, or a command when model is nil) so that
// Shutdown waits for it until untrack.
func (s *Server) track(sess ssh.Session, model tea.Model) {
	s.mu.Lock()
	s.uis[sess] = sessionUI{model: model, closed: make(chan struct{})}
	s.mu.Unlock()
}

// untrack closes the session's UI model, if it has one (a round trip in flight deletes its
// repository first), and tells Shutdown the session's work is done.
func (s *Server) untrack(sess ssh.Session) {
	s.mu.Lock()
	ui, ok := s.uis[sess]
	delete(s.uis, sess)
	s.mu.Unlock()
	if !ok {
		return
	}
	if c, isCloser := ui.model.(closer); isCloser {
		c.Close()
	}
	close(ui.closed)
}

// afterUI runs when a session's UI has ended: it tells the user why the server ended it, if it did.
func (s *Server) afterUI(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		s.untrack(sess)
		if why, ok := s.ended.LoadAndDelete(sess); ok {
			fmt.Fprintf(sess, "\r\ngitopscfg: %s\r\n", why)
		}
		s.logSession(sess, "session", "ui", 0) // the SSH library ends the session with 0 once this returns
		next(sess)
	}
}

// activityReader records when the client last sent input.
type activityReader struct {
	r  io.Reader
	at atomic.Int64
}

func (a *activityReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if n > 0 {
		a.touch()
	}
	return n, err
}

func (a *activityReader) touch() { a.at.Store(time.Now().UnixNano()) }

func (a *activityReader) last() time.Time { return time.Unix(0, a.at.Load()) }
