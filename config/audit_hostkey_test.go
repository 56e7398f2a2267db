package config

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// hostKeyLine is a known_hosts line trusting a new ed25519 key for hostport, and its fingerprint.
func hostKeyLine(t *testing.T, hostport string) (line, fingerprint string) {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return knownhosts.Line([]string{knownhosts.Normalize(hostport)}, k), ssh.FingerprintSHA256(k)
}

// TestAuditRecordsAReplacedHostKey: replacing the trusted host key of the same server records
// both fingerprints in the audit entry; trusting a first key, or a key of another address,
// records no replacement; the record survives the store's round trip through JSON.
func TestAuditRecordsAReplacedHostKey(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	first, firstFP := hostKeyLine(t, "git.example.com:2222")
	second, secondFP := hostKeyLine(t, "git.example.com:2222")
	other, _ := hostKeyLine(t, "other.example.com:22")
	set := func(line string) AuditEntry {
		st := ghSettings
		st.SSHHostKey = line
		return lastAudit(mustSet(t, s, Change{Credential: "github", Base: AnyRevision, Settings: st}))
	}
	if e := set(first); e.HostKey != nil {
		t.Fatalf("a first host key was recorded as replaced: %+v", e.HostKey)
	}
	e := set(second)
	want := HostKeyChange{Host: "[git.example.com]:2222", From: firstFP, To: secondFP}
	if e.HostKey == nil || *e.HostKey != want {
		t.Fatalf("the replacement recorded: %+v, want %+v", e.HostKey, want)
	}
	b, err := json.Marshal(e)
	if err != nil || !strings.Contains(string(b), `"host_key":{"host":"[git.example.com]:2222","from":"`+firstFP+`","to":"`+secondFP+`"}`) {
		t.Fatalf("the entry as stored: %s (%v)", b, err)
	}
	if got := want.String(); got != "[git.example.com]:2222: "+firstFP+" → "+secondFP {
		t.Fatalf("the replacement reads %q", got)
	}
	if e := set(other); e.HostKey != nil {
		t.Fatalf("a key of another address was recorded as a replacement: %+v", e.HostKey)
	}
}
