package ui

import (
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// sshEditor opens the editor of the stored GitHub credential (setup's store) and moves the focus
// to the Git transport question.
func sshEditor(t *testing.T, setup func(d *config.Data)) (*harness, *config.Store) {
	t.Helper()
	_, s := newStore(t, setup)
	return sshEditorOn(t, s), s
}

// sshEditorOn is sshEditor on the store s.
func sshEditorOn(t *testing.T, s *config.Store) *harness {
	t.Helper()
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40)
	t.Cleanup(hs.stop)
	hs.waitFor("GitHub")
	hs.key("enter") // the cursor starts on the active credential, GitHub
	hs.waitFor("GitHub · editing")
	hs.focusOn("ssh_transport")
	return hs
}

// focusOn moves the focus forward (tab) to the form's field key.
func (hs *harness) focusOn(key string) {
	hs.t.Helper()
	for range 20 {
		hs.mu.Lock()
		now := hs.focus
		hs.mu.Unlock()
		if now == key {
			return
		}
		hs.move("tab")
	}
	hs.t.Fatalf("tab never reached the field %q; screen:\n%s", key, plainText(hs.screen()))
}

// saveOverSSH presses ctrl+s (saying yes to "Save anyway?" while the check of the edited draft
// runs) and waits for the host-key question.
func (hs *harness) saveOverSSH() string {
	hs.t.Helper()
	hs.key("ctrl+s")
	scr := hs.waitUntil("the host-key question", func(plain string) bool {
		return strings.Contains(plain, "Trust this SSH server?") || strings.Contains(plain, "Save anyway?")
	})
	if strings.Contains(plainText(scr), "Save anyway?") {
		// the check's ssh stage fails for want of a trusted host key: the question is the host key's
		hs.t.Fatalf("ctrl+s asked to save a failed check before the host-key question:\n%s", plainText(scr))
	}
	return plainText(scr)
}

// newKeyFor has the editor generate a new ed25519 key (the transport below HTTPS) for srv's
// address.
func (hs *harness) newKeyFor(srv *kit.SSHServer) {
	hs.t.Helper()
	hs.key("down")
	hs.waitFor("ssh-ed25519 AAAA")
	hs.focusOn("ssh_url")
	hs.typ(srv.URL())
}

// neverShown fails t when any screen so far held a piece of the private key pem (every 16
// characters of its body lines), but for the pieces of its public half pub, which an OpenSSH
// private key file holds too.
func neverShown(t *testing.T, hs *harness, pem, pub string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSpace(pem), "\n") {
		if strings.HasPrefix(line, "-----") {
			continue
		}
		for i := 0; i+16 <= len(line); i += 16 {
			if piece := line[i : i+16]; !strings.Contains(pub, piece) && hs.sawScreen(piece) {
				t.Fatalf("a screen showed a piece of the private key (%q)", line[i:i+16])
			}
		}
	}
}

// TestEditorGeneratesAKeyAndTrustsTheHostKey: choosing a new key shows its public key (whole, on
// one line, to copy) and never its private key; the save looks at the SSH server's host key,
// shows its address and fingerprint, and once trusted stores the key, the address and exactly
// the host key shown.
func TestEditorGeneratesAKeyAndTrustsTheHostKey(t *testing.T) {
	t.Parallel()
	srv := kit.StartSSHServer(t, kit.RefuseKeys)
	hs, s := sshEditor(t, withActive)
	hs.key("down") // HTTPS → a new ed25519 key
	hs.waitFor("Public key (ctrl+y copies it): add it to the Git server", "ssh-ed25519 AAAA")
	hs.focusOn("ssh_url")
	hs.typ(srv.URL())
	scr := hs.saveOverSSH()
	for _, want := range []string{"The SSH server " + srv.Addr + " shows this host key (ssh-ed25519):", "  " + srv.Fingerprint(),
		"Compare it with the fingerprint its administrator gives"} {
		if !strings.Contains(scr, want) {
			t.Fatalf("the host-key question lacks %q:\n%s", want, scr)
		}
	}
	hs.key("y")
	hs.waitFor("Saved GitHub")
	c := load(t, s).Credentials["github"]
	if c.SSHHostKey != srv.KnownHosts() || c.SSHURL != srv.URL() || c.SSHKey == "" {
		t.Fatalf("stored: host key %q (want %q), URL %q, key set %v", c.SSHHostKey, srv.KnownHosts(), c.SSHURL, c.SSHKey != "")
	}
	pub, err := providers.SSHPublicKey(providers.FromConfig("github", c))
	if err != nil {
		t.Fatal(err)
	}
	if !hs.sawScreen(pub) {
		t.Errorf("no screen showed the stored key's public key %q whole on one line", pub)
	}
	neverShown(t, hs, c.SSHKey, pub)
	hs.waitFor("Git over SSH, host key " + srv.Fingerprint()) // the picker's line of the credential
}

// TestEditorCancelsAnUntrustedHostKey: no to the host-key question saves nothing.
func TestEditorCancelsAnUntrustedHostKey(t *testing.T) {
	t.Parallel()
	srv := kit.StartSSHServer(t, kit.RefuseKeys)
	hs, s := sshEditor(t, withActive)
	before := load(t, s)
	hs.newKeyFor(srv)
	hs.saveOverSSH()
	hs.key("n")
	hs.waitFor("not saved: the SSH server's host key was not trusted")
	after := load(t, s)
	if after.Revision != before.Revision || after.Credentials["github"].SSHKey != "" {
		t.Fatalf("something was saved: revision %d → %d, key set %v", before.Revision, after.Revision, after.Credentials["github"].SSHKey != "")
	}
}

// pasteKey pastes text into the focused input, as a terminal's bracketed paste does.
func (hs *harness) pasteKey(text string) { hs.tm.Send(tea.PasteMsg{Content: text}) }

// TestEditorTakesAPastedKey: a private key pasted with blank lines and spaces around it (its line
// breaks turned into spaces by the one-line input) is masked, saved as the key it is once the
// host key is trusted, and never shown.
func TestEditorTakesAPastedKey(t *testing.T) {
	t.Parallel()
	srv := kit.StartSSHServer(t, kit.RefuseKeys)
	priv, pub, err := providers.GenerateSSHKey("pasted")
	if err != nil {
		t.Fatal(err)
	}
	hs, s := sshEditor(t, withActive)
	hs.key("down", "down") // HTTPS → a new key → a pasted key
	hs.focusOn("ssh_paste")
	hs.pasteKey("\n  \t" + priv + "\n\n  ")
	hs.waitFor("SSH private key", "****")
	hs.focusOn("ssh_url")
	hs.typ(srv.URL())
	hs.saveOverSSH()
	hs.key("y")
	hs.waitFor("Saved GitHub")
	c := load(t, s).Credentials["github"]
	if c.SSHKey != strings.TrimSpace(priv)+"\n" || c.SSHHostKey != srv.KnownHosts() {
		t.Fatalf("stored: key as pasted %v, host key %q", c.SSHKey == strings.TrimSpace(priv)+"\n", c.SSHHostKey)
	}
	neverShown(t, hs, priv, pub)
}

// TestEditorNeverShowsABadPastedKey: a pasted key that is no key is refused with a message that
// does not show it.
func TestEditorNeverShowsABadPastedKey(t *testing.T) {
	t.Parallel()
	canary := kit.RandomCanary(t)
	hs, _ := sshEditor(t, withActive)
	hs.key("down", "down")
	hs.focusOn("ssh_paste")
	hs.pasteKey("-----BEGIN OPENSSH PRIVATE KEY-----\n" + canary + "\n-----END OPENSSH PRIVATE KEY-----\n")
	hs.key("tab")
	hs.waitFor("not an SSH private key")
	hs.key("ctrl+s")
	hs.waitFor("cannot save")
	time.Sleep(0) // the screens are all recorded: look at every one
	if hs.sawScreen(canary[4:20]) {
		t.Fatal("a screen showed the pasted key")
	}
}

// TestEditorRegistersTheKey: asked to, the save registers the new key's public half through
// GitHub's API (the emulator's), says so, and keeps the key's reference for remove.
func TestEditorRegistersTheKey(t *testing.T) {
	t.Parallel()
	srv := kit.StartSSHServer(t, kit.RefuseKeys)
	emu := kit.Emulators(t, fake.Options{})
	s := emulatedStore(t, emu, providers.GitHub, fake.GitHubTokenFull)
	hs := sshEditorOn(t, s)
	hs.newKeyFor(srv)
	hs.focusOn("ssh_register")
	hs.key("y")
	hs.saveOverSSH()
	hs.key("y")
	hs.waitFor("added the public key to the token's user")
	c := load(t, s).Credentials["github"]
	pub, err := providers.SSHPublicKey(providers.FromConfig("github", c))
	if err != nil {
		t.Fatal(err)
	}
	keys := emu.SSHKeys(providers.GitHub)
	if len(keys) != 1 || !strings.Contains(pub, strings.Fields(keys[0])[2]) || !strings.HasPrefix(c.SSHKeyRef, "user:") {
		t.Fatalf("registered keys %q, stored reference %q, public key %q", keys, c.SSHKeyRef, pub)
	}
	// Removing the credential deletes the key it registered, after saying so.
	hs.waitFor("Git over SSH, host key " + srv.Fingerprint())
	hs.key("d")
	hs.waitFor("and delete the SSH key it registered through GitHub's API?")
	hs.key("y")
	hs.waitFor("GitHub was removed; deleted the key")
	if keys := emu.SSHKeys(providers.GitHub); len(keys) != 0 {
		t.Fatalf("the key is still registered: %q", keys)
	}
}

// TestEditorSSHAtEightyByTwentyFour: on the smallest terminal the public key shows whole (at most
// one break, at its spaces: each part on a line of its own) and the host-key question shows the
// whole fingerprint with its answers, nothing pushed off the screen.
func TestEditorSSHAtEightyByTwentyFour(t *testing.T) {
	t.Parallel()
	srv := kit.StartSSHServer(t, kit.RefuseKeys)
	_, s := newStore(t, withActive)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 80, 24)
	defer hs.stop()
	hs.waitFor("GitHub")
	hs.key("enter")
	hs.waitFor("GitHub · editing")
	hs.focusOn("ssh_transport")
	hs.key("down")
	scr := plainText(hs.waitFor("ssh-ed25519 AAAA"))
	line := kit.LineOf(scr, "ssh-ed25519 AAAA")
	if f := strings.Fields(line); len(f) < 2 || len(f[1]) != 68 || len(strings.Split(scr, "\n")) > 24 {
		t.Fatalf("the public key is cut (%q) or the screen is over 24 lines:\n%s", line, scr)
	}
	hs.focusOn("ssh_url")
	hs.typ(srv.URL())
	scr = hs.saveOverSSH()
	if !strings.Contains(scr, "  "+srv.Fingerprint()) || !strings.Contains(scr, "y: trust it and save") || len(strings.Split(scr, "\n")) > 24 {
		t.Fatalf("the question at 80×24:\n%s", scr)
	}
	if os.Getenv("GITOPSCFG_SHOW") != "" {
		t.Logf("\n%s\n%s", plainText(hs.history[len(hs.history)-1]), scr)
	}
	hs.key("n")
	hs.waitFor("not saved")
}

// TestEditorRefusesAKeyChangedAfterTheQuestion: a server whose host key changes between the
// question and the save is refused, naming the key trusted and the one shown now.
func TestEditorRefusesAKeyChangedAfterTheQuestion(t *testing.T) {
	t.Parallel()
	srv := kit.StartSSHServer(t, kit.RefuseKeys)
	hs, s := sshEditor(t, withActive)
	before := load(t, s)
	hs.newKeyFor(srv)
	hs.saveOverSSH()
	shown := srv.Fingerprint()
	now := srv.ChangeKey(t)
	hs.key("y")
	scr := plainText(hs.waitFor("REFUSED"))
	if !strings.Contains(scr, shown) || !strings.Contains(scr, now) || !strings.Contains(scr, "Nothing was saved") {
		t.Fatalf("the refusal does not name %s and %s:\n%s", shown, now, scr)
	}
	if after := load(t, s); after.Revision != before.Revision {
		t.Fatalf("saved: revision %d → %d", before.Revision, after.Revision)
	}
}

// TestEditorShowsALongPublicKeyWhole: Azure DevOps takes RSA keys, whose public key is too long
// for the room under the form at 80×24: its start shows there, the form keeps its room, and
// ctrl+o shows the whole key (every line of it, the key alone) until the next key.
func TestEditorShowsALongPublicKeyWhole(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, withActive)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 80, 24)
	defer hs.stop()
	hs.waitFor("Azure DevOps")
	hs.key("down", "down")
	hs.waitUntil("the cursor on Azure DevOps", func(p string) bool { return cursorOn(p, "Azure DevOps") })
	hs.key("enter")
	hs.waitFor("Azure DevOps · editing")
	hs.focusOn("ssh_transport")
	hs.key("down")
	scr := plainText(hs.waitFor("ctrl+o shows it whole", "ssh-rsa AAAA"))
	if !strings.Contains(scr, "Git transport") || len(strings.Split(scr, "\n")) > 24 {
		t.Fatalf("the form lost its room to the key:\n%s", scr)
	}
	hs.key("ctrl+o")
	scr = plainText(hs.waitFor("Public key\n", "ctrl+y copies it; any"))
	// The key's lines, from "ssh-rsa" to its comment, joined: the base64 whole.
	_, rest, _ := strings.Cut(scr, "ssh-rsa")
	b64, _, _ := strings.Cut(rest, "gitopscfg-azure")
	if n := len(strings.Join(strings.Fields(b64), "")); n < 700 {
		t.Fatalf("the whole key does not show (%d characters of base64):\n%s", n, scr)
	}
	hs.key("x")
	hs.waitFor("Git transport", "ctrl+o shows it whole")
}
