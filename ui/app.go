package ui

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// screen is what the root shows.
type screen int

const (
	screenLoading screen = iota
	screenUnlock
	screenWizard
	screenPicker
	screenEditor
	screenRoundTrip
)

// Model is the root model: it owns the shared state and routes messages to the current screen.
// Only it returns a tea.View; the screens return strings.
type Model struct {
	c      *common
	cancel context.CancelFunc
	screen screen
	picker *picker
	editor *editor
	unlock *unlock
	wizard *wizard
	// roundtrip is the round-trip view, from the moment it opens until the admin leaves it.
	roundtrip *roundTrip
	deepSeq   int
	stamp     config.Stamp
	// fatal ends the program with an error (Run returns it).
	fatal error
}

func newModel(opts Options, d deps) *Model {
	c := newCommon(opts, d)
	ctx, cancel := context.WithCancel(context.Background())
	c.ctx = ctx
	return &Model{c: c, cancel: cancel, picker: newPicker(c)}
}

// shutdown cancels whatever is still in flight (checks, saves waiting for the lock).
func (m *Model) shutdown() { m.cancel() }

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
	return m, m.update(msg)
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

// focus names the focused form field ("" when none), for tests.
func (m *Model) focus() string {
	switch {
	case m.screen == screenEditor:
		return m.editor.form.GetFocusedField().GetKey()
	case m.screen == screenWizard:
		return m.wizard.form.GetFocusedField().GetKey()
	}
	return ""
}

// quit ends the session; while a round trip runs it is cancelled first, and the session ends once
// its clean-up is over (deepDoneMsg), so that quitting never leaves a repository behind.
func (m *Model) quit() tea.Cmd {
	if rt := m.roundtrip; rt != nil && rt.busy() && m.fatal == nil {
		rt.quit()
		m.screen = screenRoundTrip
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

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.width, m.c.height = msg.Width, msg.Height
		return m.toScreen(msg)
	case tea.BackgroundColorMsg:
		m.c.setDark(msg.IsDark())
		return m.toScreen(msg)
	case panicMsg:
		panic("test panic with a secret: " + msg.secret)
	case tea.KeyPressMsg:
		if msg.String() == "ctrl+c" && m.screen != screenEditor {
			return m.quit()
		}
		return m.toScreen(msg)

	case needWizardMsg:
		return m.startWizard()
	case quitMsg:
		return m.quit()
	case crashMsg:
		m.fatal = msg.err
		return m.quit()
	case unlockFailedMsg:
		m.fatal = ErrUnlockFailed
		return m.quit()
	case needPassphraseMsg:
		m.screen = screenUnlock
		m.unlock = newUnlock(m.c, "")
		return m.unlock.Init()
	case openedMsg:
		return m.opened(msg)
	case loadedMsg:
		if msg.err != nil {
			m.picker.say("could not read the store: "+msg.err.Error(), true)
			return nil
		}
		m.picker.setData(msg.data)
		if m.screen == screenLoading {
			m.screen = screenPicker
			return tea.Batch(watchCmd(m.c.store, m.stamp, m.c.watch), devtronDriftCmd(m.c.ctx, m.c.opts.Env, msg.data))
		}
		return nil
	case watchMsg:
		m.stamp = msg.stamp
		if msg.data != nil && (m.picker.data == nil || msg.data.Revision != m.picker.data.Revision) {
			m.picker.setData(msg.data)
			return tea.Batch(watchCmd(m.c.store, m.stamp, m.c.watch), devtronDriftCmd(m.c.ctx, m.c.opts.Env, msg.data))
		}
		return watchCmd(m.c.store, m.stamp, m.c.watch)
	case devtronDriftMsg, devtronPushedMsg:
		// a push or a comparison ends on the picker, whichever screen is shown
		return m.picker.Update(msg)

	case wizardDoneMsg:
		return m.openEditor(providers.MustLookup(msg.provider), &createSpec{passphrase: msg.passphrase})
	case openEditorMsg:
		return m.openEditor(providers.MustLookup(msg.id), nil)
	case closeEditorMsg:
		m.editor = nil
		if msg.quit {
			return m.quit()
		}
		if m.c.store == nil {
			return m.startWizard()
		}
		m.screen = screenPicker
		m.picker.say(msg.notice, msg.isErr)
		return nil
	case savedMsg:
		if msg.data != nil {
			m.picker.setData(msg.data)
		}
		if msg.reloaded != nil {
			m.picker.setData(msg.reloaded)
		}
		return m.toScreen(msg)
	case createdMsg:
		if msg.err != nil {
			return m.toScreen(msg)
		}
		m.c.store = msg.store
		m.picker.setData(msg.data)
		m.editor = nil
		m.screen = screenPicker
		m.picker.say("Saved and activated "+providers.MustLookup(providers.ID(msg.data.Active)).Name+
			". Keep a backup of "+config.IdentityFile+" in "+m.c.opts.ConfigDir+": without it the store cannot be read.", false)
		return watchCmd(m.c.store, m.stamp, m.c.watch)
	case changedMsg:
		if msg.data != nil {
			m.picker.setData(msg.data)
		}
		return m.toScreen(msg)
	case retestedMsg, retestMsg:
		return m.picker.Update(msg)
	case debounceMsg, checkDoneMsg:
		// the editor's live check goes on behind the round-trip view
		if m.editor != nil {
			return m.editor.Update(msg)
		}
		return nil

	case roundTripMsg:
		if m.roundtrip != nil {
			return nil // one at a time: the view is modal
		}
		m.deepSeq++
		m.roundtrip = newRoundTrip(m.c, msg, m.screen, m.deepSeq)
		m.screen = screenRoundTrip
		return m.roundtrip.start()
	case deepProgressMsg:
		if m.roundtrip == nil {
			return nil
		}
		return m.roundtrip.Update(msg)
	case deepDoneMsg:
		return m.roundTripDone(msg)
	case deepRecordedMsg:
		if msg.err == nil {
			m.picker.setData(msg.data)
		}
		if m.roundtrip != nil && m.roundtrip.seq == msg.seq {
			return m.roundtrip.Update(msg)
		}
		if msg.err != nil && msg.err != errStale {
			m.picker.say("could not record the round trip of "+providers.MustLookup(msg.id).Name+": "+msg.err.Error(), true)
		}
		return nil
	case closeRoundTripMsg:
		return m.closeRoundTrip()

	case spinner.TickMsg:
		// the picker's re-tests go on behind the editor
		if m.screen == screenPicker {
			return m.picker.Update(msg)
		}
		return tea.Batch(m.picker.Update(msg), m.toScreen(msg))
	}
	return m.toScreen(msg)
}

// roundTripDone hands a round trip's end to its view; the session ends now if the admin quit
// during it, and an editor's unsaved draft keeps the result to store it when it is saved.
func (m *Model) roundTripDone(msg deepDoneMsg) tea.Cmd {
	rt := m.roundtrip
	if rt == nil || rt.seq != msg.seq {
		return nil
	}
	cmd := rt.Update(msg)
	if rt.quitting {
		return m.quit()
	}
	if out, ok := rt.outcome(); ok && rt.from == screenEditor && m.editor != nil && !rt.stored {
		m.editor.keepRoundTrip(out)
	}
	return cmd
}

// closeRoundTrip goes back to where the round trip was started, with its outcome as the notice.
func (m *Model) closeRoundTrip() tea.Cmd {
	rt := m.roundtrip
	if rt == nil || rt.busy() {
		return nil
	}
	m.roundtrip = nil
	notice, isErr := rt.summary()
	if rt.from == screenEditor && m.editor != nil {
		m.screen = screenEditor
		if _, ok := rt.outcome(); ok && !rt.stored {
			notice += "; ctrl+s saves these credentials with it"
		}
		m.editor.say(notice, isErr)
		return nil
	}
	m.screen = screenPicker
	m.picker.say(notice, isErr)
	return nil
}

func (m *Model) opened(msg openedMsg) tea.Cmd {
	if msg.err != nil {
		if config.IsKind(msg.err, config.KindWrongPassphrase) {
			if m.screen == screenUnlock {
				return m.unlock.failed(msg.err)
			}
			// GITOPSCFG_PASSPHRASE did not unlock it: ask instead.
			m.screen = screenUnlock
			m.unlock = newUnlock(m.c, "GITOPSCFG_PASSPHRASE did not unlock the store: type the passphrase.")
			return m.unlock.Init()
		}
		m.fatal = msg.err
		return m.quit()
	}
	m.c.store = msg.store
	for _, w := range msg.store.Warnings() {
		m.picker.say("warning: "+w, true)
	}
	m.picker.setData(msg.data)
	m.screen = screenPicker
	m.unlock = nil
	return tea.Batch(watchCmd(m.c.store, m.stamp, m.c.watch), devtronDriftCmd(m.c.ctx, m.c.opts.Env, msg.data))
}

func (m *Model) startWizard() tea.Cmd {
	m.screen = screenWizard
	m.wizard = newWizard(m.c)
	return m.wizard.Init()
}

func (m *Model) openEditor(p providers.Provider, create *createSpec) tea.Cmd {
	e, cmd := newEditor(m.c, p, m.picker.data, create)
	m.editor = e
	m.screen = screenEditor
	return cmd
}

// toScreen hands msg to the current screen.
func (m *Model) toScreen(msg tea.Msg) tea.Cmd {
	switch m.screen {
	case screenPicker:
		return m.picker.Update(msg)
	case screenEditor:
		return m.editor.Update(msg)
	case screenUnlock:
		cmd, quit := m.unlock.Update(msg)
		if quit {
			return m.quit()
		}
		return cmd
	case screenWizard:
		cmd, quit := m.wizard.Update(msg)
		if quit {
			return m.quit()
		}
		return cmd
	case screenRoundTrip:
		cmd := m.roundtrip.Update(msg)
		if _, isKey := msg.(tea.KeyPressMsg); !isKey && m.editor != nil {
			// the editor behind the view keeps its size, colours, cursor and spinner
			cmd = tea.Batch(cmd, m.editor.Update(msg))
		}
		return cmd
	}
	return nil
}

func (m *Model) View() (v tea.View) {
	defer func() {
		if r := recover(); r != nil {
			v = tea.NewView("gitopscfg: internal error while drawing the screen; press ctrl+c to quit")
		}
	}()
	var s string
	switch m.screen {
	case screenLoading:
		s = m.c.styles.dim.Render("Opening the store…")
	case screenUnlock:
		s = m.unlock.View()
	case screenWizard:
		s = m.wizard.View()
	case screenPicker:
		s = m.picker.View()
	case screenEditor:
		s = m.editor.View()
	case screenRoundTrip:
		s = m.roundtrip.View()
	}
	if m.fatal != nil {
		s = ""
	}
	v = tea.NewView(s)
	v.AltScreen = true
	v.WindowTitle = "gitopscfg"
	return v
}

// panicMsg makes the root panic with a secret in the panic value; tests send it (through a
// tea.WithFilter) to prove a crash restores the terminal and prints no secret.
type panicMsg struct{ secret string }
