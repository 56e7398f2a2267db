package providers

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"

	"gitopscfg/assets"
)

// azureSSHFields are the common SSH fields with Azure DevOps' help (RSA keys, its SSH URLs).
func azureSSHFields() []Field {
	out := slices.Clone(sshFields)
	for i := range out {
		switch out[i].Key {
		case FieldSSHKey:
			out[i].Help = assets.FieldHelp("azure", "ssh_key")
		case FieldSSHURL:
			out[i].Help, out[i].Example = assets.FieldHelp("azure", "ssh_url"), "git@ssh.dev.azure.com:v3/acme/gitops/gitops-apps"
		}
	}
	return out
}

// sshRules are a provider's own rules of Git over SSH (see ARCHITECTURE.md, Git over SSH), where
// they differ from the common ones: ed25519 keys, git@<Git host>:22, OWNER/REPO.git.
type sshRules struct {
	// accepts refuses a key type the server does not take (nil: any).
	accepts func(k ssh.PublicKey) error
	// generate makes a key of a type the server takes (nil: ed25519).
	generate func(comment string) (private, authorized string, err error)
	// address is the SSH address derived from c when no SSH URL is given (ok false: the common
	// rule).
	address func(c Credentials) (user, host string, ok bool)
	// path is the repository fullName's path under the SSH address, prefix being the SSH URL's
	// path ("" when none is given).
	path func(c Credentials, prefix, fullName string) string
	// paste says where the public key is pasted by hand.
	paste func(c Credentials) string
}

// azureSSHHost is Azure DevOps Services' SSH host (vs-ssh.visualstudio.com is its old name).
const azureSSHHost = "ssh.dev.azure.com"

// azureMinRSABits is the smallest RSA key taken for Azure DevOps; generated keys have 4096 bits.
const azureMinRSABits, azureRSABits = 2048, 4096

// azureSSH: Azure DevOps takes RSA keys only (Microsoft's "Use SSH key authentication" has you
// create an RSA key pair; ed25519 and ECDSA keys are refused), signed with rsa-sha2-256/512 since
// the end of SSH-RSA (SHA-1) support, which Go's SSH client does. Its SSH URLs are
// git@ssh.dev.azure.com:v3/{organisation}/{project}/{repo} (ssh://git@ssh.dev.azure.com/v3/…) on
// Azure DevOps Services, ssh://{server}:22/{collection}/{project}/_git/{repo} on Azure DevOps
// Server. It has no public REST API for SSH keys: they are pasted under User settings > SSH public
// keys.
var azureSSH = &sshRules{
	accepts: func(k ssh.PublicKey) error {
		if k.Type() != ssh.KeyAlgoRSA {
			return fmt.Errorf("this %s key cannot be used: Azure DevOps takes RSA SSH keys only (ed25519 and ECDSA keys are "+
				"refused by its SSH server); let gitopscfg generate one (--ssh-key-generate makes an RSA %d-bit key), or import an RSA key "+
				"(ssh-keygen -t rsa -b %d -N '' -f FILE)", k.Type(), azureRSABits, azureRSABits)
		}
		if ck, ok := k.(ssh.CryptoPublicKey); ok {
			if rk, ok := ck.CryptoPublicKey().(*rsa.PublicKey); ok && rk.N.BitLen() < azureMinRSABits {
				return fmt.Errorf("the RSA SSH key has %d bits, fewer than the %d Azure DevOps should be given: generate a new one "+
					"(--ssh-key-generate, RSA %d bits)", rk.N.BitLen(), azureMinRSABits, azureRSABits)
			}
		}
		return nil
	},
	generate: func(comment string) (string, string, error) {
		priv, err := rsa.GenerateKey(rand.Reader, azureRSABits)
		if err != nil {
			return "", "", err
		}
		block, err := ssh.MarshalPrivateKey(priv, comment)
		if err != nil {
			return "", "", err
		}
		pub, err := ssh.NewPublicKey(&priv.PublicKey)
		if err != nil {
			return "", "", err
		}
		return string(pem.EncodeToMemory(block)), authorizedLine(pub, comment), nil
	},
	address: func(c Credentials) (string, string, bool) {
		if azureServicesOrg(c) == "" {
			return "", "", false
		}
		return defaultSSHUser, azureSSHHost, true
	},
	path: azureSSHPath,
	paste: func(c Credentials) string {
		page := strings.TrimRight(strings.TrimSpace(c.Host), "/") + "/_usersSettings/keys"
		return "Azure DevOps has no API for SSH keys: paste it under User settings > SSH public keys (" + page + ")"
	},
}

// azureServicesOrg is the organisation of an Azure DevOps Services URL (https://dev.azure.com/{org}
// or https://{org}.visualstudio.com), "" for Azure DevOps Server.
func azureServicesOrg(c Credentials) string {
	u, err := url.Parse(strings.TrimSpace(c.Host))
	if err != nil {
		return ""
	}
	if strings.EqualFold(u.Hostname(), "dev.azure.com") {
		org, _, _ := strings.Cut(strings.Trim(u.Path, "/"), "/")
		return org
	}
	if org, ok := strings.CutSuffix(strings.ToLower(u.Hostname()), ".visualstudio.com"); ok && !strings.Contains(org, ".") {
		return org
	}
	return ""
}

// azureSSHPath is the SSH path of fullName (PROJECT/REPO, or PROJECT/_git/REPO as the web URLs
// write it; PROJECT/_git alone is the project's prefix): v3/{organisation}/{project}/{repo} on
// Azure DevOps Services, {collection}/{project}/_git/{repo} on Azure DevOps Server. An SSH URL's
// path, when given, is the prefix instead: one that holds a v3 segment takes the Services form.
func azureSSHPath(c Credentials, prefix, fullName string) string {
	var segs []string
	webForm := false
	for _, s := range strings.Split(strings.Trim(fullName, "/"), "/") {
		if s == "_git" {
			webForm = true
		} else if s != "" {
			segs = append(segs, s)
		}
	}
	project, repo := strings.TrimSpace(c.Org), ""
	switch {
	case len(segs) == 1 && !webForm:
		repo = segs[0]
	case len(segs) >= 1:
		project, repo = segs[0], strings.Join(segs[1:], "/")
	}
	repo = strings.TrimSuffix(repo, ".git")
	prefix = azurePrefix(strings.Trim(prefix, "/"))
	if prefix == "" {
		if org := azureServicesOrg(c); org != "" {
			prefix = "v3/" + org
		} else if u, err := url.Parse(strings.TrimSpace(c.Host)); err == nil {
			prefix = strings.Trim(u.Path, "/")
		}
	}
	services := prefix == "v3" || strings.HasPrefix(prefix, "v3/") || strings.Contains(prefix, "/v3/") || strings.HasSuffix(prefix, "/v3")
	tail := project
	if !services {
		tail += "/_git"
	}
	if repo != "" {
		tail += "/" + repo
	}
	if prefix == "" {
		return tail
	}
	return prefix + "/" + tail
}

// azurePrefix keeps of an SSH URL's path the part above the projects: v3/{organisation} of a
// Services path, the collection of a Server path (…/{project}/_git/{repo}): a repository's whole
// SSH URL, as the Clone dialog shows it, may be given as the SSH URL.
func azurePrefix(prefix string) string {
	segs := strings.Split(prefix, "/")
	for i, s := range segs {
		if s == "v3" && i+1 < len(segs) {
			return strings.Join(segs[:i+2], "/")
		}
		if s == "_git" && i >= 1 {
			return strings.Join(segs[:i-1], "/")
		}
	}
	return prefix
}

// providerSSH is the SSH rules of c's provider (nil: the common ones).
func providerSSH(id ID) *sshRules {
	if p, err := Lookup(string(id)); err == nil {
		return p.ssh
	}
	return nil
}

// CheckSSHKeyFor refuses a private key whose type provider id's server does not take.
func CheckSSHKeyFor(id ID, private string) error {
	r := providerSSH(id)
	if r == nil || r.accepts == nil || strings.TrimSpace(private) == "" {
		return nil
	}
	s, err := ParseSSHKey(private)
	if err != nil {
		return err
	}
	return r.accepts(s.PublicKey())
}

// GenerateSSHKeyFor makes a new key of a type provider id's server takes: ed25519, or RSA 4096
// for Azure DevOps.
func GenerateSSHKeyFor(id ID, comment string) (private, authorized string, err error) {
	if r := providerSSH(id); r != nil && r.generate != nil {
		return r.generate(comment)
	}
	return GenerateSSHKey(comment)
}

// SSHKeyPasteHint says where c's public key is pasted by hand.
func SSHKeyPasteHint(c Credentials) string {
	if r := providerSSH(c.Provider); r != nil && r.paste != nil {
		return r.paste(c)
	}
	return "add it to the Git server: a deploy key with write access, or a key of the account"
}
