package forms

import (
	"strings"
	"testing"

	"gitopscfg/config"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// A certificate and its key pasted into a one-line input (line breaks turned into spaces) are
// rejoined; a client secret stays a client secret; a key that is not the certificate's is refused
// without showing it.
func TestServicePrincipalSecret(t *testing.T) {
	t.Parallel()
	pemText := strings.TrimSpace(fake.AzureSPCertificate())
	oneLine := strings.Join(strings.Fields(pemText), " ")
	got, err := ServicePrincipalSecret(oneLine)
	if err != nil || got != pemText {
		t.Fatalf("one-line paste: %v\n%q\nwant\n%q", err, got, pemText)
	}
	if got, err := ServicePrincipalSecret(strings.ReplaceAll(pemText, "\n", "")); err != nil || got != pemText {
		t.Errorf("a paste whose line breaks were dropped: %v", err)
	}
	if got, err := ServicePrincipalSecret(" " + pemText + "\n"); err != nil || got != pemText {
		t.Errorf("PEM: %v", err)
	}
	if got, err := ServicePrincipalSecret(fake.AzureSPSecret); err != nil || got != fake.AzureSPSecret {
		t.Errorf("client secret: %q %v", got, err)
	}
	other := fake.AzureSPUnregisteredCertificate()
	mixed := pemText[:strings.Index(pemText, "-----BEGIN RSA")] + other[strings.Index(other, "-----BEGIN RSA"):]
	_, err = ServicePrincipalSecret(mixed)
	if err == nil || !strings.Contains(err.Error(), "not the certificate's") {
		t.Fatalf("another certificate's key: %v", err)
	}
	for _, l := range strings.Split(other, "\n")[30:32] {
		if strings.Contains(err.Error(), l) {
			t.Errorf("the error shows the key: %v", err)
		}
	}
}

// The form of a service principal takes its certificate in the secret field, pasted on one line.
func TestServicePrincipalFormTakesACertificate(t *testing.T) {
	t.Parallel()
	e := fake.AzureSPCertificate()
	c := providers.Credentials{Provider: providers.Azure, Settings: config.Settings{Host: "https://dev.azure.com/acme/", Org: "gitops",
		Kind: config.CredentialServicePrincipal, TenantID: fake.AzureTenantID, ClientID: fake.AzureSPClientID,
		Token: strings.Join(strings.Fields(e), " ")}}
	got, err := Credentials(c)
	if err != nil || got.Token != strings.TrimSpace(e) || !providers.UsesCertificate(got) {
		t.Fatalf("the form's certificate: %v (uses a certificate: %v)", err, providers.UsesCertificate(got))
	}
}
