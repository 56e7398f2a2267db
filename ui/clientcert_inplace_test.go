package ui

import (
	"context"
	"testing"

	"gitopscfg/config"
)

// The editor does not edit a client certificate kept in place, and an edit of other fields
// keeps its paths (and keeps the PEMs out of the store).
func TestEditorKeepsAClientCertificateInPlace(t *testing.T) {
	t.Parallel()
	const certPath, keyPath = "/etc/gitops/tls/tls.crt", "/etc/gitops/tls/tls.key"
	_, s := newStore(t, withToken(tokPass))
	if _, err := s.Update(context.Background(), "test", config.ActionSet, config.AnyRevision, func(d *config.Data) error {
		d.Credentials["github"].ClientCertPath, d.Credentials["github"].ClientKeyPath = certPath, keyPath
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40)
	hs.waitFor("configured")
	hs.key("enter")
	hs.waitFor("All checks passed", "editing the stored credential")
	hs.tab()
	hs.typ("-x") // org acme → acme-x
	hs.waitFor("All checks passed")
	hs.saveChecked("Make GitHub the active provider?")
	hs.key("n")
	hs.waitFor("Saved GitHub")
	c := load(t, s).Credentials["github"]
	if c.Org != "acme-x" || c.ClientCertPath != certPath || c.ClientKeyPath != keyPath || c.ClientCert != "" || c.ClientKey != "" {
		t.Fatalf("after an edit: org %q, paths %q %q, PEMs %v", c.Org, c.ClientCertPath, c.ClientKeyPath, c.ClientCert+c.ClientKey != "")
	}
}

// The editor's Advanced group takes a client certificate kept in place: two absolute paths (a
// relative one is refused under its input), saved as the paths, never as the files' content.
func TestEditorSetsAClientCertificateInPlace(t *testing.T) {
	t.Parallel()
	const certPath, keyPath = "/etc/gitops/tls/tls.crt", "/etc/gitops/tls/tls.key"
	_, s := newStore(t, withToken(tokPass))
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40)
	hs.waitFor("configured")
	hs.key("enter")
	hs.waitFor("All checks passed", "editing the stored credential")
	hs.focusOn(string(config.FieldClientCertPath))
	hs.typ("tls.crt")
	hs.key("tab") // refused: the focus stays
	hs.waitFor("must be absolute")
	for range len("tls.crt") {
		hs.key("backspace")
	}
	hs.typ(certPath)
	hs.focusOn(string(config.FieldClientKeyPath))
	hs.typ(keyPath)
	hs.saveChecked("Make GitHub the active provider?")
	hs.key("n")
	hs.waitFor("Saved GitHub")
	c := load(t, s).Credentials["github"]
	if c.ClientCertPath != certPath || c.ClientKeyPath != keyPath || c.ClientCert != "" || c.ClientKey != "" {
		t.Fatalf("saved paths %q %q, PEMs %v", c.ClientCertPath, c.ClientKeyPath, c.ClientCert+c.ClientKey != "")
	}
}
