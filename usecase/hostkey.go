package usecase

import (
	"context"
	"fmt"
	"gitopscfg/config"
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

// prepareSSH trusts the SSH server's host key of a credential going over SSH and, when asked,
// registers its public key through the provider's API; c and in's fields follow what changed.
func (b *Backend) prepareSSH(ctx context.Context, c *providers.Credentials, in *SaveInput, out *Saved) error {
	before := c.SSHHostKey
	if err := trustHostKey(ctx, c, in.TrustHostKey, in.AskHostKey); err != nil {
		return err
	}
	if c.SSHHostKey != before && len(in.Fields) > 0 {
		in.Fields = append(in.Fields, providers.FieldSSHHostKey)
	}
	out.Credentials = *c
	if !in.RegisterKey {
		return nil
	}
	ref, said, err := providers.RegisterSSHKey(ctx, b.Env(in.Timeout), *c)
	if err != nil {
		return &KeyRegistrationError{Err: err}
	}
	c.SSHKeyRef, out.KeyRegistered, out.Credentials = ref, said, *c
	if len(in.Fields) > 0 {
		in.Fields = append(in.Fields, providers.FieldSSHKeyRef)
	}
	return nil
}

// KeyRegistrationError is a save refused because the provider's API did not take the public key.
type KeyRegistrationError struct{ Err error }

func (e *KeyRegistrationError) Error() string {
	return "not saved: the public key could not be registered: " + e.Err.Error()
}
func (e *KeyRegistrationError) Unwrap() error { return e.Err }

// undoRegistration deletes a key registered by a save that then failed, and says what it did.
func (b *Backend) undoRegistration(ctx context.Context, c providers.Credentials) string {
	said, err := providers.UnregisterSSHKey(context.WithoutCancel(ctx), b.Env(hostKeyTimeout), c)
	if err != nil {
		return "the key registered for this save could not be deleted again (" + err.Error() + "): delete it by hand"
	}
	return said + ", as nothing was saved"
}

// Removed is what RemoveWithKey did.
type Removed struct {
	Data      *config.Data
	WasActive bool
	// Key says what became of a public key registered through the provider's API ("" none).
	Key string
}

// RemoveWithKey deletes the public SSH key the credential registered through the provider's API
// (SSHKeyRef), then removes the credential. A key that cannot be deleted does not keep the
// credential: Key says so, naming it, so that it is deleted by hand.
func (b *Backend) RemoveWithKey(ctx context.Context, name string, base int64) (Removed, error) {
	var out Removed
	d, err := b.store.Load()
	if err != nil {
		return out, err
	}
	if stored := d.Credentials[name]; stored != nil && stored.SSHKeyRef != "" {
		c := providers.FromConfig(name, stored)
		said, err := providers.UnregisterSSHKey(ctx, b.Env(hostKeyTimeout), c)
		if err != nil {
			said = fmt.Sprintf("the registered key %s could not be deleted (%v): delete it by hand", c.SSHKeyRef, err)
		}
		out.Key = said
	}
	out.Data, out.WasActive, err = b.store.Remove(ctx, b.who, name, base)
	return out, err
}
