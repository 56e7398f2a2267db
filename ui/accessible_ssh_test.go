package ui

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
)

// sshPrompts is the plain prompts on the store s, answering with the lines of answers as on a
// terminal (tty: the Git transport is asked).
func sshPrompts(s *config.Store, answers string) (*accessible, *bytes.Buffer) {
	var out bytes.Buffer
	ctx := context.Background()
	return &accessible{ctx: ctx, opts: Options{Who: "admin"}, in: newLineReader(ctx, strings.NewReader(answers)), out: &out,
		store: s, now: time.Now, tty: true}, &out
}

// storedGitHub stores GitHub's credential and returns its draft and the store's revision.
func storedGitHub(t *testing.T, s *config.Store, edit func(*providers.Credentials)) (providers.Credentials, int64) {
	t.Helper()
	c := providers.Credentials{Provider: providers.GitHub, Name: "github", Settings: config.Settings{Host: "https://github.com/", Org: "acme", Username: "u", Token: tokPass}}
	if edit != nil {
		edit(&c)
	}
	d, err := s.Set(context.Background(), "t", config.Change{Credential: "github", Base: config.AnyRevision, Settings: c.Settings})
	if err != nil {
		t.Fatal(err)
	}
	return c, d.Revision
}

// TestAccessibleGeneratesAKeyAndAsksAboutTheHostKey: on a terminal the plain prompts ask the Git
// transport; a new key prints its public key; the save shows the host key's address, type and
// fingerprint and asks y/N: yes stores exactly that key, no saves nothing.
func TestAccessibleGeneratesAKeyAndAsksAboutTheHostKey(t *testing.T) {
	t.Parallel()
	srv := kit.StartSSHServer(t, kit.RefuseKeys)
	gh := providers.MustLookup(providers.GitHub)
	for _, answer := range []string{"y", "n"} {
		_, s := newStore(t, nil)
		draft, base := storedGitHub(t, s, nil)
		// 2: a new key; the SSH URL; n: do not register it; then the host-key question.
		a, out := sshPrompts(s, "2\n"+srv.URL()+"\nn\n"+answer+"\n")
		if err := a.askSSH(gh, &draft, false); err != nil {
			t.Fatal(err)
		}
		pub, err := providers.SSHPublicKey(draft)
		if err != nil || !strings.Contains(out.String(), pub) {
			t.Fatalf("the public key %q is not printed (%v):\n%s", pub, err, out.String())
		}
		err = a.save(gh.Name, draft, nil, base)
		c := load(t, s).Credentials["github"]
		question := "The SSH server " + srv.Addr + " shows this host key (ssh-ed25519): " + srv.Fingerprint()
		if !strings.Contains(out.String(), question) {
			t.Fatalf("no host-key question %q:\n%s", question, out.String())
		}
		switch answer {
		case "y":
			if err != nil || c.SSHHostKey != srv.KnownHosts() || c.SSHKey == "" {
				t.Fatalf("trusted: %v, stored host key %q, key set %v", err, c.SSHHostKey, c.SSHKey != "")
			}
		case "n":
			if err == nil || c.SSHKey != "" || !strings.Contains(err.Error(), "not trusted yet") {
				t.Fatalf("declined: %v, key set %v", err, c.SSHKey != "")
			}
		}
		neverShown(t, &harness{t: t, history: []string{out.String()}}, draft.SSHKey, pub)
	}
}

// TestAccessibleReadsAKeyFileAndRefusesAChangedHostKey: a key file with blank lines around the key
// is taken as the key; a server showing another host key than the trusted one is refused naming
// both, and nothing is saved; a file that holds no key is refused without showing it.
func TestAccessibleReadsAKeyFileAndRefusesAChangedHostKey(t *testing.T) {
	t.Parallel()
	srv := kit.StartSSHServer(t, kit.RefuseKeys)
	gh := providers.MustLookup(providers.GitHub)
	priv, pub, err := providers.GenerateSSHKey("file")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(file, []byte("\n\n  "+priv+"\n \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, s := newStore(t, nil)
	trusted := srv.Fingerprint()
	line := srv.KnownHosts()
	draft, base := storedGitHub(t, s, func(c *providers.Credentials) {
		c.SSHKey, c.SSHURL, c.SSHHostKey = priv, srv.URL(), line
	})
	a, out := sshPrompts(s, "4\n"+file+"\n\nn\n") // 4: a key file (after the stored key); Enter keeps the URL
	if err := a.askSSH(gh, &draft, true); err != nil || draft.SSHKey != strings.TrimSpace(priv)+"\n" || draft.SSHURL != srv.URL() {
		t.Fatalf("the key file was not taken (%v), URL %q", err, draft.SSHURL)
	}
	offered := srv.ChangeKey(t)
	err = a.save(gh.Name, draft, nil, base)
	var changed *providers.HostKeyChangedError
	if !errors.As(err, &changed) || !strings.Contains(err.Error(), trusted) || !strings.Contains(err.Error(), offered) {
		t.Fatalf("a changed host key was not refused naming both: %v", err)
	}
	d := load(t, s)
	if got := d.Credentials["github"].SSHHostKey; got != line {
		t.Fatalf("the trusted host key changed to %q", got)
	}
	if desc := a.describe(entry{p: gh, name: "github"}, d); !strings.Contains(desc, "Git over SSH, host key "+trusted) {
		t.Errorf("the menu's line does not name the trusted host key: %s", desc)
	}
	canary := kit.RandomCanary(t)
	if err := os.WriteFile(file, []byte("-----BEGIN OPENSSH PRIVATE KEY-----\n"+canary+"\n-----END OPENSSH PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	a, out2 := sshPrompts(s, "4\n"+file+"\n")
	if err := a.askSSH(gh, &draft, true); err == nil || strings.Contains(out2.String()+err.Error(), canary[4:]) {
		t.Fatalf("a file without a key: %v\n%s", err, out2.String())
	}
	neverShown(t, &harness{t: t, history: []string{out.String(), out2.String()}}, priv, pub)
}

// TestAccessibleTrustsBeforeTheCheck: before the check (whose ssh stage needs a trusted key) the
// plain prompts show a new host key and ask: yes puts exactly that key in the draft, no saves
// nothing; a changed key is refused naming both fingerprints.
func TestAccessibleTrustsBeforeTheCheck(t *testing.T) {
	t.Parallel()
	srv := kit.StartSSHServer(t, kit.RefuseKeys)
	priv, _, err := providers.GenerateSSHKey("first")
	if err != nil {
		t.Fatal(err)
	}
	_, s := newStore(t, nil)
	draft := providers.Credentials{Provider: providers.GitHub, Name: "github", Settings: config.Settings{Host: "https://github.com/",
		Org: "acme", Username: "u", Token: tokPass, SSHKey: priv, SSHURL: srv.URL()}}
	a, out := sshPrompts(s, "n\ny\ny\n") // no, yes, then y to a changed key: no replacement
	var notSaved notSavedError
	if err := a.trustFirst(&draft); !errors.As(err, &notSaved) || draft.SSHHostKey != "" {
		t.Fatalf("declined: %v, host key %q", err, draft.SSHHostKey)
	}
	if err := a.trustFirst(&draft); err != nil || draft.SSHHostKey != srv.KnownHosts() {
		t.Fatalf("trusted: %v, host key %q", err, draft.SSHHostKey)
	}
	if !strings.Contains(out.String(), srv.Fingerprint()) {
		t.Fatalf("the fingerprint was not shown:\n%s", out.String())
	}
	trusted, now := srv.Fingerprint(), srv.ChangeKey(t)
	err = a.trustFirst(&draft)
	if !errors.As(err, &notSaved) || !strings.Contains(out.String(), trusted) || !strings.Contains(out.String(), now) ||
		draft.SSHHostKey == srv.KnownHosts() {
		t.Fatalf("a changed key: %v, host key %q\n%s", err, draft.SSHHostKey, out.String())
	}
}
