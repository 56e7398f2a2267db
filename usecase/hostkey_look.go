package usecase

import (
	"context"
	"fmt"

	"gitopscfg/providers"
)

// HostKeySeen is the host key an SSH server shows, as a front-end asks about it before a save.
type HostKeySeen struct {
	// HostPort is the server's address; KeyType the key's type (ssh-ed25519, …); Fingerprint its
	// SHA256 fingerprint as ssh-keygen -lf and ssh show it ("SHA256:…").
	HostPort, KeyType, Fingerprint string
	// Line is the known_hosts line that trusts the key seen for HostPort.
	Line string
	// Trusted: the credential trusts this very key for this address already: no question is needed.
	Trusted bool
	// Unreached says why the server could not be reached when the credential trusts a key for its
	// address already (Trusted is then set: the trusted key is kept, and the check compares it
	// with what the server shows once it answers).
	Unreached error
}

// Question is the sentence that asks the admin about a host key seen for the first time.
func (h HostKeySeen) Question() string {
	return fmt.Sprintf("The SSH server %s shows this host key (%s): %s; compare it with the fingerprint its administrator gives "+
		"(ssh-keygen -lf on the server's host key).", h.HostPort, h.KeyType, h.Fingerprint)
}

// LookAtHostKey reads the host key the SSH server of c (a credential going over SSH) shows, without
// authenticating or saving anything, so that a front-end that cannot answer a question while a save
// runs (the terminal UI) asks first, then saves with SaveInput.TrustHostKey set to the fingerprint
// it showed: a key that changes between the look and the save is then refused. A server that
// shows another key than the one c trusts for the same address is *providers.HostKeyChangedError.
func (b *Backend) LookAtHostKey(ctx context.Context, c providers.Credentials) (HostKeySeen, error) {
	_, hostport, err := providers.SSHAddress(c)
	if err != nil {
		return HostKeySeen{}, err
	}
	seen := HostKeySeen{HostPort: hostport}
	hosts, trusted, terr := providers.TrustedHostKey(c)
	same := terr == nil && len(hosts) > 0 && hosts[0] == providers.KnownHostsName(hostport)
	keyType := ""
	if same {
		keyType = trusted.Type()
	}
	ctx, cancel := context.WithTimeout(ctx, hostKeyTimeout)
	defer cancel()
	got, err := providers.ScanHostKey(ctx, hostport, keyType)
	if err != nil && same {
		seen.KeyType, seen.Fingerprint, seen.Trusted, seen.Unreached = trusted.Type(), providers.Fingerprint(trusted), true, err
		seen.Line = providers.KnownHostsLine(hostport, trusted)
		return seen, nil
	}
	if err != nil {
		return seen, err
	}
	seen.KeyType, seen.Fingerprint, seen.Line = got.Type(), providers.Fingerprint(got), providers.KnownHostsLine(hostport, got)
	if same {
		if seen.Fingerprint != providers.Fingerprint(trusted) {
			return seen, &providers.HostKeyChangedError{Host: hostport, Trusted: providers.Fingerprint(trusted), Offered: seen.Fingerprint}
		}
		seen.Trusted = true
	}
	return seen, nil
}
