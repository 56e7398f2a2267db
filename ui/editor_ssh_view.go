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

// pubLines is the generated public key under the form, to select and copy: a title, then the
// key wrapped at its spaces only where it must (plain text, so a terminal selection copies it).
func (e *editor) pubLines(w int) []string {
	pub := e.publicKey()
	if pub == "" {
		return nil
	}
	hint := providers.SSHKeyPasteHint(*e.draft)
	title := e.c.styles.dim.Render(truncate("Public key (ctrl+y copies it): "+hint, w))
	return append([]string{title}, strings.Split(wrapText(pub, w), "\n")...)
}

// hostKeyView is the screen of the host-key question or refusal, in w cells, in place of the form.
func (e *editor) hostKeyView(w int) string {
	s := e.c.styles
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
func (e *editor) showsHostKey() bool { return e.state == askTrustHostKey || e.state == hostKeyRefused }

// sshTransport says a stored credential goes over SSH, and which host key it trusts.
func sshTransport(hostKeyLine string) string {
	_, k, err := providers.TrustedHostKey(providers.Credentials{}.WithHostKey(hostKeyLine))
	if err != nil {
		return "Git over SSH, host key not trusted yet: the next save asks"
	}
	return "Git over SSH, host key " + providers.Fingerprint(k)
}
