package e2e

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"gitopscfg/config"
	"gitopscfg/providers/opensshtest"
)

// publicKeyLine finds the generated public key the editor shows under its form.
var publicKeyLine = regexp.MustCompile(`ssh-ed25519 AAAA[A-Za-z0-9+/=]+ gitopscfg-git`)

// TestEndToEndUIGeneratesAKeyForOpenSSH drives the binary's terminal UI in tmux against a real
// OpenSSH server with git-shell (make test-gitea): the generic provider with a key generated in
// the editor, whose public key (copied off the screen) the server then accepts; the save shows
// the server's host key fingerprint as ssh-keygen -lf does and trusts it on y; the command line's
// check then passes over SSH with what the UI stored, and the private key never shows.
func TestEndToEndUIGeneratesAKeyForOpenSSH(t *testing.T) {
	needTmux(t)
	srv := opensshtest.Start(t)
	repo := srv.Repo(t, "acme/gitops.git")
	fp := srv.Fingerprint(t)
	dir := initStore(t)
	ts := newTmux(t, 120, 40, nil, "--config-dir", dir)
	row := cursorRow(ts.waitFor("Other Git server", "› "))
	for range 8 {
		if strings.Contains(row, "Other Git server") {
			break
		}
		ts.keys("j")
		before := row
		row = cursorRow(ts.waitUntil("the cursor moving", func(s string) bool { return cursorRow(s) != before }))
	}
	ts.keys("Enter")
	ts.waitFor("Repository URL")
	ts.text(repo)
	ts.next("Username")
	ts.text(srv.User)
	ts.next("Token or password")
	ts.next("Git transport")
	ts.keys("Down") // HTTPS → a new ed25519 key
	scr := ts.waitFor("Public key (ctrl+y copies it)")
	pub := publicKeyLine.FindString(scr)
	if pub == "" {
		t.Fatalf("no public key on one line:\n%s", scr)
	}
	srv.Authorize(t, pub)
	ts.keys("C-s")
	scr = ts.waitUntil("the host-key question", func(s string) bool {
		return strings.Contains(s, "Trust this SSH server?") || strings.Contains(s, "Save anyway?")
	})
	if strings.Contains(scr, "Save anyway?") {
		ts.keys("y")
		scr = ts.waitFor("Trust this SSH server?")
	}
	if !strings.Contains(scr, srv.Addr) || !strings.Contains(scr, "  "+fp) {
		t.Fatalf("the question does not show %s's fingerprint %s:\n%s", srv.Addr, fp, scr)
	}
	ts.keys("y")
	// Trusted first, the key was checked with it: the check passed, and the save asks to activate.
	ts.waitFor("Saved. Make Other Git server the active provider?")
	ts.keys("n")
	ts.waitFor("Saved Other Git server", "Git over SSH, host key "+fp, "last check passed")
	r := mustRun(t, dir, "", "check", "git")
	if !strings.Contains(r.out, "ssh") {
		t.Errorf("the check did not go over SSH:\n%s", r.out)
	}
	assertNoPrivateKey(t, dir, ts.capture())
	ts.keys("q")
	ts.waitFor("EXITED 0")
}

// cursorRow is the picker's row under the cursor ("›").
func cursorRow(screen string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "› ") {
			return l
		}
	}
	return ""
}

// assertNoPrivateKey fails when screen holds a line of the stored private key's body that is not
// a piece of its public half.
func assertNoPrivateKey(t *testing.T, dir, screen string) {
	t.Helper()
	s, err := config.Open(dir, func() (string, error) { return os.Getenv("GITOPSCFG_PASSPHRASE"), nil })
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	key := d.Credentials["git"].SSHKey
	for _, line := range strings.Split(key, "\n") {
		if len(line) >= 40 && !strings.HasPrefix(line, "-----") && strings.Contains(screen, line[20:40]) {
			t.Fatalf("the screen shows a piece of the private key")
		}
	}
}
