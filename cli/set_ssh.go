package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"gitopscfg/config"
	"gitopscfg/forms"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// sshOptions are set's flags of Git over SSH: --ssh-key FILE, --ssh-key-generate and
// --trust-host-key (--ssh-url is a field flag, in setFieldFlags).
type sshOptions struct {
	SSHKeyFile   string
	SSHGenerate  bool
	TrustHostKey string
	RegisterKey  bool
	// generated is the public key of a key made by --ssh-key-generate, printed once saved.
	generated string
}

func (o *sshOptions) addFlags(fl *pflag.FlagSet) {
	fl.StringVar(&o.SSHKeyFile, "ssh-key", "", "import the SSH private key in FILE (OpenSSH, no passphrase): Git then goes over SSH")
	fl.BoolVar(&o.SSHGenerate, "ssh-key-generate", false, "generate an SSH key (prints its public key): ed25519, or RSA 4096 for Azure DevOps, whose SSH server takes RSA keys only; Git then goes over SSH")
	fl.StringVar(&o.TrustHostKey, "trust-host-key", "", "trust the SSH server's host key of this fingerprint (SHA256:…) without asking")
	fl.BoolVar(&o.RegisterKey, "register-key", false, "register the public key through the provider's API (GitHub, GitLab, Gitea: a deploy key with write access of --repo, else a key of the token's user; Bitbucket: always a key of the token's account, as its deploy keys are read-only); remove deletes it")
}

func (o *sshOptions) validate() error {
	if o.SSHKeyFile != "" && o.SSHGenerate {
		return usageErr("--ssh-key and --ssh-key-generate exclude each other")
	}
	if fp := strings.TrimSpace(o.TrustHostKey); fp != "" && !strings.HasPrefix(fp, "SHA256:") {
		return usageErr("--trust-host-key takes a SHA256 fingerprint as ssh-keygen -lf shows it (SHA256:…), not %q", fp)
	}
	return nil
}

// appliesTo refuses the SSH flags for a provider that takes no SSH key, and --register-key for one
// whose API does not register keys.
func (o *sshOptions) appliesTo(p providers.Provider) error {
	if _, ok := p.Field(providers.FieldSSHKey); !ok && (o.SSHKeyFile != "" || o.SSHGenerate || o.TrustHostKey != "" || o.RegisterKey) {
		return usageErr("Git over SSH does not apply to %s here: use its token over HTTPS", p.Name)
	}
	if o.RegisterKey && !p.CanRegisterKeys() {
		return usageErr("--register-key: %s's keys cannot be registered through its API here; paste the public key on the server instead", p.Name)
	}
	return nil
}

// apply sets the SSH key of c from --ssh-key or --ssh-key-generate, and reports whether it did.
func (o *sshOptions) apply(c *providers.Credentials) (bool, error) {
	switch {
	case o.SSHKeyFile != "":
		b, err := os.ReadFile(o.SSHKeyFile)
		if err != nil {
			return false, usageErr("--ssh-key: cannot read the key: %v", errors.Unwrap(err))
		}
		key, err := forms.SSHKey(string(b))
		if err == nil {
			err = providers.CheckSSHKeyFor(c.Provider, key)
		}
		if err != nil {
			return false, usageErr("--ssh-key %s: %v", o.SSHKeyFile, err)
		}
		c.SSHKey = key
	case o.SSHGenerate:
		priv, pub, err := providers.GenerateSSHKeyFor(c.Provider, "gitopscfg-"+c.CredentialName())
		if err != nil {
			return false, err
		}
		c.SSHKey, o.generated = priv, pub
	default:
		return false, nil
	}
	c.SSHHostKey = "" // kept below when the address is the same
	return true, nil
}

// hostKeyQuestion asks on a terminal whether to trust a host key seen for the first time; nil
// when nobody is there to answer (--trust-host-key then decides).
func hostKeyQuestion(s Streams) usecase.HostKeyQuestion {
	if !s.onTerminal() {
		return nil
	}
	return func(hostport, keyType, fp string) bool {
		fmt.Fprintf(s.Out, "The SSH server %s shows this host key (%s):\n  %s\n"+
			"Compare it with the fingerprint its administrator gives (ssh-keygen -lf on the server's key).\n", hostport, keyType, fp)
		ok, err := s.confirm("Trust it for this credential? [y/N] ")
		return err == nil && ok
	}
}

// keepHostKey keeps the stored trusted host key when the new key's SSH address is the same one.
func keepHostKey(c *providers.Credentials, stored *config.Credential) {
	if stored == nil || c.SSHHostKey != "" || stored.SSHHostKey == "" {
		return
	}
	c.SSHHostKey = stored.SSHHostKey
}

// printPublicKey prints a generated key's public half, to paste on the server (where, for c's
// provider).
func (o *sshOptions) printPublicKey(s Streams, c providers.Credentials) {
	if o.generated == "" {
		return
	}
	fmt.Fprintf(s.Out, "Public key (%s):\n%s\n", providers.SSHKeyPasteHint(c), o.generated)
}

// missingFields names the flags a new credential of p still needs: its host, organisation,
// username and token; the generic provider's URL and username, and a token or an SSH key.
func missingFields(p providers.Provider, c providers.Credentials) []string {
	var missing []string
	if p.GitOnly() {
		if c.URL == "" {
			missing = append(missing, "--url")
		}
	} else {
		if c.Host == "" {
			missing = append(missing, "--host") // a self-hosted-only provider has no default host
		}
		if c.Org == "" {
			missing = append(missing, "--org")
		}
	}
	if c.Username == "" {
		missing = append(missing, "--username")
	}
	switch {
	case c.Token == "" && p.GitOnly() && !providers.UsesSSH(c):
		missing = append(missing, "--token-stdin or --ssh-key FILE")
	case c.Token == "" && !p.GitOnly():
		missing = append(missing, "--token-stdin (the token on standard input)")
	}
	return missing
}
