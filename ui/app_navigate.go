package ui

import (
	tea "charm.land/bubbletea/v2"

	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// navigate handles the screens' requests to open and close the editor, the adding of a
// credential, the round trip and the rotation.
func (m *Model) navigate(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case wizardDoneMsg:
		return m.openEditor(providers.MustLookup(msg.provider), string(msg.provider), &createSpec{passphrase: msg.passphrase}), true
	case openEditorMsg:
		m.editor = newEditor(m.c, providers.MustLookup(msg.id), msg.name, m.picker.data, nil)
		m.editor.ofKind(msg.kind)
		return m.show(m.editor), true
	case addCredentialMsg:
		if m.top != m.picker {
			return nil, true
		}
		return m.show(newAdder(m.c, m.picker.data, msg.provider)), true
	case closeAddMsg:
		m.top = m.picker
		m.picker.say(msg.notice, false)
		return nil, true
	case closeEditorMsg:
		return m.closeEditor(msg), true
	case roundTripMsg:
		return m.openRoundTrip(msg), true
	case deepDoneMsg:
		return m.roundTripDone(msg), true
	case deepRecordedMsg:
		return m.roundTripRecorded(msg), true
	case closeRoundTripMsg:
		return m.closeRoundTrip(), true
	case rotateMsg:
		return m.openRotation(msg), true
	case closeRotationMsg:
		return m.closeRotation(msg), true
	}
	return nil, false
}

// openRotation opens the rotation of a credential's token in the picker's place.
func (m *Model) openRotation(msg rotateMsg) tea.Cmd {
	cfg := m.picker.configured(msg.name)
	if cfg == nil || m.top != m.picker {
		return nil
	}
	p := providers.MustLookup(providers.ID(cfg.Provider))
	devtron := ""
	if dt := usecase.StoredDevtron(m.picker.data); dt != nil {
		devtron = dt.URL
	}
	b := newRotator
	if m.rotator != nil {
		b = m.rotator
	}
	m.picker.rot = newRotateScreen(m.c, p, providers.FromConfig(msg.name, cfg), devtron, b(m.c))
	return m.show(m.picker.rot)
}

// closeRotation goes back to the picker, with the rotation's outcome as the notice.
func (m *Model) closeRotation(msg closeRotationMsg) tea.Cmd {
	if rs := m.picker.rot; rs == nil || rs.busy() {
		return nil
	}
	m.picker.rot = nil
	m.top = m.picker
	m.picker.say(msg.notice, msg.isErr)
	return nil
}

// openEditor opens the editor of credential name, of provider p.
func (m *Model) openEditor(p providers.Provider, name string, create *createSpec) tea.Cmd {
	m.editor = newEditor(m.c, p, name, m.picker.data, create)
	return m.show(m.editor)
}

// closeEditor goes back to the picker (to the wizard while there is no store yet), on the
// credential edited once it is stored, or quits.
func (m *Model) closeEditor(msg closeEditorMsg) tea.Cmd {
	if m.editor != nil {
		m.picker.choose(m.editor.name)
	}
	m.editor = nil
	if msg.quit {
		return m.quit()
	}
	if m.c.store == nil {
		return m.show(newWizard(m.c))
	}
	m.top = m.picker
	m.picker.say(msg.notice, msg.isErr)
	return nil
}

// openRoundTrip opens the round-trip view over the screen shown; one at a time: it is modal.
func (m *Model) openRoundTrip(msg roundTripMsg) tea.Cmd {
	if m.roundtrip != nil {
		return nil
	}
	m.deepSeq++
	m.roundtrip = newRoundTrip(m.c, msg, m.top, m.deepSeq)
	return m.show(m.roundtrip)
}

// roundTripDone hands a round trip's end to its view; the session ends now if the admin quit
// during it, and an editor's unsaved draft keeps the result to store it when it is saved.
func (m *Model) roundTripDone(msg deepDoneMsg) tea.Cmd {
	rt := m.roundtrip
	if rt == nil || rt.seq != msg.seq {
		return nil
	}
	_, cmd := rt.Update(msg)
	if rt.quitting {
		return m.quit()
	}
	if out, ok := rt.outcome(); ok && m.editor != nil && rt.from == m.editor && !rt.stored {
		m.editor.keepRoundTrip(out)
	}
	return cmd
}

// roundTripRecorded tells the view what became of its result; once it is closed, only a failure
// to record is news (on the picker).
func (m *Model) roundTripRecorded(msg deepRecordedMsg) tea.Cmd {
	if m.roundtrip != nil && m.roundtrip.seq == msg.seq {
		_, cmd := m.roundtrip.Update(msg)
		return cmd
	}
	if msg.err != nil && msg.err != errStale {
		m.picker.say("could not record the round trip of "+m.picker.label(msg.name)+": "+msg.err.Error(), true)
	}
	return nil
}

// closeRoundTrip goes back to where the round trip was started, with its outcome as the notice.
func (m *Model) closeRoundTrip() tea.Cmd {
	rt := m.roundtrip
	if rt == nil || rt.busy() {
		return nil
	}
	m.roundtrip = nil
	notice, isErr := rt.summary()
	if m.editor != nil && rt.from == m.editor {
		m.top = m.editor
		if _, ok := rt.outcome(); ok && !rt.stored {
			notice += "; ctrl+s saves these credentials with it"
		}
		m.editor.say(notice, isErr)
		return nil
	}
	m.top = m.picker
	m.picker.say(notice, isErr)
	return nil
}
