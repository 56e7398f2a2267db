package forms

import (
	"strings"

	"charm.land/huh/v2"

	"gitopscfg/assets"
	"gitopscfg/providers"
)

// The Git transports the editor's SSH questions offer (SSHChoice.Transport).
const (
	TransportHTTPS    = "https"        // HTTPS with the token: no SSH key
	TransportSSHKeep  = "ssh-keep"     // SSH with the key stored already
	TransportGenerate = "ssh-generate" // SSH with a new ed25519 key made here
	TransportPaste    = "ssh-paste"    // SSH with a private key pasted (masked)
)

// SSHChoice is what the terminal UI's form asks about Git over SSH, beyond the draft's own fields
// (the SSH URL is one): the transport, a pasted private key and whether to register the public
// key through the provider's API. The editor turns it into the draft's SSH key (it generates the
// key itself, off the event loop); the form only binds these values.
type SSHChoice struct {
	Transport string
	// Pasted is the private key typed or pasted into the masked input.
	Pasted string
	// Register asks the save to register the public key through the provider's API.
	Register bool
	// Stored: the credential has a stored key, which TransportSSHKeep keeps.
	Stored bool
}

// UsesSSH reports whether the choice makes SSH the Git transport.
func (c *SSHChoice) UsesSSH() bool { return c.Transport != "" && c.Transport != TransportHTTPS }

// NewKey reports whether the choice is a key new to the credential (generated or pasted), which
// the save may register through the provider's API.
func (c *SSHChoice) NewKey() bool {
	return c.Transport == TransportGenerate || c.Transport == TransportPaste
}

// WithSSH adds the Git transport questions bound to c, for a provider that takes an SSH key (the
// terminal UI; the plain prompts ask them their own way).
func WithSSH(c *SSHChoice) Option { return func(o *formOptions) { o.ssh = c } }

// sshGroups are the Git transport questions of p's form: the transport, the masked private key
// when pasting, then the SSH URL and the key's registration while SSH is chosen.
func (o formOptions) sshGroups(p providers.Provider, d *providers.Credentials) []*huh.Group {
	c := o.ssh
	if _, ok := p.Field(providers.FieldSSHKey); !ok || c == nil || o.accessible {
		return nil
	}
	opts := []huh.Option[string]{huh.NewOption("HTTPS with the token", TransportHTTPS)}
	if c.Stored {
		opts = append(opts, huh.NewOption("SSH with the stored key", TransportSSHKeep))
	}
	opts = append(opts, huh.NewOption("SSH with a new key generated here", TransportGenerate),
		huh.NewOption("SSH with a private key I paste", TransportPaste))
	transport := huh.NewSelect[string]().Key("ssh_transport").Title("Git transport").
		Description(o.fit.fit(assets.FieldHelp("advanced", "ssh_transport"), "")).Options(opts...).Value(&c.Transport)
	paste := huh.NewInput().Key("ssh_paste").Title("SSH private key").Value(&c.Pasted).
		Description(o.fit.fit(assets.FieldHelp("advanced", "ssh_paste"), "")).
		EchoMode(huh.EchoModePassword).CharLimit(maxSSHKeyBytes).Placeholder("-----BEGIN OPENSSH PRIVATE KEY----- …").
		Validate(func(s string) error { _, err := sshKeyFor(p.ID, s); return err })
	groups := []*huh.Group{
		huh.NewGroup(transport).Title("Git transport"),
		huh.NewGroup(paste).Title("Git transport").WithHideFunc(func() bool { return c.Transport != TransportPaste }),
	}
	more := []huh.Field{huh.NewNote().Title("Trusted SSH host key").Description(o.fit.fit(trustedHostKey(*d), ""))}
	if f, ok := p.Field(providers.FieldSSHURL); ok {
		what, where := fieldHelpParts(p, f, d.Host)
		more = append(more, o.input(p.ID, f, bind(d, f.Key), what, where))
	}
	groups = append(groups, huh.NewGroup(more...).Title("Git over SSH").WithHideFunc(func() bool { return !c.UsesSSH() }))
	if p.CanRegisterKeys() {
		register := huh.NewConfirm().Key("ssh_register").Title("Register the public key through " + p.Name + "'s API?").
			Description(o.fit.fit(assets.FieldHelp("advanced", "ssh_register"), "")).Value(&c.Register)
		groups = append(groups, huh.NewGroup(register).Title("Git over SSH").WithHideFunc(func() bool { return !c.NewKey() }))
	}
	return groups
}

// trustedHostKey says which SSH host key the credential d trusts, for the form's note.
func trustedHostKey(d providers.Credentials) string {
	hosts, k, err := providers.TrustedHostKey(d)
	if err != nil {
		return "None yet: on save, the SSH server's host key fingerprint is shown, to compare with the one its administrator gives."
	}
	return providers.Fingerprint(k) + " (" + k.Type() + ", for " + strings.Join(hosts, ", ") + "). A server that shows another " +
		"key is refused; a new SSH address's key is asked about on save."
}

// sshKeyFor checks a private key as SSHKey does, and that provider id's server takes its type.
func sshKeyFor(id providers.ID, raw string) (string, error) {
	key, err := SSHKey(raw)
	if err == nil {
		err = providers.CheckSSHKeyFor(id, key)
	}
	return key, err
}

// SSHKeyFor checks a private key given for provider id (see sshKeyFor).
func SSHKeyFor(id providers.ID, raw string) (string, error) { return sshKeyFor(id, raw) }
