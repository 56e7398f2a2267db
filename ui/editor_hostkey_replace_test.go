package ui

import (
	"strings"
	"testing"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
)

// changedKeyEditor stores GitHub going over SSH to srv and trusting its host key, gives srv a new
// key, opens the editor at w×h and presses ctrl+s: the screen then warns of the changed key. It
// returns the harness, the store, the trusted line and both fingerprints.
func changedKeyEditor(t *testing.T, srv *kit.SSHServer, w, h int) (hs *harness, s *config.Store, line, trusted, offered string) {
	t.Helper()
	priv, _, err := providers.GenerateSSHKey("test")
	if err != nil {
		t.Fatal(err)
	}
	trusted, line = srv.Fingerprint(), srv.KnownHosts()
	_, s = newStore(t, func(d *config.Data) {
		withActive(d)
		d.Credentials["github"].SSHKey, d.Credentials["github"].SSHURL, d.Credentials["github"].SSHHostKey = priv, srv.URL(), line
	})
	offered = srv.ChangeKey(t)
	hs = start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, w, h)
	t.Cleanup(hs.stop)
	hs.waitFor("SSH, host key " + trusted)
	hs.key("enter")
	hs.waitFor("GitHub · editing", "All checks passed")
	hs.askReplace()
	return hs, s, line, trusted, offered
}

// askReplace presses ctrl+s and waits for the warning of a changed host key.
func (hs *harness) askReplace() string {
	hs.t.Helper()
	hs.key("ctrl+s")
	return plainText(hs.waitFor("WARNING", "has CHANGED", "Replace the trusted key? > "))
}

// answerReplace types answer and enter on the replacement question.
func (hs *harness) answerReplace(answer string) {
	hs.typ(answer)
	hs.waitFor("Replace the trusted key? > " + answer + "█")
	hs.key("enter")
}

// TestEditorReplacesAChangedHostKey: a server that shows another host key than the one trusted
// gets a loud warning naming the address, both fingerprints and both key types (whole at 80×24);
// typing the new fingerprint's last four characters trusts it: the check runs again and the
// save stores exactly the key shown, and the audit trail records the replacement, old → new.
func TestEditorReplacesAChangedHostKey(t *testing.T) {
	t.Parallel()
	srv := kit.StartSSHServer(t, kit.RefuseKeys)
	hs, s, _, trusted, offered := changedKeyEditor(t, srv, 80, 24)
	scr := plainText(hs.screen())
	for _, want := range []string{srv.Addr, "Trusted:   " + trusted + "  (ssh-ed25519)", "Now shown: " + offered + "  (ssh-ed25519)",
		"--trust-host-key " + offered, "type replace or its fingerprint's last 4 characters", "Enter alone or esc keeps"} {
		if !strings.Contains(strings.Join(strings.Fields(scr), " "), strings.Join(strings.Fields(want), " ")) {
			t.Fatalf("the warning lacks %q:\n%s", want, scr)
		}
	}
	if n := len(strings.Split(scr, "\n")); n > 24 {
		t.Fatalf("the warning takes %d lines at 80×24:\n%s", n, scr)
	}
	before := load(t, s).Revision
	hs.answerReplace(offered[len(offered)-4:])
	hs.waitFor("Saved GitHub")
	d := load(t, s)
	if got := d.Credentials["github"].SSHHostKey; got != srv.KnownHosts() {
		t.Fatalf("stored host key %q, want the new one %q", got, srv.KnownHosts())
	}
	e := d.Audit[len(d.Audit)-1]
	if d.Revision != before+1 || e.Credential != "github" || e.HostKey == nil ||
		e.HostKey.From != trusted || e.HostKey.To != offered || e.HostKey.Host != providers.KnownHostsName(srv.Addr) {
		t.Fatalf("revision %d → %d, last audit entry %+v (host key %+v): want %s → %s", before, d.Revision, e, e.HostKey, trusted, offered)
	}
}

// TestEditorDoesNotReplaceOnY: y (or yes, enter alone, a wrong tail, esc) answers no: the
// trusted key is kept and nothing is saved; a paste is not taken as an answer.
func TestEditorDoesNotReplaceOnY(t *testing.T) {
	t.Parallel()
	srv := kit.StartSSHServer(t, kit.RefuseKeys)
	hs, s, line, _, offered := changedKeyEditor(t, srv, 120, 40)
	before := load(t, s).Revision
	wrong := "x" + offered[len(offered)-3:]
	for i, answer := range []string{"y", "Y", "yes", "", wrong, "esc"} {
		if i > 0 {
			hs.askReplace()
		}
		switch answer {
		case "esc":
			hs.key("esc")
		case "":
			hs.pasteKey("replace")
			hs.key("enter")
		default:
			hs.answerReplace(answer)
		}
		hs.waitFor("not saved: the trusted SSH host key was kept")
		d := load(t, s)
		if d.Revision != before || d.Credentials["github"].SSHHostKey != line {
			t.Fatalf("answer %q replaced the host key: revision %d → %d", answer, before, d.Revision)
		}
	}
}

// TestEditorRefusesAKeyChangedAgainBeforeTheReplacement: a server whose host key changes once more
// between the warning and the save is refused, naming the key confirmed and the one shown now,
// and nothing is saved.
func TestEditorRefusesAKeyChangedAgainBeforeTheReplacement(t *testing.T) {
	t.Parallel()
	srv := kit.StartSSHServer(t, kit.RefuseKeys)
	hs, s, line, _, offered := changedKeyEditor(t, srv, 120, 40)
	before := load(t, s).Revision
	third := srv.ChangeKey(t)
	hs.answerReplace("replace")
	scr := plainText(hs.waitFor("REFUSED", "changed while you looked at it"))
	if !strings.Contains(scr, "You trusted: "+offered) || !strings.Contains(scr, "Now shown:   "+third) {
		t.Fatalf("the refusal does not name %s and %s:\n%s", offered, third, scr)
	}
	d := load(t, s)
	if d.Revision != before || d.Credentials["github"].SSHHostKey != line {
		t.Fatalf("saved: revision %d → %d, host key %q", before, d.Revision, d.Credentials["github"].SSHHostKey)
	}
}
