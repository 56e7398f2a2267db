package forms

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"gitopscfg/config"
	"gitopscfg/providers"
)

func appKeyPEM(t *testing.T) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
}

// A credential's kind decides its fields: a GitHub App keeps its ID, installation and private
// key and drops the username; a token drops the App's fields; a kind the provider does not take
// is refused, and "token" is stored as the empty kind.
func TestCredentialsFollowTheirKind(t *testing.T) {
	t.Parallel()
	key := appKeyPEM(t)
	app := providers.Credentials{Provider: providers.GitHub, Settings: config.Settings{Host: "https://github.com/", Org: "acme",
		Username: "octocat", Token: key + "\n", Kind: config.CredentialGitHubApp, AppID: " 123 ", InstallationID: "456"}}
	c, err := Credentials(app)
	if err != nil || c.Username != "" || c.AppID != "123" || c.InstallationID != "456" || c.Token != strings.TrimSpace(key) {
		t.Fatalf("App: %+v, %v", c.Settings.AppID, err)
	}
	tok := providers.Credentials{Provider: providers.GitHub, Settings: config.Settings{Host: "https://github.com/", Org: "acme",
		Username: "octocat", Token: "ghp_0123456789abcdef", Kind: "token", AppID: "123"}}
	if c, err := Credentials(tok); err != nil || c.Kind != "" || c.AppID != "" {
		t.Fatalf("token: kind %q app %q, %v", c.Kind, c.AppID, err)
	}
	tok.Provider, tok.Kind = providers.GitLab, config.CredentialGitHubApp
	var fe *FieldError
	if _, err := Credentials(tok); !errors.As(err, &fe) || fe.Field != providers.FieldKind || !strings.Contains(err.Error(), "GitLab takes no credential of kind") {
		t.Fatalf("GitLab App: %v", err)
	}
}

// A GitHub App's private key must be one PEM block of an RSA private key; its errors never show it.
func TestAppPrivateKeyRule(t *testing.T) {
	t.Parallel()
	key := appKeyPEM(t)
	for _, tc := range []struct{ name, in, want string }{
		{"empty", " ", "is empty"},
		{"a token", "ghp_0123456789abcdef0123", "not PEM"},
		{"two blocks", key + key, "more than one PEM block"},
		{"a certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", `is a "CERTIFICATE"`},
		{"a broken key", strings.Replace(key, "MII", "XXX", 1), "not a readable RSA key"},
	} {
		_, err := AppPrivateKey(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
		if err != nil && len(tc.in) > 60 && strings.Contains(err.Error(), tc.in[40:60]) {
			t.Errorf("%s: the error shows the key", tc.name)
		}
	}
	if got, err := AppPrivateKey("\n" + key); err != nil || got != strings.TrimSpace(key) {
		t.Fatalf("a good key: %v", err)
	}
	// Pasted into a one-line input (the picker's, the plain prompts'), its line breaks arrive as
	// spaces: the key is read all the same, and kept with its line breaks.
	if got, err := AppPrivateKey(strings.Join(strings.Fields(key), " ")); err != nil || got != strings.TrimSpace(key) {
		t.Fatalf("a key pasted on one line: %v (%d bytes kept, %d given)", err, len(got), len(key))
	}
	if _, err := AppPrivateKey(strings.Join(strings.Fields(strings.Replace(key, "MII", "XXX", 1)), " ")); err == nil {
		t.Fatal("a broken key pasted on one line was taken")
	}
}
