package forms_test

import (
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/forms"
	"gitopscfg/providers"
)

// TestSSHKeyTakesAPaste: a private key pasted with whitespace around it, or into a one-line input
// that turned its line breaks into spaces, is the key it was; a block that is no key is refused
// without showing it.
func TestSSHKeyTakesAPaste(t *testing.T) {
	t.Parallel()
	priv, _, err := providers.GenerateSSHKey("paste")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.TrimSpace(priv) + "\n"
	for name, raw := range map[string]string{
		"around":   "\n\t  " + priv + "\n \n",
		"one line": "  " + strings.ReplaceAll(strings.TrimSpace(priv), "\n", " ") + "  ",
	} {
		got, err := forms.SSHKey(raw)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, perr := providers.ParseSSHKey(got); perr != nil || (name == "around" && got != want) {
			t.Fatalf("%s: the key came back changed (%v)", name, perr)
		}
	}
	canary := kit.RandomCanary(t)
	_, err = forms.SSHKey("-----BEGIN OPENSSH PRIVATE KEY----- " + canary + " -----END OPENSSH PRIVATE KEY-----")
	if err == nil || strings.Contains(err.Error(), canary[4:]) {
		t.Fatalf("a block that is no key: %v", err)
	}
}

// TestSSHKeyForRefusesATypeTheServerDoesNotTake: Azure DevOps takes RSA keys only, so a pasted
// ed25519 key is refused for it, and taken for GitHub.
func TestSSHKeyForRefusesATypeTheServerDoesNotTake(t *testing.T) {
	t.Parallel()
	priv, _, err := providers.GenerateSSHKey("ed")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := forms.SSHKeyFor(providers.Azure, priv); err == nil || !strings.Contains(err.Error(), "RSA") {
		t.Fatalf("an ed25519 key for Azure DevOps: %v", err)
	}
	if _, err := forms.SSHKeyFor(providers.GitHub, priv); err != nil {
		t.Fatalf("an ed25519 key for GitHub: %v", err)
	}
}
