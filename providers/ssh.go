package providers

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// Git over SSH (see ARCHITECTURE.md, providers/): a credential whose SSHKey is set goes to Git over
// SSH with that key, and only to a server whose host key is the one trusted with the credential
// (SSHHostKey, a known_hosts line). The private key never leaves the store except to the SSH
// handshake (which sends a signature, never the key) and into an export the admin asked for.

// defaultSSHUser is the user Git hosts take for SSH (git@github.com, git@gitlab.com, …).
const defaultSSHUser = "git"

// UsesSSH reports whether c's Git transport is SSH.
func UsesSSH(c Credentials) bool { return strings.TrimSpace(c.SSHKey) != "" }

// ParseSSHKey reads an OpenSSH (or PEM) private key. A passphrase-protected key is refused with a
// message saying how to remove the passphrase: the key is kept encrypted in the store instead.
func ParseSSHKey(pemText string) (ssh.Signer, error) {
	s, err := ssh.ParsePrivateKey([]byte(pemText))
	var pass *ssh.PassphraseMissingError
	switch {
	case errors.As(err, &pass):
		return nil, errors.New("the SSH key is protected by a passphrase: the store encrypts it already, so give a copy without one " +
			"(ssh-keygen -p -N '' -f COPY removes the passphrase of COPY), or let gitopscfg generate a key (--ssh-key-generate)")
	case err != nil:
		return nil, errors.New("not an SSH private key (OpenSSH or PEM format, as ssh-keygen writes it): " + firstLine(err.Error()))
	}
	return s, nil
}

// GenerateSSHKey makes a new ed25519 key: the private key in OpenSSH's PEM format, and the public
// key as one authorized_keys line ending in comment.
func GenerateSSHKey(comment string) (private, authorized string, err error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", err
	}
	block, err := ssh.MarshalPrivateKey(priv, comment)
	if err != nil {
		return "", "", err
	}
	spub, err := ssh.NewPublicKey(pub)
	if err != nil {
		return "", "", err
	}
	return string(pem.EncodeToMemory(block)), authorizedLine(spub, comment), nil
}

// SSHPublicKey is the public half of c's SSH key as one authorized_keys line.
func SSHPublicKey(c Credentials) (string, error) {
	s, err := ParseSSHKey(c.SSHKey)
	if err != nil {
		return "", err
	}
	return authorizedLine(s.PublicKey(), "gitopscfg-"+c.CredentialName()), nil
}

func authorizedLine(k ssh.PublicKey, comment string) string {
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k)))
	if comment != "" {
		line += " " + comment
	}
	return line
}

// Fingerprint is a key's SHA256 fingerprint as ssh-keygen -lf and ssh show it ("SHA256:…").
func Fingerprint(k ssh.PublicKey) string { return ssh.FingerprintSHA256(k) }

// SSHAddress is where c's Git over SSH goes: the user and host:port of SSHURL, else of the
// generic provider's ssh:// (or scp-style) URL, else the provider's own SSH host (Azure DevOps:
// git@ssh.dev.azure.com), else git@ the Git host's name on port 22.
func SSHAddress(c Credentials) (user, hostport string, err error) {
	u, err := sshURLOf(c)
	if err != nil {
		return "", "", err
	}
	if u == nil {
		if r := providerSSH(c.Provider); r != nil && r.address != nil {
			if user, host, ok := r.address(c); ok {
				return user, net.JoinHostPort(host, "22"), nil
			}
		}
		h, perr := url.Parse(strings.TrimSpace(c.Host))
		if perr != nil || h.Hostname() == "" {
			return "", "", fmt.Errorf("no SSH address for %s: give it with --ssh-url ssh://git@host[:port]/", c.CredentialName())
		}
		return defaultSSHUser, net.JoinHostPort(h.Hostname(), "22"), nil
	}
	port := u.Port()
	if port == "" {
		port = "22"
	}
	if n, perr := strconv.Atoi(port); perr != nil || n < 1 || n > 65535 {
		return "", "", fmt.Errorf("%q has no valid port", u.Redacted())
	}
	user = defaultSSHUser
	if u.User != nil && u.User.Username() != "" {
		user = u.User.Username()
	}
	return user, net.JoinHostPort(u.Hostname(), port), nil
}

// sshURLOf is c's SSH URL (SSHURL, else the generic provider's ssh:// or scp-style URL) as an
// ssh:// URL; nil when c has none.
func sshURLOf(c Credentials) (*url.URL, error) {
	raw := strings.TrimSpace(c.SSHURL)
	if raw == "" && IsSSHURL(c.URL) {
		raw = strings.TrimSpace(c.URL)
	}
	if raw == "" {
		return nil, nil
	}
	u, perr := url.Parse(SCPToSSHURL(raw))
	if perr != nil || u.Scheme != "ssh" || u.Hostname() == "" {
		return nil, fmt.Errorf("%q is not an SSH URL: write it as ssh://git@host[:port]/ (or git@host:path)", raw)
	}
	return u, nil
}

// IsSSHURL reports whether raw is an ssh:// URL or an scp-style address (git@host:path).
func IsSSHURL(raw string) bool {
	raw = strings.TrimSpace(raw)
	return strings.HasPrefix(raw, "ssh://") || SCPToSSHURL(raw) != raw
}

// SCPToSSHURL turns an scp-style address, as Git takes it ([user@]host:path, e.g.
// git@ssh.dev.azure.com:v3/acme/gitops/apps), into the ssh:// URL of the same repository
// (ssh://git@ssh.dev.azure.com/v3/acme/gitops/apps; scp-style has no port). Anything else is
// returned unchanged. As Git, it takes the form only when no slash comes before the first colon.
func SCPToSSHURL(raw string) string {
	s := strings.TrimSpace(raw)
	colon := strings.IndexByte(s, ':')
	if colon <= 0 || strings.Contains(s[:colon], "/") || strings.Contains(s, "://") || strings.HasPrefix(s, "[") {
		return raw
	}
	userHost, path := s[:colon], strings.TrimPrefix(s[colon+1:], "/")
	user, host, hasUser := strings.Cut(userHost, "@")
	if !hasUser {
		user, host = "", userHost
	}
	if host == "" || strings.ContainsAny(host, "@ ") || (hasUser && user == "") || strings.ContainsAny(path, "?#@ \t") {
		return raw
	}
	u := url.URL{Scheme: "ssh", Host: host, Path: "/" + path}
	if user != "" {
		u.User = url.User(user)
	}
	return u.String()
}

// SSHRepoURL is the SSH URL of the repository fullName (owner/name) for c: the generic
// provider's own URL (ssh://, or scp-style as given: its path may be relative to the account's
// home), else the ssh:// URL of the SSH address with the provider's path of fullName
// (OWNER/REPO.git; Azure DevOps: v3/ORGANISATION/PROJECT/REPO).
func SSHRepoURL(c Credentials, fullName string) (string, error) {
	if IsSSHURL(c.URL) && strings.TrimSpace(c.SSHURL) == "" {
		return strings.TrimSpace(c.URL), nil
	}
	user, hostport, err := SSHAddress(c)
	if err != nil {
		return "", err
	}
	host, port, _ := net.SplitHostPort(hostport)
	if port != "22" {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	name := strings.Trim(fullName, "/")
	if r := providerSSH(c.Provider); r != nil && r.path != nil {
		prefix := ""
		if u, _ := sshURLOf(c); u != nil && strings.TrimSpace(c.SSHURL) != "" {
			prefix = u.Path
		}
		return "ssh://" + user + "@" + host + "/" + r.path(c, prefix, name), nil
	}
	if !strings.HasSuffix(name, ".git") {
		name += ".git"
	}
	return "ssh://" + user + "@" + host + "/" + name, nil
}

// HostKeyChangedError is a server whose host key is not the one trusted with the credential.
type HostKeyChangedError struct {
	Host             string
	Trusted, Offered string // fingerprints
}

func (e *HostKeyChangedError) Error() string {
	return fmt.Sprintf("REFUSED: the SSH host key of %s has CHANGED: trusted %s, the server now shows %s. "+
		"Someone may be intercepting the connection, or the server's key was replaced: ask its administrator which "+
		"fingerprint is right, then trust the new one with `gitopscfg set … --trust-host-key %s`", e.Host, e.Trusted, e.Offered, e.Offered)
}

// ErrNoHostKey is an SSH connection of a credential that trusts no host key yet.
var ErrNoHostKey = errors.New("no SSH host key is trusted for this credential yet")

// TrustedHostKey reads c's trusted host key: the hosts it was trusted for and the key.
func TrustedHostKey(c Credentials) ([]string, ssh.PublicKey, error) {
	line := strings.TrimSpace(c.SSHHostKey)
	if line == "" {
		return nil, nil, ErrNoHostKey
	}
	_, hosts, key, _, _, err := ssh.ParseKnownHosts([]byte(line))
	if err != nil {
		return nil, nil, fmt.Errorf("the stored SSH host key is not a known_hosts line: %v", err)
	}
	return hosts, key, nil
}

// KnownHostsLine is the known_hosts line that trusts key for hostport.
func KnownHostsLine(hostport string, key ssh.PublicKey) string {
	return knownhosts.Line([]string{knownhosts.Normalize(hostport)}, key)
}

// hostKeyCheck is the host key callback and algorithms of c's SSH connections: the server must
// show exactly the trusted key, for the address it was trusted for.
func hostKeyCheck(c Credentials) (ssh.HostKeyCallback, []string, error) {
	_, hostport, err := SSHAddress(c)
	if err != nil {
		return nil, nil, err
	}
	hosts, want, err := TrustedHostKey(c)
	if err != nil {
		return nil, nil, err
	}
	if len(hosts) == 0 || hosts[0] != knownhosts.Normalize(hostport) {
		return nil, nil, fmt.Errorf("the trusted SSH host key is for %s, not %s: trust the new address's key with `gitopscfg set %s --trust-host-key SHA256:…`",
			strings.Join(hosts, ","), hostport, c.CredentialName())
	}
	cb := func(_ string, _ net.Addr, got ssh.PublicKey) error {
		if !bytes.Equal(got.Marshal(), want.Marshal()) {
			return &HostKeyChangedError{Host: hostport, Trusted: Fingerprint(want), Offered: Fingerprint(got)}
		}
		return nil
	}
	return cb, hostKeyAlgorithms(want), nil
}

// hostKeyAlgorithms asks the server for the trusted key's type, so that a server with several
// host keys shows the one trusted (an RSA key may be signed with any of three algorithms).
func hostKeyAlgorithms(k ssh.PublicKey) []string {
	if k.Type() == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{k.Type()}
}

// gitSSHAuth is go-git's SSH authentication for c: its key, its SSH user, the trusted host key.
func gitSSHAuth(c Credentials) (*gitssh.PublicKeys, error) {
	signer, err := ParseSSHKey(c.SSHKey)
	if err != nil {
		return nil, err
	}
	user, _, err := SSHAddress(c)
	if err != nil {
		return nil, err
	}
	cb, algos, err := hostKeyCheck(c)
	if err != nil {
		return nil, err
	}
	return &gitssh.PublicKeys{User: user, Signer: signer,
		HostKeyCallbackHelper: gitssh.HostKeyCallbackHelper{HostKeyCallback: cb, HostKeyAlgorithms: algos}}, nil
}

// scanAlgorithms are the host key types ScanHostKey asks for, in OpenSSH's order (ed25519 first),
// so that the fingerprint shown is the one `ssh` would show for the server.
var scanAlgorithms = []string{ssh.KeyAlgoED25519, ssh.KeyAlgoECDSA256, ssh.KeyAlgoECDSA384, ssh.KeyAlgoECDSA521,
	ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256}

// errHostKeySeen ends ScanHostKey's handshake once the host key is seen.
var errHostKeySeen = errors.New("host key seen")

// ScanHostKey connects to the SSH server at hostport and returns the host key it shows (the
// handshake stops there: nothing is authenticated). keyType, when not empty, asks for a key of
// that type.
func ScanHostKey(ctx context.Context, hostport, keyType string) (ssh.PublicKey, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", hostport)
	if err != nil {
		if msg := DescribeNetworkError(err, hostport); msg != "" {
			return nil, errors.New("cannot reach the SSH server: " + msg)
		}
		return nil, fmt.Errorf("cannot reach the SSH server %s: %v", hostport, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	var seen ssh.PublicKey
	cfg := &ssh.ClientConfig{User: defaultSSHUser, HostKeyCallback: func(_ string, _ net.Addr, k ssh.PublicKey) error {
		seen = k
		return errHostKeySeen
	}}
	cfg.HostKeyAlgorithms = scanAlgorithms
	if keyType != "" {
		cfg.HostKeyAlgorithms = []string{keyType}
	}
	_, _, _, err = ssh.NewClientConn(conn, hostport, cfg)
	if seen != nil {
		return seen, nil
	}
	return nil, fmt.Errorf("%s did not complete an SSH handshake: %v", hostport, err)
}

// sshError turns an SSH failure of op against host into an actionable sentence, saying where c's
// provider takes the key; false when err is no SSH failure.
func sshError(err error, c Credentials, host, user, op string) (string, bool) {
	var changed *HostKeyChangedError
	where := "to the account, or as a deploy key of the repository with write access"
	if r := providerSSH(c.Provider); r != nil && r.paste != nil {
		where = "to the account that pushes: " + r.paste(c)
	}
	switch msg := err.Error(); {
	case errors.As(err, &changed):
		return changed.Error(), true
	case strings.Contains(msg, "unable to authenticate"):
		return fmt.Sprintf("%s over SSH: %s did not accept the key as %q: add the credential's public key (`gitopscfg status` shows it) %s", op, host, user, where), true
	case strings.Contains(msg, "ssh: handshake failed"):
		return fmt.Sprintf("%s over SSH: the handshake with %s failed: %s", op, host, firstLine(msg)), true
	}
	return "", false
}

// WithSSHURL is c with SSHURL set to u.
func (c Credentials) WithSSHURL(u string) Credentials { c.SSHURL = u; return c }

// WithHostKey is c with SSHHostKey set to line.
func (c Credentials) WithHostKey(line string) Credentials { c.SSHHostKey = line; return c }

// KnownHostsName is how a known_hosts line names hostport (host, or [host]:port off port 22).
func KnownHostsName(hostport string) string { return knownhosts.Normalize(hostport) }
