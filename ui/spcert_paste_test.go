package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// TestEditorTakesAPastedServicePrincipalCertificate: an Azure DevOps service principal signing
// in with a client secret gets its certificate and private key pasted (a multi-line bracketed
// paste, blank lines around it) into the secret's masked field: the live check against the
// emulated Microsoft Entra ID signs in with the certificate, the save stores it with the
// certificate whose thumbprint is the expected one, and no screen ever draws a piece of the key.
func TestEditorTakesAPastedServicePrincipalCertificate(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	_, s := newStore(t, func(d *config.Data) {
		c := &config.Credential{Provider: string(providers.Azure), UpdatedAt: fixedNow.Add(-time.Hour)}
		c.Settings = emu.ServicePrincipal(fake.AzureSPClientID, fake.AzureSPSecret).Settings
		d.Credentials["azure"], d.Active = c, "azure"
	})
	certPEM := fake.AzureSPCertificate()
	keyPEM, thumbprint := kit.CertParts(t, certPEM)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, realChecks, 120, 40)
	defer hs.stop()
	hs.waitFor("Azure DevOps")
	hs.key("enter") // the cursor starts on the active credential
	// a warning: the code rights that only the round trip confirms
	hs.waitFor("Azure DevOps · editing", "Passed with 1 warning")
	hs.focusOn(string(providers.FieldToken))
	hs.key("ctrl+u") // the client secret goes
	hs.pasteKey("\n\n" + certPEM + "\n\n")
	hs.handled("the passed check of the certificate", 1, func(m tea.Msg) bool {
		done, ok := m.(checkDoneMsg)
		if !ok || !done.result.OK {
			return false
		}
		ch, _ := done.result.Find(providers.CheckExpiry)
		return strings.Contains(ch.Message, thumbprint)
	})
	hs.key("ctrl+s")
	hs.waitFor("Saved Azure DevOps")
	stored := load(t, s).Credentials["azure"]
	if stored.Token == fake.AzureSPSecret || !strings.Contains(stored.Token, "\n") {
		t.Fatalf("the certificate was not stored as PEM (secret kept: %v)", stored.Token == fake.AzureSPSecret)
	}
	sp, err := providers.ParseSPCertificate(stored.Token)
	if err != nil {
		t.Fatalf("the stored secret is no certificate and key: %v", err)
	}
	if got := providers.CertThumbprint(sp.Cert); got != thumbprint {
		t.Fatalf("stored certificate thumbprint %s, want %s", got, thumbprint)
	}
	if r := load(t, s).Credentials["azure"].LastCheck; r == nil || !r.OK {
		t.Fatalf("the save did not keep the passed check of the certificate: %+v", r)
	}
	neverShown(t, hs, keyPEM, "")
}
