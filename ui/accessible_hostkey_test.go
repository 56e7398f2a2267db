package ui

import (
	"errors"
	"strings"
	"testing"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// storedOverSSH stores GitHub going over SSH to srv and trusting its host key, then gives srv a
// new key: it returns the draft, the store's revision and both fingerprints.
func storedOverSSH(t *testing.T, srv *kit.SSHServer) (s storeAt, draft providers.Credentials, trusted, offered string) {
	t.Helper()
	priv, _, err := providers.GenerateSSHKey("test")
	if err != nil {
		t.Fatal(err)
	}
	_, st := newStore(t, nil)
	trusted = srv.Fingerprint()
	draft, base := storedGitHub(t, st, func(c *providers.Credentials) {
		c.SSHKey, c.SSHURL, c.SSHHostKey = priv, srv.URL(), srv.KnownHosts()
	})
	return storeAt{st, base}, draft, trusted, srv.ChangeKey(t)
}

// storeAt is a store and the revision a test saw.
type storeAt struct {
	*config.Store
	base int64
}

// TestAccessibleReplacesAChangedHostKey: on a terminal the plain prompts warn of a changed host
// key (address, both fingerprints and key types) and replace it only when the admin types
// replace: y keeps it; the save then stores exactly the new key and the audit trail records the
// replacement.
func TestAccessibleReplacesAChangedHostKey(t *testing.T) {
	t.Parallel()
	srv := kit.StartSSHServer(t, kit.RefuseKeys)
	s, draft, trusted, offered := storedOverSSH(t, srv)
	a, out := sshPrompts(s.Store, "y\nreplace\n")
	kept := draft
	var notSaved notSavedError
	if err := a.trustFirst(&kept); !errors.As(err, &notSaved) || kept.SSHHostKey != draft.SSHHostKey {
		t.Fatalf("y replaced the host key: %v, %q", err, kept.SSHHostKey)
	}
	for _, want := range []string{"WARNING: the SSH host key of " + srv.Addr + " has CHANGED", "Trusted:   " + trusted + " (ssh-ed25519)",
		"Now shown: " + offered + " (ssh-ed25519)", "--trust-host-key " + offered, "Not saved: the trusted SSH host key was kept"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("the prompts lack %q:\n%s", want, out.String())
		}
	}
	if err := a.trustFirst(&draft); err != nil || draft.SSHHostKey != srv.KnownHosts() {
		t.Fatalf("replace: %v, host key %q\n%s", err, draft.SSHHostKey, out.String())
	}
	if err := a.save("GitHub", draft, nil, s.base); err != nil {
		t.Fatal(err)
	}
	d := load(t, s.Store)
	e := d.Audit[len(d.Audit)-1]
	if d.Credentials["github"].SSHHostKey != srv.KnownHosts() || e.HostKey == nil || e.HostKey.From != trusted || e.HostKey.To != offered {
		t.Fatalf("stored %q; audit %+v", d.Credentials["github"].SSHHostKey, e.HostKey)
	}
}

// TestAccessibleRefusesAKeyChangedAgain: a key that changes once more between the replacement and
// the save is refused by the save, naming the key confirmed and the one shown now.
func TestAccessibleRefusesAKeyChangedAgain(t *testing.T) {
	t.Parallel()
	srv := kit.StartSSHServer(t, kit.RefuseKeys)
	s, draft, _, offered := storedOverSSH(t, srv)
	line := draft.SSHHostKey
	a, _ := sshPrompts(s.Store, offered[len(offered)-4:]+"\n")
	if err := a.trustFirst(&draft); err != nil {
		t.Fatal(err)
	}
	third := srv.ChangeKey(t)
	err := a.save("GitHub", draft, nil, s.base)
	var untrusted *usecase.UntrustedHostKeyError
	if !errors.As(err, &untrusted) || untrusted.Given != offered || untrusted.Fingerprint != third {
		t.Fatalf("a key changed again was not refused naming %s and %s: %v", offered, third, err)
	}
	if got := load(t, s.Store).Credentials["github"].SSHHostKey; got != line {
		t.Fatalf("the trusted host key changed to %q", got)
	}
}

// TestAccessibleRefusesAChangedHostKeyFromAPipe: from a pipe nothing is asked: a changed key is
// refused, naming the command that trusts the new one.
func TestAccessibleRefusesAChangedHostKeyFromAPipe(t *testing.T) {
	t.Parallel()
	srv := kit.StartSSHServer(t, kit.RefuseKeys)
	s, draft, _, offered := storedOverSSH(t, srv)
	a, out := sshPrompts(s.Store, "replace\n")
	a.tty = false
	var notSaved notSavedError
	if err := a.trustFirst(&draft); !errors.As(err, &notSaved) || !strings.Contains(out.String(), "--trust-host-key "+offered) ||
		strings.Contains(out.String(), "WARNING") {
		t.Fatalf("from a pipe: %v\n%s", err, out.String())
	}
}
