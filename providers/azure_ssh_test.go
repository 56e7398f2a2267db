package providers_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// Azure DevOps' SSH URLs: git@ssh.dev.azure.com and v3/ORGANISATION/PROJECT/REPO on Azure DevOps
// Services (for both of its organisation URLs), COLLECTION/PROJECT/_git/REPO on Azure DevOps
// Server; a repository's whole SSH URL, as its Clone dialog shows it, is taken as the SSH URL.
func TestAzureSSHAddressAndRepoURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		host, sshURL, full string
		hostport, repo     string
	}{
		{"https://dev.azure.com/acme/", "", "gitops/apps", "ssh.dev.azure.com:22", "ssh://git@ssh.dev.azure.com/v3/acme/gitops/apps"},
		{"https://acme.visualstudio.com/", "", "gitops/apps", "ssh.dev.azure.com:22", "ssh://git@ssh.dev.azure.com/v3/acme/gitops/apps"},
		{"https://dev.azure.com/acme", "git@ssh.dev.azure.com:v3/acme/gitops/apps", "gitops/other", "ssh.dev.azure.com:22",
			"ssh://git@ssh.dev.azure.com/v3/acme/gitops/other"},
		{"https://dev.azure.com/acme", "ssh://git@ssh.dev.azure.com/v3/acme/", "gitops/apps.git", "ssh.dev.azure.com:22",
			"ssh://git@ssh.dev.azure.com/v3/acme/gitops/apps"},
		{"https://tfs.example.com/DefaultCollection/", "ssh://tfs.example.com:22/", "gitops/apps", "tfs.example.com:22",
			"ssh://git@tfs.example.com/DefaultCollection/gitops/_git/apps"},
		{"https://tfs.example.com/tfs/Main/", "ssh://tfs.example.com:2222/tfs/Main/gitops/_git/apps", "gitops/x", "tfs.example.com:2222",
			"ssh://git@tfs.example.com:2222/tfs/Main/gitops/_git/x"},
		// The exports' paths, as the web URLs write them: a repository, and the project's prefix.
		{"https://dev.azure.com/acme/", "", "gitops/_git/apps", "ssh.dev.azure.com:22", "ssh://git@ssh.dev.azure.com/v3/acme/gitops/apps"},
		{"https://dev.azure.com/acme/", "", "gitops/_git", "ssh.dev.azure.com:22", "ssh://git@ssh.dev.azure.com/v3/acme/gitops"},
		{"https://tfs.example.com/DefaultCollection/", "ssh://tfs.example.com/", "gitops/_git", "tfs.example.com:22",
			"ssh://git@tfs.example.com/DefaultCollection/gitops/_git"},
		{"https://dev.azure.com/acme/", "", "apps", "ssh.dev.azure.com:22", "ssh://git@ssh.dev.azure.com/v3/acme/gitops/apps"},
	} {
		c := providers.Credentials{Provider: providers.Azure}
		c.Host, c.SSHURL, c.Org = tc.host, tc.sshURL, "gitops"
		user, hp, err := providers.SSHAddress(c)
		if err != nil || user != "git" || hp != tc.hostport {
			t.Errorf("SSHAddress(%s, %q) = %s, %s, %v; want git, %s", tc.host, tc.sshURL, user, hp, err, tc.hostport)
		}
		if u, err := providers.SSHRepoURL(c, tc.full); err != nil || u != tc.repo {
			t.Errorf("SSHRepoURL(%s, %q, %s) = %s, %v; want %s", tc.host, tc.sshURL, tc.full, u, err, tc.repo)
		}
	}
}

func pemOf(t *testing.T, key any) string {
	t.Helper()
	block, err := ssh.MarshalPrivateKey(key, "t")
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(block))
}

// Azure DevOps takes RSA keys only: an ed25519 or ECDSA key is refused with the reason and the
// way out, a short RSA key too; the key generated for it is RSA 4096, and other providers keep
// ed25519.
func TestAzureSSHKeyTypes(t *testing.T) {
	t.Parallel()
	ed, _, _ := providers.GenerateSSHKey("t")
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	short, _ := rsa.GenerateKey(rand.Reader, 1024)
	for name, key := range map[string]string{"ed25519": ed, "ecdsa": pemOf(t, ec)} {
		if err := providers.CheckSSHKeyFor(providers.Azure, key); err == nil || !strings.Contains(err.Error(), "RSA SSH keys only") ||
			!strings.Contains(err.Error(), "--ssh-key-generate") {
			t.Errorf("an %s key for Azure DevOps: %v", name, err)
		}
		if err := providers.CheckSSHKeyFor(providers.GitHub, key); err != nil {
			t.Errorf("an %s key for GitHub: %v", name, err)
		}
	}
	if err := providers.CheckSSHKeyFor(providers.Azure, pemOf(t, short)); err == nil || !strings.Contains(err.Error(), "1024 bits") {
		t.Errorf("an RSA 1024 key for Azure DevOps: %v", err)
	}
	priv, pub, err := providers.GenerateSSHKeyFor(providers.Azure, "gitopscfg-azure")
	if err != nil || !strings.HasPrefix(pub, "ssh-rsa ") || !strings.HasSuffix(pub, " gitopscfg-azure") {
		t.Fatalf("generated for Azure DevOps: %s, %v", pub, err)
	}
	s, err := providers.ParseSSHKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	if bits := s.PublicKey().(ssh.CryptoPublicKey).CryptoPublicKey().(*rsa.PublicKey).N.BitLen(); bits != 4096 {
		t.Errorf("the generated RSA key has %d bits", bits)
	}
	if err := providers.CheckSSHKeyFor(providers.Azure, priv); err != nil {
		t.Errorf("the generated key is refused: %v", err)
	}
	if _, pub, _ := providers.GenerateSSHKeyFor(providers.GitLab, "x"); !strings.HasPrefix(pub, "ssh-ed25519 ") {
		t.Errorf("generated for GitLab: %s", pub)
	}
	c := providers.Credentials{Provider: providers.Azure}
	c.Host = "https://dev.azure.com/acme/"
	if h := providers.SSHKeyPasteHint(c); !strings.Contains(h, "User settings > SSH public keys (https://dev.azure.com/acme/_usersSettings/keys)") {
		t.Errorf("paste hint: %s", h)
	}
}

// A stored key Azure DevOps does not take fails the live check's ssh stage with the reason,
// before anything is sent to the SSH server.
func TestAzureLiveCheckRefusesAnEd25519Key(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	c := e.DemoCredentials(providers.Azure)
	c.SSHKey, _, _ = providers.GenerateSSHKey("t")
	r := providers.Run(testCtx(t), envWithTimeout(providers.DefaultTimeout), c)
	if ch, ok := r.Find(providers.CheckSSH); !ok || ch.Status != providers.Fail || !strings.Contains(ch.Message, "RSA SSH keys only") {
		t.Errorf("ssh stage: %+v\n%s", ch, dumpResult(r))
	}
}

// Git's scp-like addresses ([user@]host:path) are taken wherever an SSH URL is, and kept as
// given for the generic provider (their path may be relative to the account's home).
func TestSCPStyleAddresses(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"git@ssh.dev.azure.com:v3/acme/gitops/apps": "ssh://git@ssh.dev.azure.com/v3/acme/gitops/apps",
		"git.example.com:srv/gitops.git":            "ssh://git.example.com/srv/gitops.git",
		"deploy@10.0.0.5:/srv/git/x.git":            "ssh://deploy@10.0.0.5/srv/git/x.git",
		"ssh://git@host:2222/x.git":                 "ssh://git@host:2222/x.git",
		"https://host/x.git":                        "https://host/x.git",
		"./relative/dir:x":                          "./relative/dir:x",
		"@host:x":                                   "@host:x",
		"[::1]:x":                                   "[::1]:x",
	} {
		if got := providers.SCPToSSHURL(in); got != want {
			t.Errorf("SCPToSSHURL(%q) = %q, want %q", in, got, want)
		}
	}
	c := providers.Credentials{Provider: providers.Gitea}
	c.Host, c.SSHURL = "https://gitea.example.com/", "deploy@gitea.example.com:acme/x.git"
	if user, hp, err := providers.SSHAddress(c); err != nil || user != "deploy" || hp != "gitea.example.com:22" {
		t.Errorf("SSHAddress(scp SSH URL) = %s, %s, %v", user, hp, err)
	}
	g := providers.Credentials{Provider: providers.GitServer}
	g.URL = "git@git.example.com:repos/gitops.git"
	if user, hp, err := providers.SSHAddress(g); err != nil || user != "git" || hp != "git.example.com:22" {
		t.Errorf("SSHAddress(generic scp URL) = %s, %s, %v", user, hp, err)
	}
	if u, err := providers.SSHRepoURL(g, ""); err != nil || u != g.URL {
		t.Errorf("SSHRepoURL(generic scp URL) = %s, %v; want it as given", u, err)
	}
}

// A key the SSH server refuses: the live check says where the provider takes it (Azure DevOps:
// User settings > SSH public keys; GitHub: the account or a deploy key).
func TestRefusedSSHKeySaysWhereToAddIt(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	srv := kit.StartSSHServer(t, kit.RefuseKeys)
	addr, hk := srv.Addr, srv.HostKey()
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	for id, want := range map[providers.ID]string{
		providers.Azure:  "User settings > SSH public keys",
		providers.GitHub: "as a deploy key of the repository with write access",
	} {
		c := e.DemoCredentials(id)
		c.SSHKey, c.SSHURL, c.SSHHostKey = pemOf(t, rsaKey), "ssh://git@"+addr+"/", providers.KnownHostsLine(addr, hk)
		r := providers.Run(testCtx(t), envWithTimeout(providers.DefaultTimeout), c)
		if ch, _ := r.Find(providers.CheckSSH); ch.Status != providers.Fail || !strings.Contains(ch.Message, "did not accept the key") ||
			!strings.Contains(ch.Message, want) {
			t.Errorf("%s: ssh stage %s: %s", id, ch.Status, ch.Message)
		}
	}
}
