package config

import (
	"strings"

	"golang.org/x/crypto/ssh"
)

// HostKeyChange is the audit trail's record of a trusted SSH host key replaced by another for
// the same server: the server's address (as known_hosts names it) and the SHA256 fingerprints of
// the key trusted before and of the one trusted now. Fingerprints are public: the keys' halves
// that servers show anyone.
type HostKeyChange struct {
	Host string `json:"host"`
	From string `json:"from"`
	To   string `json:"to"`
}

// String is the change as a person reads it: "HOST: SHA256:old → SHA256:new".
func (c HostKeyChange) String() string { return c.Host + ": " + c.From + " → " + c.To }

// hostKeyReplaced is the replacement of the trusted host key from one known_hosts line to another
// for the same server (nil: none, a key trusted for the first time, for another address, or
// dropped; or a line that does not parse, which the validators refuse before it is stored).
func hostKeyReplaced(from, to string) *HostKeyChange {
	fromHost, fromFP := knownHostsKey(from)
	toHost, toFP := knownHostsKey(to)
	if fromFP == "" || toFP == "" || fromHost != toHost || fromFP == toFP {
		return nil
	}
	return &HostKeyChange{Host: toHost, From: fromFP, To: toFP}
}

// knownHostsKey is the first host and the key's fingerprint of a known_hosts line ("" when none).
func knownHostsKey(line string) (host, fingerprint string) {
	line = strings.TrimSpace(line)
	if line == "" {
		return "", ""
	}
	_, hosts, key, _, _, err := ssh.ParseKnownHosts([]byte(line))
	if err != nil || len(hosts) == 0 {
		return "", ""
	}
	return hosts[0], ssh.FingerprintSHA256(key)
}
