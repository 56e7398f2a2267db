package ui

import (
	"errors"
	"strings"

	tea "charm.land/bubbletea/v2"

	"gitopscfg/forms"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// Git over SSH in the editor: the transport the form's questions chose (forms.SSHChoice) becomes
// the draft's SSH key here; a key is generated off the event loop; and a save over SSH first looks
// at the server's host key (a tea.Cmd), asks the admin to compare its fingerprint, then saves
// trusting exactly that key (usecase.SaveInput.TrustHostKey), so that a key that changed between
// the look and the save is refused. See ARCHITECTURE.md: UI I/O only in tea.Cmds.

// sshKeyMsg: a key generated for the editor (priv never shows; pub is shown to paste).
type sshKeyMsg struct {
	priv, pub string
	err       error
}

// hostKeyMsg: the look at the host key of the SSH server of creds, started as look seq.
type hostKeyMsg struct {
	seq   int
	creds providers.Credentials
	seen  usecase.HostKeySeen
	err   error
}

// takesSSH reports whether the editor's provider takes an SSH key.
func (e *editor) takesSSH() bool {
	_, ok := e.p.Field(providers.FieldSSHKey)
	return ok
}

// initSSH sets the transport question's first answer from the stored credential.
func (e *editor) initSSH(storedKey bool) {
	e.ssh = forms.SSHChoice{Transport: forms.TransportHTTPS, Stored: storedKey}
	if storedKey {
		e.ssh.Transport = forms.TransportSSHKeep
	}
}

// syncSSH makes the draft's SSH key follow the transport chosen; choosing a new key for the
// first time starts its generation.
func (e *editor) syncSSH() tea.Cmd {
	if !e.takesSSH() {
		return nil
	}
	switch e.ssh.Transport {
	case forms.TransportHTTPS:
		e.draft.SSHKey = ""
	case forms.TransportSSHKeep:
		e.draft.SSHKey = e.orig.SSHKey
	case forms.TransportPaste:
		e.draft.SSHKey = e.ssh.Pasted
	case forms.TransportGenerate:
		e.draft.SSHKey = e.genPriv
		if e.genPriv == "" && !e.generating {
			e.generating = true
			e.say("Generating a new SSH key…", false)
			return generateKeyCmd(e.p.ID, "gitopscfg-"+e.name)
		}
	}
	return nil
}

// generateKeyCmd makes a new key of a type provider id's server takes (ed25519; RSA 4096 for
// Azure DevOps, which takes a second).
func generateKeyCmd(id providers.ID, comment string) tea.Cmd {
	return guard(func() tea.Msg {
		priv, pub, err := providers.GenerateSSHKeyFor(id, comment)
		return sshKeyMsg{priv: priv, pub: pub, err: err}
	})
}

// keyGenerated keeps the generated key: the draft takes it if the new key is still the choice,
// and the public key shows under the form (which gives it room).
func (e *editor) keyGenerated(msg sshKeyMsg) tea.Cmd {
	e.generating = false
	if msg.err != nil {
		e.say("could not generate an SSH key: "+msg.err.Error(), true)
		return nil
	}
	e.genPriv, e.genPub = msg.priv, msg.pub
	return tea.Batch(e.syncSSH(), e.afterForm(nil), e.resize())
}

// publicKey is the generated public key while it is the transport chosen ("" otherwise).
func (e *editor) publicKey() string {
	if e.ssh.Transport != forms.TransportGenerate {
		return ""
	}
	return e.genPub
}

// copyPublicKey puts the public key on the terminal's clipboard (OSC 52).
func (e *editor) copyPublicKey() tea.Cmd {
	e.say("Copied the public key to the clipboard (if your terminal allows it; otherwise select it below the form).", false)
	return tea.SetClipboard(e.publicKey())
}

// pubKey answers the public key's keys: ctrl+y copies it, ctrl+o shows it whole, and any key
// leaves that view; ok says whether msg was one of them.
func (e *editor) pubKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	switch {
	case e.publicKey() == "":
		e.showPub = false
		return nil, false
	case msg.String() == "ctrl+y":
		return e.copyPublicKey(), true
	case e.showPub:
		e.showPub = false
		return e.resize(), true
	case msg.String() == "ctrl+o":
		e.showPub = true
		return e.resize(), true
	}
	return nil, false
}

// registers reports whether the save registers a new key's public half through the API.
func (e *editor) registers() bool {
	return e.p.CanRegisterKeys() && e.ssh.Register && e.ssh.NewKey()
}

// lookAtHostKey starts the look at the host key of norm's SSH server, before the save.
func (e *editor) lookAtHostKey(norm providers.Credentials) tea.Cmd {
	e.state = lookingHostKey
	e.hostSeq++
	seq, b, ctx := e.hostSeq, e.c.backend(), e.c.ctx
	return guard(func() tea.Msg {
		seen, err := b.LookAtHostKey(ctx, norm)
		return hostKeyMsg{seq: seq, creds: norm, seen: seen, err: err}
	})
}

// hostKeySeen saves at once when the key is trusted already, asks about a new one, and warns of a
// changed one, naming both fingerprints, replacing it only once the admin types so
// (editor_hostkey_replace.go).
func (e *editor) hostKeySeen(msg hostKeyMsg) tea.Cmd {
	if msg.seq != e.hostSeq || e.state != lookingHostKey {
		return nil // a stale look
	}
	e.state = editing
	var changed *providers.HostKeyChangedError
	if errors.As(msg.err, &changed) && msg.seen.Line != "" && msg.seen.Fingerprint == changed.Offered {
		e.askReplace(changed, msg.seen, msg.creds)
		return nil
	}
	if msg.err != nil {
		return e.saveFailed(msg.err)
	}
	if msg.seen.Trusted {
		trust := msg.seen.Fingerprint // the save compares it with what the server shows then
		if msg.seen.Unreached != nil {
			trust = "" // nothing to compare with: the trusted key is kept
		}
		return e.commit(msg.creds, trust)
	}
	e.seen = msg.seen
	e.ask(askTrustHostKey, newConfirm(e.c.keys.confirm, "Trust this host key and save?").
		meaning("trust it and save", "cancel: nothing is saved"))
	return nil
}

// trustAnswered trusts the key shown in the draft and checks it again with that key (the check's
// ssh stage needs it), then the save goes on (checkedTrusted); or it says that nothing was saved.
func (e *editor) trustAnswered(yes bool) tea.Cmd {
	if !yes {
		e.say("not saved: the SSH server's host key was not trusted", false)
		return nil
	}
	return e.trustSeen()
}

// trustSeen puts the host key seen, which the admin confirmed, in the draft and checks the draft
// again (checkedTrusted); the save then trusts exactly that key (confirmedFor).
func (e *editor) trustSeen() tea.Cmd {
	e.confirmedFP, e.confirmedLine = e.seen.Fingerprint, e.seen.Line
	e.draft.SSHHostKey = e.seen.Line
	e.last = *e.draft
	e.state = checkingTrusted
	cmd := e.panel.start(*e.draft)
	return tea.Batch(cmd, e.checkedTrusted()) // an invalid draft has no check to wait for
}

// checkedTrusted goes on with the save once the check with the trusted host key has ended: saved
// at once when it passed, else after the usual question.
func (e *editor) checkedTrusted() tea.Cmd {
	if e.state != checkingTrusted || e.panel.state == panelChecking || e.panel.state == panelWaiting {
		return nil
	}
	e.state = editing
	return e.requestSave()
}

// saveFailed shows why a save (or its look at the host key) failed; a host key other than the
// one trusted, or than the one shown, gets its own screen naming both fingerprints.
func (e *editor) saveFailed(err error) tea.Cmd {
	var changed *providers.HostKeyChangedError
	var untrusted *usecase.UntrustedHostKeyError
	switch {
	case errors.As(err, &changed):
		e.refused = "REFUSED: the SSH host key of " + changed.Host + " has CHANGED.\n\nTrusted:   " + changed.Trusted +
			"\nNow shown: " + changed.Offered + "\n\nSomeone may be intercepting the connection, or the server's key was " +
			"replaced: ask its administrator which fingerprint is right. Nothing was saved. Once they confirm the new one, " +
			"trust it with:\n\n  gitopscfg set " + e.name + " --trust-host-key " + changed.Offered
	case errors.As(err, &untrusted) && untrusted.Given != "":
		e.refused = "REFUSED: the SSH host key of " + untrusted.Host + " changed while you looked at it.\n\nYou trusted: " +
			untrusted.Given + "\nNow shown:   " + untrusted.Fingerprint + "\n\nAsk its administrator which fingerprint is " +
			"right. Nothing was saved."
	default:
		e.say("not saved: "+strings.TrimPrefix(err.Error(), "not saved: "), true)
		return nil
	}
	e.state = hostKeyRefused
	e.say("not saved: the SSH server's host key is not the one expected", true)
	return nil
}

// confirmedFor is the fingerprint the save of norm trusts without looking at the host key again:
// the one the admin confirmed in this edit, while norm trusts the line confirmed for norm's SSH
// address ("" otherwise: another address is looked at again). A key that changed since is then
// refused by the save.
func (e *editor) confirmedFor(norm providers.Credentials) string {
	if e.confirmedFP == "" || norm.SSHHostKey != e.confirmedLine || hostKeyPending(norm) {
		return ""
	}
	return e.confirmedFP
}

// hostKeyPending reports whether c goes over SSH to a server for which it trusts no host key yet.
func hostKeyPending(c providers.Credentials) bool {
	if !providers.UsesSSH(c) {
		return false
	}
	_, hostport, err := providers.SSHAddress(c)
	if err != nil {
		return false // the save says what is wrong with the address
	}
	hosts, _, err := providers.TrustedHostKey(c)
	return err != nil || len(hosts) == 0 || hosts[0] != providers.KnownHostsName(hostport)
}
