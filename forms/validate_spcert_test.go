package forms

import (
	"strings"
	"testing"

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
