package ui

import (
	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
)

// session handles the session's course: opening or creating the store, watching it for other
// writers, and the end.
func (m *Model) session(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case quitMsg:
		return m.quit(), true
	case crashMsg:
		m.fatal = msg.err
		return m.quit(), true
	case unlockFailedMsg:
		m.fatal = ErrUnlockFailed
		return m.quit(), true
	case needWizardMsg:
		return m.show(newWizard(m.c)), true
	case needPassphraseMsg:
		return m.show(newUnlock(m.c, "")), true
	case openedMsg:
		return m.opened(msg), true
	case loadedMsg:
		return m.loaded(msg), true
	case watchMsg:
		m.stamp = msg.stamp
		if msg.data != nil && (m.picker.data == nil || msg.data.Revision != m.picker.data.Revision) {
			m.picker.setData(msg.data)
			return watchCmd(m.c.store, m.stamp, m.c.watch), true
		}
		return watchCmd(m.c.store, m.stamp, m.c.watch), true
	case createdMsg:
		if msg.err != nil {
			return nil, false // the editor says why
		}
		return m.created(msg), true
	}
	return nil, false
}

func (m *Model) opened(msg openedMsg) tea.Cmd {
	if msg.err != nil {
		if config.IsKind(msg.err, config.KindWrongPassphrase) {
			if u, ok := m.top.(*unlock); ok {
				return u.failed(msg.err)
			}
			// GITOPSCFG_PASSPHRASE did not unlock it: ask instead.
			return m.show(newUnlock(m.c, "GITOPSCFG_PASSPHRASE did not unlock the store: type the passphrase."))
		}
		m.fatal = msg.err
		return m.quit()
	}
	m.c.store = msg.store
	for _, w := range msg.store.Warnings() {
		m.picker.say("warning: "+w, true)
	}
	m.picker.setData(msg.data)
	m.top = m.picker
	return watchCmd(m.c.store, m.stamp, m.c.watch)
}

// loaded shows a fresh read of the store; the first one (an already open store) opens the picker.
func (m *Model) loaded(msg loadedMsg) tea.Cmd {
	if msg.err != nil {
		m.picker.say("could not read the store: "+msg.err.Error(), true)
		return nil
	}
	m.picker.setData(msg.data)
	if _, first := m.top.(*loading); first {
		m.top = m.picker
		return watchCmd(m.c.store, m.stamp, m.c.watch)
	}
	return nil
}

// created goes to the picker once the wizard's store is created with its first provider.
func (m *Model) created(msg createdMsg) tea.Cmd {
	m.c.store = msg.store
	m.picker.setData(msg.data)
	m.editor = nil
	m.top = m.picker
	m.picker.say("Saved and activated "+labelIn(msg.data, msg.data.Active)+
		". Keep a backup of "+config.IdentityFile+" in "+m.c.opts.ConfigDir+": without it the store cannot be read.", false)
	return watchCmd(m.c.store, m.stamp, m.c.watch)
}
