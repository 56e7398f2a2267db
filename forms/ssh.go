package forms

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"gitopscfg/providers"
)

// maxSSHKeyBytes bounds an SSH private key (an RSA 8192-bit key in OpenSSH format is about 6.5 KB).
const maxSSHKeyBytes = 16 * 1024

// SSHKey checks an SSH private key (empty: none): an OpenSSH or PEM private key without a
// passphrase, returned trimmed (one key pasted into a one-line input, its line breaks turned into
// spaces, comes back as the PEM it was). Its errors never show the key.
func SSHKey(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", nil
	}
	if !strings.Contains(s, "\n") {
		s = rejoinPEM(s) // pasted into a one-line input: its line breaks arrived as spaces
	}
	if len(s) > maxSSHKeyBytes {
		return "", fmt.Errorf("the SSH key is %d bytes long, over the %d-byte limit: give the private key file alone", len(s), maxSSHKeyBytes)
	}
	if _, err := providers.ParseSSHKey(s); err != nil {
		return "", err
	}
	return s + "\n", nil
}

// checkSSHURL checks the optional SSH address: ssh://[user@]host[:port]/ or Git's scp-like
// [user@]host:path, without a password, query or fragment.
func checkSSHURL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if err := plainText(s, "the SSH URL"); err != nil || s == "" {
		return "", err
	}
	u, err := url.Parse(providers.SCPToSSHURL(s))
	if err != nil || u.Scheme != "ssh" || u.Hostname() == "" {
		return "", fmt.Errorf("the SSH URL %s is not an ssh:// URL: write it as ssh://git@host[:port]/ (or git@host:path)", shown(s))
	}
	if _, has := u.User.Password(); has || u.RawQuery != "" || u.Fragment != "" {
		return "", errors.New("the SSH URL must not contain a password, a query or a fragment")
	}
	if _, _, err := providers.SSHAddress(providers.Credentials{}.WithSSHURL(s)); err != nil {
		return "", err
	}
	return s, nil
}

// checkHostKeyLine checks a trusted host key: one known_hosts line.
func checkHostKeyLine(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", nil
	}
	if strings.Contains(s, "\n") {
		return "", errors.New("the trusted SSH host key is one known_hosts line")
	}
	if _, _, err := providers.TrustedHostKey(providers.Credentials{}.WithHostKey(s)); err != nil {
		return "", err
	}
	return s, nil
}
