package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// TestEndToEndPasteServicePrincipalCertificate: in a real terminal (tmux), an Azure DevOps
// service principal stored with a client secret gets its certificate and private key pasted into
// the editor's secret field as a terminal pastes (tmux paste-buffer -p: a bracketed paste, its line
// breaks sent as carriage returns); the live check signs in with the certificate (its expiry
// read from it), ctrl+s saves it, and the store holds the certificate of the expected thumbprint,
// with which the command line's check passes. No screen shows a line of the private key (the
// tmux session's canaries).
func TestEndToEndPasteServicePrincipalCertificate(t *testing.T) {
	needTmux(t)
	emu := kit.Emulators(t, fake.Options{})
	sp := emu.ServicePrincipal(fake.AzureSPClientID, fake.AzureSPSecret)
	dir := initStore(t)
	mustRun(t, dir, fake.AzureSPSecret+"\n", "set", "azure", "--host", sp.Host, "--org", sp.Org, "--tenant-id", sp.TenantID,
		"--client-id", sp.ClientID, "--authority-url", sp.AuthorityURL, "--token-stdin", "--no-check", "--activate")
	certPEM := fake.AzureSPCertificate()
	keyLines, thumbprint := pemKeyLinesAndThumbprint(t, certPEM)
	file := filepath.Join(t.TempDir(), "sp.pem")
	if err := os.WriteFile(file, []byte(certPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	ts := newTmux(t, 120, 40, append(keyLines, fake.AzureSPSecret), "--config-dir", dir)
	ts.waitFor("✓ Azure DevOps")
	ts.keys("Enter")
	ts.waitFor("Azure DevOps · editing", "Passed with")
	for _, title := range []string{"Azure DevOps Project Name", "Tenant ID", "Client ID", "Client Secret or Certificate"} {
		ts.next(title)
	}
	ts.keys("C-u")
	ts.tmux("load-buffer", "-b", "spcert", file)
	ts.tmux("paste-buffer", "-p", "-d", "-b", "spcert", "-t", ts.name)
	ts.waitFor("Passed with", thumbprint) // the expiry of the certificate, named by its thumbprint
	ts.keys("C-s")
	ts.waitFor("Saved Azure DevOps")
	ts.keys("q")
	ts.waitFor("EXITED 0")
	store, err := config.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := store.Load()
	if err != nil {
		t.Fatal(err)
	}
	c := d.Credentials["azure"]
	cert, err := providers.ParseSPCertificate(c.Token)
	if err != nil {
		t.Fatalf("the stored secret is no certificate and key: %v", err)
	}
	if got := providers.CertThumbprint(cert.Cert); got != thumbprint {
		t.Fatalf("the stored certificate's thumbprint is %s, want %s", got, thumbprint)
	}
	if c.LastCheck == nil || !c.LastCheck.OK {
		t.Fatalf("the save did not keep the passed check of the certificate: %+v", c.LastCheck)
	}
	mustRun(t, dir, "", "check", "azure") // the binary signs in with what it stored
}

// pemKeyLinesAndThumbprint are the body lines of the private key in pemText (canaries) and the
// SHA-1 thumbprint of its certificate (kit.CertParts).
func pemKeyLinesAndThumbprint(t *testing.T, pemText string) (keyLines []string, thumbprint string) {
	t.Helper()
	keyPEM, thumbprint := kit.CertParts(t, pemText)
	for _, l := range strings.Split(keyPEM, "\n") {
		if len(l) >= 32 && !strings.HasPrefix(l, "-----") {
			keyLines = append(keyLines, l)
		}
	}
	return keyLines, thumbprint
}
