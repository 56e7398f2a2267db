package ui

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
)

// Model is the root model: it owns the shared state, shows one screen at a time and routes
// messages to the screens (screen). Only it returns a tea.View; the screens return strings.
type Model struct {
	c      *common
	cancel context.CancelFunc
	// width and height are the terminal's; every screen is given them (SetSize).
	width, height int
	// top is the screen shown: keys go to it alone.
	top screen
	// picker lives from the start: it keeps the store's state and its re-tests behind the other
	// screens.
	picker *picker
	// editor is the provider being edited, also behind the round trip started from it.
	editor *editor
	// roundtrip is the round-trip view, from the moment it opens until the admin leaves it.
	roundtrip *roundTrip
	deepSeq   int
	stamp     config.Stamp
	// rotator runs the rotations (nil: the use case on the session's store); tests script it.
	rotator func(*common) rotator
	// fatal ends the program with an error (Run returns it).
	fatal error
}

func newModel(opts Options, d deps) *Model {
	c := newCommon(opts, d)
	ctx, cancel := context.WithCancel(context.Background())
	c.ctx = ctx
	m := &Model{c: c, cancel: cancel, width: 80, height: 24, picker: newPicker(c)}
	m.picker.SetSize(m.width, m.height)
	if opts.Notice != "" {
		m.picker.say(opts.Notice, false)
	}
	m.show(&loading{c: c})
	return m
}

// shutdown cancels whatever is still in flight (checks, saves waiting for the lock).
func (m *Model) shutdown() { m.cancel() }

// laterTimeout bounds the wait, as a session ends, for what live checks left to do.
const laterTimeout = 15 * time.Second

func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor}
	if m.c.store != nil {
		cmds = append(cmds, loadCmd(m.c.store))
	} else {
		cmds = append(cmds, openCmd(m.c.opts.ConfigDir, m.c.opts.Passphrase))
	}
	return tea.Batch(cmds...)
}

// Update routes msg; a panic in any screen ends the program with an error that carries nothing of
// the state (no token can leak through it).
func (m *Model) Update(msg tea.Msg) (model tea.Model, cmd tea.Cmd) {
	defer func() {
		if r := recover(); r != nil {
			model = m
			m.fatal = panicError(where(), r)
			m.shutdown()
			cmd = tea.Quit
		}
	}()
	cmd = m.update(msg)
	// Whatever changed the store (a save, an activation, a recorded check, another writer), the
	// picker's view of Devtron is read again.
	if due := m.picker.driftDue(); due != nil {
		cmd = tea.Batch(cmd, due)
	}
	return m, cmd
}

// where names the function a panic came from (file and line carry no secrets).
func where() string {
	for i := 3; i < 12; i++ {
		pc, file, line, ok := runtime.Caller(i)
		if !ok {
			break
		}
		fn := runtime.FuncForPC(pc)
		if fn != nil && fn.Name() != "runtime.gopanic" && !isRuntime(fn.Name()) {
			return fmt.Sprintf("%s:%d", shortFile(file), line)
		}
	}
	return "update"
}

func isRuntime(name string) bool { return len(name) >= 8 && name[:8] == "runtime." }

func shortFile(f string) string {
	for i := len(f) - 1; i >= 0; i-- {
		if f[i] == '/' {
			return f[i+1:]
		}
	}
	return f
}

// quit ends the session; while a round trip runs it is cancelled first, and the session ends once
// its clean-up is over (deepDoneMsg), so that quitting never leaves a repository behind.
func (m *Model) quit() tea.Cmd {
	if rt := m.roundtrip; rt != nil && rt.busy() && m.fatal == nil {
		rt.quit()
		m.top = rt
		return nil
	}
	if rs := m.picker.rot; rs != nil && rs.busy() && m.fatal == nil {
		rs.quit()
		m.top = rs
		return nil
	}
	m.shutdown()
	return tea.Quit
}

// awaitRoundTrip waits (at most d) for a round trip still running to return, clean-up included;
// the program has ended, so nothing else touches the model.
func (m *Model) awaitRoundTrip(d time.Duration) {
	if m.roundtrip == nil || m.roundtrip.finished == nil {
		return
	}
	select {
	case <-m.roundtrip.finished:
	case <-time.After(d):
	}
}

// update handles what is the root's (the terminal, the session, the store, which screen is shown)
// and hands the rest to the screens.
func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
	case tea.BackgroundColorMsg:
		m.c.setDark(msg.IsDark())
	case tea.ColorProfileMsg, tea.EnvMsg:
		m.c.links.observe(msg) // whether the terminal gets hyperlinks (link.go)
	case tea.FocusMsg:
		// Back from elsewhere (the command line may have changed the store or Devtron): both are
		// read again.
		return tea.Batch(m.focused(), m.route(msg))
	case tea.KeyPressMsg:
		// the editor asks before unsaved changes are lost
		if msg.String() == "ctrl+c" && m.top != m.editor {
			return m.quit()
		}
	}
	if r, ok := msg.(storeReply); ok {
		m.keep(r.storeData())
	}
	if cmd, ok := m.session(msg); ok {
		return cmd
	}
	if cmd, ok := m.navigate(msg); ok {
		return cmd
	}
	return m.route(msg)
}

// show puts a new screen on top, sized to the terminal, and starts it.
func (m *Model) show(s screen) tea.Cmd {
	s.SetSize(m.width, m.height)
	m.top = s
	return s.Init()
}

// resize gives every screen alive the terminal's new size.
func (m *Model) resize(width, height int) {
	m.width, m.height = width, height
	for _, s := range m.alive() {
		s.SetSize(width, height)
	}
}

// alive are the screens that keep a state: the one shown and those behind it.
func (m *Model) alive() []screen {
	out := []screen{m.top, m.picker}
	if m.editor != nil {
		out = append(out, m.editor)
	}
	if m.roundtrip != nil {
		out = append(out, m.roundtrip)
	}
	if m.picker.rot != nil {
		out = append(out, m.picker.rot)
	}
	return out
}

// route hands msg to the screens it is for (receivers); screens change in place.
func (m *Model) route(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	for _, s := range m.receivers(msg) {
		_, cmd := s.Update(msg)
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

// receivers are the screens msg is for: a key goes to the screen shown; a reply to the screen
// that asked for it, shown or not; anything else to the screen shown and to those working behind
// it (the editor behind the round trip keeps its size, colours, cursor and live check; the
// picker's re-tests go on behind every screen).
func (m *Model) receivers(msg tea.Msg) []screen {
	switch msg.(type) {
	case tea.KeyPressMsg:
		return []screen{m.top}
	case retestedMsg, retestMsg, devtronDriftMsg, devtronPushedMsg, devtronPlanMsg:
		// a re-test, a push or a comparison ends on the picker, whichever screen is shown
		return []screen{m.picker}
	case rotationMsg, rotTickMsg:
		if m.picker.rot == nil {
			return nil
		}
		return []screen{m.picker.rot}
	case debounceMsg, checkDoneMsg:
		if m.editor == nil {
			return nil
		}
		return []screen{m.editor}
	case revokedMsg:
		if m.editor == nil {
			return []screen{m.picker} // the editor closed: the picker's notice says it
		}
		return []screen{m.editor}
	case deepProgressMsg:
		if m.roundtrip == nil {
			return nil
		}
		return []screen{m.roundtrip}
	}
	out := []screen{m.top}
	if m.top == m.roundtrip && m.editor != nil {
		out = append(out, m.editor)
	}
	if _, tick := msg.(spinner.TickMsg); tick && m.top != m.picker {
		out = append(out, m.picker)
	}
	return out
}

// storeReply is a reply that carries the store as it is now (nil: it does not); the picker shows
// it whatever screen is on top.
type storeReply interface{ storeData() *config.Data }

func (msg savedMsg) storeData() *config.Data {
	if msg.reloaded != nil {
		return msg.reloaded // a conflict: the store as it is now
	}
	return msg.data
}

func (msg changedMsg) storeData() *config.Data { return msg.data }

func (msg deepRecordedMsg) storeData() *config.Data {
	if msg.err != nil {
		return nil
	}
	return msg.data
}

// focused reads the store and Devtron again when the terminal gets the focus back.
func (m *Model) focused() tea.Cmd {
	if m.c.store == nil || m.picker.data == nil {
		return nil
	}
	return tea.Batch(loadCmd(m.c.store), m.picker.refreshDrift())
}

// keep shows a new state of the store in the picker.
func (m *Model) keep(d *config.Data) {
	if d != nil {
		m.picker.setData(d)
	}
}

func (m *Model) View() (v tea.View) {
	defer func() {
		if r := recover(); r != nil {
			v = tea.NewView("gitopscfg: internal error while drawing the screen; press ctrl+c to quit")
		}
	}()
	s := m.c.links.show(m.top.View()) // addresses linked, or no hyperlink at all (link.go)
	if m.fatal != nil {
		s = ""
	}
	v = tea.NewView(s)
	v.AltScreen = true
	// the terminal says when it gets the focus back: the store and Devtron are read again then
	v.ReportFocus = true
	v.WindowTitle = "gitopscfg"
	return v
}
