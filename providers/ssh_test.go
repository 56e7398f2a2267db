package providers_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gitopscfg/providers"
)

// A generated key is an OpenSSH ed25519 key whose public half ssh-keygen derives the same; a
// passphrase-protected key is refused with what to do, never with the key.
func TestSSHKeyGenerateAndImport(t *testing.T) {
	t.Parallel()
	priv, pub, err := providers.GenerateSSHKey("gitopscfg-test")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(priv, "-----BEGIN OPENSSH PRIVATE KEY-----") || !strings.HasPrefix(pub, "ssh-ed25519 ") || !strings.HasSuffix(pub, " gitopscfg-test") {
		t.Fatalf("generated: %q / %q", priv[:40], pub)
	}
	c := providers.Credentials{Provider: providers.GitServer, Name: "mirror"}
	c.SSHKey = priv
	got, err := providers.SSHPublicKey(c)
	if err != nil || strings.Join(strings.Fields(got)[:2], " ") != strings.Join(strings.Fields(pub)[:2], " ") {
		t.Fatalf("SSHPublicKey = %q, %v; generated %q", got, err, pub)
	}
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("ssh-keygen (openssh-client) is not installed")
		}
		t.Skip("ssh-keygen (openssh-client) is not installed")
	}
	file := filepath.Join(t.TempDir(), "id")
	if err := os.WriteFile(file, []byte(priv), 0o600); err != nil {
		t.Fatal(err)
	}
	derived, err := exec.Command("ssh-keygen", "-y", "-f", file).Output()
	if err != nil || strings.Fields(string(derived))[1] != strings.Fields(pub)[1] {
		t.Fatalf("ssh-keygen -y derives %q (%v), not %q", derived, err, pub)
	}
	locked := filepath.Join(t.TempDir(), "locked")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "s3cret-passphrase", "-f", locked).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	raw, _ := os.ReadFile(locked)
	_, err = providers.ParseSSHKey(string(raw))
	if err == nil || !strings.Contains(err.Error(), "passphrase") || !strings.Contains(err.Error(), "ssh-keygen -p") {
		t.Errorf("a passphrase-protected key: %v", err)
	}
	if _, err := providers.ParseSSHKey("ghp_notakeyatall0000000000000000000000"); err == nil || strings.Contains(err.Error(), "ghp_") {
		t.Errorf("not a key: %v", err)
	}
}

// Where Git over SSH goes: the SSH URL, else the generic provider's ssh:// URL, else git@ the Git
// host on port 22; repository URLs keep a custom port.
func TestSSHAddressAndRepoURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		host, sshURL, url, full string
		user, hostport, repo    string
	}{
		{"https://github.com/", "", "", "acme/gitops", "git", "github.com:22", "ssh://git@github.com/acme/gitops.git"},
		{"https://gitea.example.com/", "ssh://git@gitea.example.com:2222/", "", "acme/x", "git", "gitea.example.com:2222", "ssh://git@gitea.example.com:2222/acme/x.git"},
		{"", "", "ssh://deploy@git.example.com:2200/srv/git/gitops.git", "", "deploy", "git.example.com:2200", "ssh://deploy@git.example.com:2200/srv/git/gitops.git"},
		{"https://[::1]/", "", "", "a/b", "git", "[::1]:22", "ssh://git@[::1]/a/b.git"},
	} {
		c := providers.Credentials{Provider: providers.GitHub}
		c.Host, c.SSHURL, c.URL = tc.host, tc.sshURL, tc.url
		user, hp, err := providers.SSHAddress(c)
		if err != nil || user != tc.user || hp != tc.hostport {
			t.Errorf("SSHAddress(%+v) = %s, %s, %v", tc, user, hp, err)
		}
		if u, err := providers.SSHRepoURL(c, tc.full); err != nil || u != tc.repo {
			t.Errorf("SSHRepoURL(%+v) = %s, %v; want %s", tc, u, err, tc.repo)
		}
	}
	c := providers.Credentials{Provider: providers.GitHub}
	c.SSHURL = "https://github.com/"
	if _, _, err := providers.SSHAddress(c); err == nil {
		t.Error("an https SSH URL was taken")
	}
}

// The SSH private key is masked wherever a message may quote it, line by line.
func TestRedactMasksTheSSHKey(t *testing.T) {
	t.Parallel()
	priv, _, err := providers.GenerateSSHKey("x")
	if err != nil {
		t.Fatal(err)
	}
	c := providers.Credentials{Provider: providers.GitServer}
	c.SSHKey = priv
	lines := strings.Split(strings.TrimSpace(priv), "\n")
	msg := "server said: " + lines[1] + " and " + priv
	out := c.Redact(msg)
	for _, l := range lines[1 : len(lines)-1] {
		if len(l) >= 16 && strings.Contains(out, l) {
			t.Fatalf("a line of the key survives: %s", out)
		}
	}
}
