package ui

import (
	"strings"

	"gitopscfg/providers"
)

// alsoSaid is what a save did besides, in parentheses ("" nothing).
func (e *editor) alsoSaid(said string) string {
	if said == "" {
		return ""
	}
	return " (" + said + ")"
}

// maxPubLines is the most lines the public key takes under the form; a longer one (an RSA key)
// shows its start there, and whole on a screen of its own (ctrl+o).
const maxPubLines = 3

// pubLines is the generated public key under the form, to select and copy: a title, then the
// key wrapped at its spaces only where it must (plain text, so a terminal selection copies it).
// None while the key has the screen to itself (pubView).
func (e *editor) pubLines(w int) []string {
	pub := e.publicKey()
	if pub == "" || e.showPub {
		return nil
	}
	hint := providers.SSHKeyPasteHint(*e.draft)
	lines := strings.Split(wrapText(pub, w), "\n")
	head := "Public key (ctrl+y copies it): "
	if len(lines) > maxPubLines {
		head = "Public key (ctrl+y copies it, ctrl+o shows it whole): "
		lines = []string{truncate(pub, w)}
	}
	return append([]string{e.c.styles.dim.Render(truncate(head+hint, w))}, lines...)
}

// pubView is the public key whole, in w cells, in place of the form (ctrl+o).
func (e *editor) pubView(w int) string {
	s := e.c.styles
	return s.title.Render("Public key") + "\n\n" + wrapText(e.publicKey(), w) + "\n\n" +
		s.dim.Render(wrapText(providers.SSHKeyPasteHint(*e.draft)+". ctrl+y copies it; any other key goes back to the form.", w))
}

// hostKeyView is the screen of the host-key question or refusal, in w cells, in place of the form.
func (e *editor) hostKeyView(w int) string {
	s := e.c.styles
	if e.state == askReplaceHostKey {
		return e.replaceView(w)
	}
	if e.state == hostKeyRefused {
		return s.fail.Render(wrapText(e.refused, w)) + "\n\n" + s.dim.Render("Press any key to go back to the form.")
	}
	h := e.seen
	lines := []string{
		s.title.Render("Trust this SSH server?"),
		"",
		wrapText("The SSH server "+h.HostPort+" shows this host key ("+h.KeyType+"):", w),
		"",
		"  " + h.Fingerprint,
		"",
		wrapText("Compare it with the fingerprint its administrator gives (ssh-keygen -lf on the server's host key). "+
			"Trust it only if they are the same: the credential then keeps this key, and refuses a server that shows another one.", w),
	}
	return strings.Join(lines, "\n")
}

// showsHostKey reports whether the host-key screen takes the form's place.
func (e *editor) showsHostKey() bool {
	return e.state == askTrustHostKey || e.state == hostKeyRefused || e.state == askReplaceHostKey
}

// sshTransport says a stored credential goes over SSH, and which host key it trusts.
func sshTransport(hostKeyLine string) string {
	_, k, err := providers.TrustedHostKey(providers.Credentials{}.WithHostKey(hostKeyLine))
	if err != nil {
		return "Git over SSH, host key not trusted yet: the next save asks"
	}
	return "Git over SSH, host key " + providers.Fingerprint(k)
}
