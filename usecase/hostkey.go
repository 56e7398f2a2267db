package usecase

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gitopscfg/providers"
)

// hostKeyTimeout bounds the look at an SSH server's host key.
const hostKeyTimeout = 15 * time.Second

// HostKeyQuestion asks the admin whether to trust an SSH server's host key the first time it is
// seen: the server's address, its key's type and fingerprint (SHA256:…, as ssh-keygen -lf shows).
type HostKeyQuestion func(hostport, keyType, fingerprint string) bool

// UntrustedHostKeyError is an SSH server whose host key nobody confirmed: nothing was saved.
type UntrustedHostKeyError struct {
	Host, Fingerprint, Given string
}

func (e *UntrustedHostKeyError) Error() string {
	if e.Given != "" {
		return fmt.Sprintf("not saved: the SSH server %s shows the host key %s, not %s (--trust-host-key): check which one its "+
			"administrator gives", e.Host, e.Fingerprint, e.Given)
	}
	return fmt.Sprintf("not saved: the SSH server %s shows the host key %s, which is not trusted yet: compare it with the "+
		"fingerprint its administrator gives (ssh-keygen -lf on the server's host key), then run again with --trust-host-key %s",
		e.Host, e.Fingerprint, e.Fingerprint)
}

// trustHostKey makes sure c trusts its SSH server's host key before anything is sent with the key:
// a key trusted already for the same address is kept (the check then compares it with what the
// server shows); otherwise the server's key is read and trusted when it is the one given
// (given, "SHA256:…") or the admin says so (ask). A server that shows another key than the one
// trusted is refused (*providers.HostKeyChangedError), unless given names the new one.
func trustHostKey(ctx context.Context, c *providers.Credentials, given string, ask HostKeyQuestion) error {
	_, hostport, err := providers.SSHAddress(*c)
	if err != nil {
		return err
	}
	given = strings.TrimSpace(given)
	hosts, trusted, terr := providers.TrustedHostKey(*c)
	same := terr == nil && len(hosts) > 0 && hosts[0] == providers.KnownHostsName(hostport)
	if same && given == "" {
		return nil
	}
	keyType := ""
	if same {
		keyType = trusted.Type()
	}
	ctx, cancel := context.WithTimeout(ctx, hostKeyTimeout)
	defer cancel()
	got, err := providers.ScanHostKey(ctx, hostport, keyType)
	if err != nil {
		return err
	}
	fp := providers.Fingerprint(got)
	switch {
	case given != "" && given == fp:
	case given != "":
		return &UntrustedHostKeyError{Host: hostport, Fingerprint: fp, Given: given}
	case same && fp == providers.Fingerprint(trusted):
		return nil
	case same:
		return &providers.HostKeyChangedError{Host: hostport, Trusted: providers.Fingerprint(trusted), Offered: fp}
	case ask == nil || !ask(hostport, got.Type(), fp):
		return &UntrustedHostKeyError{Host: hostport, Fingerprint: fp}
	}
	c.SSHHostKey = providers.KnownHostsLine(hostport, got)
	return nil
}
