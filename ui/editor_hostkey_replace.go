package ui

import (
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// Replacing a changed SSH host key from the editor. When the look before a save finds that the
// server shows another host key than the one the credential trusts, the editor shows both
// fingerprints, their key types and the address, loudly, and offers to trust the new key only
// when the admin types the word "replace" or the new fingerprint's last four characters (a plain
// y, or Enter alone, keeps the trusted key and saves nothing). Then the check runs again with
// that exact key trusted, and the save trusts exactly the fingerprint shown
// (usecase.SaveInput.TrustHostKey), without looking again: a key that changed once more in
// between is refused by the save. The store's audit trail records the replacement (old → new).
// See ARCHITECTURE.md: UI I/O only in tea.Cmds, state changes only in Update.

// replaceWord is the word that confirms a host key's replacement, as does the new fingerprint's
// last replaceTail characters.
const (
	replaceWord = "replace"
	replaceTail = 4
)

// replaceHow says how to confirm a replacement, in the editor and the plain prompts.
var replaceHow = "To trust the new key, type " + replaceWord + " or its fingerprint's last " + itoa64(replaceTail) + " characters"

// replaceAdvice is the warning's advice about the changed key offered to credential name.
func replaceAdvice(name, offered string) string {
	return "Someone may be intercepting the connection, or the server's key was replaced. Trust the new key only if " +
		"the server's administrator confirms its fingerprint (ssh-keygen -lf on the server's host key). From the " +
		"command line: gitopscfg set " + name + " --trust-host-key " + offered
}

// hostKeyReplace is the editor's state of a changed host key's replacement.
type hostKeyReplace struct {
	// changed is the change the look found; trustedType the type of the key trusted before.
	changed     providers.HostKeyChangedError
	trustedType string
	// typed is what the admin typed so far in answer.
	typed string
}

// replaceKeys are the bindings of the replacement question, for the help line.
type replaceKeys struct{ confirm, cancel key.Binding }

func newReplaceKeys() replaceKeys {
	return replaceKeys{
		confirm: key.NewBinding(key.WithKeys("enter"), key.WithHelp("type "+replaceWord+" + enter", "trust the new key")),
		cancel:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc/enter", "keep the trusted key: nothing is saved")),
	}
}

func (k replaceKeys) ShortHelp() []key.Binding  { return []key.Binding{k.confirm, k.cancel} }
func (k replaceKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// askReplace shows the changed host key (seen: the new one, as the look saw it) and waits for the
// admin's typed answer; norm is the draft the look was for.
func (e *editor) askReplace(changed *providers.HostKeyChangedError, seen usecase.HostKeySeen, norm providers.Credentials) {
	e.seen = seen
	e.replace = hostKeyReplace{changed: *changed}
	if _, k, err := providers.TrustedHostKey(norm); err == nil {
		e.replace.trustedType = k.Type()
	}
	e.state = askReplaceHostKey
	e.say("", false)
}

// replaceKey takes a key of the replacement question: typed characters build the answer, enter
// answers (anything but the word or the fingerprint's tail is no), esc and ctrl+c answer no.
func (e *editor) replaceKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc", "ctrl+c":
		return e.replaceAnswered(false)
	case "enter":
		return e.replaceAnswered(confirmsReplace(e.replace.typed, e.seen.Fingerprint))
	case "backspace":
		if _, n := utf8.DecodeLastRuneInString(e.replace.typed); n > 0 {
			e.replace.typed = e.replace.typed[:len(e.replace.typed)-n]
		}
	case "ctrl+u":
		e.replace.typed = ""
	default:
		if msg.Text != "" && len(e.replace.typed) < 32 {
			e.replace.typed += msg.Text
		}
	}
	return nil
}

// confirmsReplace reports whether typed confirms the replacement by the key of fingerprint: the
// word "replace", or the fingerprint's last four characters (as shown, case and all).
func confirmsReplace(typed, fingerprint string) bool {
	t := strings.TrimSpace(typed)
	if strings.EqualFold(t, replaceWord) {
		return true
	}
	return len(fingerprint) > len("SHA256:")+replaceTail && t == fingerprint[len(fingerprint)-replaceTail:]
}

// replaceAnswered trusts the new key in the draft and checks again with it, then saves
// (checkedTrusted, save); or it says that the trusted key was kept and nothing saved.
func (e *editor) replaceAnswered(yes bool) tea.Cmd {
	typed := e.replace.typed
	e.replace.typed = ""
	if !yes {
		e.state = editing
		msg := "not saved: the trusted SSH host key was kept"
		if strings.TrimSpace(typed) != "" {
			msg += " (to replace it, type " + replaceWord + " or the new fingerprint's last " + itoa64(replaceTail) + " characters)"
		}
		e.say(msg, false)
		return nil
	}
	return e.trustSeen()
}

// replaceView is the screen of the replacement question, in w cells, in place of the form.
func (e *editor) replaceView(w int) string {
	s := e.c.styles
	c, h := e.replace.changed, e.seen
	lines := []string{
		s.fail.Render(wrapText("WARNING: the SSH host key of "+c.Host+" has CHANGED.", w)),
		"",
		"  Trusted:   " + c.Trusted + "  (" + e.replace.trustedType + ")",
		"  Now shown: " + c.Offered + "  (" + h.KeyType + ")",
		"",
		wrapText(replaceAdvice(e.name, c.Offered), w),
		"",
		wrapText(replaceHow+", then enter. Enter alone or esc keeps the trusted key: nothing is saved.", w),
		"",
		truncate("Replace the trusted key? > "+e.replace.typed+"█", w),
	}
	return strings.Join(lines, "\n")
}
