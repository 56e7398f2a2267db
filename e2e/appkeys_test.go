package e2e

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"gitopscfg/providers/fake"
)

// writeAppKeys gives a script the GitHub emulator's Apps: $WORK/keys/app.pem (the key of every
// App), $WORK/keys/other.pem (no App's), $GITHUB_APP_ID (an App with every permission, installed
// on all repositories) and $GITHUB_APP_INSTALLATION (its installation on $GITHUB_ORG).
func writeAppKeys(env *testscript.Env) error {
	dir := filepath.Join(env.WorkDir, "keys")
	if err := os.Mkdir(dir, 0o700); err != nil {
		return err
	}
	for name, key := range map[string]string{"app.pem": fake.GitHubAppKey(), "other.pem": fake.GitHubAppOtherKey(),
		// Azure service principals' certificates with their keys (set --sp-cert FILE).
		"sp.pem": fake.AzureSPCertificate(), "sp-expired.pem": fake.AzureSPExpiredCertificate(),
		"sp-unregistered.pem": fake.AzureSPUnregisteredCertificate()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(key), 0o600); err != nil {
			return err
		}
	}
	env.Setenv("GITHUB_APP_ID", fake.GitHubAppFull)
	env.Setenv("GITHUB_APP_INSTALLATION", fake.GitHubAppInstallation(fake.GitHubAppFull, fake.GitHubOrg))
	return nil
}

// appKeyShows reports whether a line of an App's private key, or of a service principal
// certificate's, shows in text.
func appKeyShows(text string) bool {
	for _, key := range []string{fake.GitHubAppKey(), fake.GitHubAppOtherKey(), fake.AzureSPCertificate(),
		fake.AzureSPExpiredCertificate(), fake.AzureSPUnregisteredCertificate()} {
		key = key[strings.Index(key, "-----BEGIN RSA PRIVATE KEY-----"):] // a certificate's key, not the certificate
		lines := strings.Split(strings.TrimSpace(key), "\n")
		if strings.Contains(text, lines[2]) {
			return true
		}
	}
	return false
}
