package cli

import (
	"fmt"
	"io"
	"strings"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// sshStatusJSON is what status says of a credential whose Git goes over SSH: its public key (to
// paste on the server; never the private key) and the host key it trusts.
type sshStatusJSON struct {
	PublicKey string `json:"public_key"`
	// HostKey is the trusted host key's SHA256 fingerprint, Host the address it is trusted for
	// (both omitted until one is trusted).
	HostKey string `json:"host_key,omitempty"`
	Host    string `json:"host,omitempty"`
	// KeyRef names the key registered through the provider's API (omitted when pasted by hand).
	KeyRef string `json:"registered_key,omitempty"`
}

// sshStatus describes c's Git over SSH; nil when its Git goes over HTTPS.
func sshStatus(name string, c *config.Credential) *sshStatusJSON {
	creds := providers.FromConfig(name, c)
	if !providers.UsesSSH(creds) {
		return nil
	}
	out := &sshStatusJSON{KeyRef: c.SSHKeyRef}
	if pub, err := providers.SSHPublicKey(creds); err == nil {
		out.PublicKey = pub
	}
	if hosts, key, err := providers.TrustedHostKey(creds); err == nil && len(hosts) > 0 {
		out.HostKey, out.Host = providers.Fingerprint(key), hosts[0]
	}
	return out
}

// writeSSHText lists, after status's table, the public key and trusted host key of each credential
// whose Git goes over SSH.
func writeSSHText(w io.Writer, d *config.Data) {
	first := true
	for _, row := range statusRows(d) {
		if row.c == nil {
			continue
		}
		st := sshStatus(row.name, row.c)
		if st == nil {
			continue
		}
		if first {
			fmt.Fprintln(w, "\nGit over SSH (public keys to add on the server):")
			first = false
		}
		fmt.Fprintf(w, "  %s\n    %s\n", credentialLabel(row.name, row.c.Provider), st.PublicKey)
		var notes []string
		if st.HostKey != "" {
			notes = append(notes, "host key of "+st.Host+" trusted: "+st.HostKey)
		} else {
			notes = append(notes, "no host key trusted yet")
		}
		if st.KeyRef != "" {
			notes = append(notes, "registered through the API as "+st.KeyRef)
		}
		fmt.Fprintf(w, "    %s\n", strings.Join(notes, "; "))
	}
}
