package ui

import (
	"errors"
	"os"
	"strings"

	"charm.land/huh/v2"

	"gitopscfg/assets"
	"gitopscfg/forms"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// transportFile is the plain prompts' own way to give a private key: a file to read (a plain
// prompt shows what is typed, and a key's lines are no one line).
const transportFile = "ssh-file"

// askSSH asks, on a terminal, how Git reaches p's server when p takes an SSH key: HTTPS with the
// token, the stored key, a new ed25519 key (its public key printed, to paste on the server) or a
// private key read from a file; then the SSH URL and, for a new key, its registration through the
// API. From a pipe nothing is asked and the transport stays as stored: scripts use set's
// --ssh-key, --ssh-key-generate and --ssh-url.
func (a *accessible) askSSH(p providers.Provider, d *providers.Credentials, storedKey bool) error {
	a.registerKey = false
	if _, ok := p.Field(providers.FieldSSHKey); !ok || !a.tty {
		return nil
	}
	choice := forms.TransportHTTPS
	opts := []huh.Option[string]{huh.NewOption("HTTPS with the token", forms.TransportHTTPS)}
	if storedKey {
		choice = forms.TransportSSHKeep
		opts = append(opts, huh.NewOption("SSH with the stored key", forms.TransportSSHKeep))
	}
	opts = append(opts, huh.NewOption("SSH with a new key generated here", forms.TransportGenerate),
		huh.NewOption("SSH with a private key read from a file", transportFile))
	a.say("Git transport: %s", assets.FieldHelp("advanced", "ssh_transport"))
	if err := a.run(huh.NewSelect[string]().Title("Git transport").Options(opts...).Value(&choice)); err != nil {
		return err
	}
	if err := a.sshKey(choice, d); err != nil || !providers.UsesSSH(*d) {
		return err
	}
	if err := a.sshURL(p, d); err != nil {
		return err
	}
	if choice != forms.TransportSSHKeep && p.CanRegisterKeys() {
		a.registerKey = a.confirm("Register the public key through " + p.Name + "'s API (a deploy key of the credential's repository, else a key of the token's user)?")
	}
	return nil
}

// sshKey sets the draft's SSH key as choice says.
func (a *accessible) sshKey(choice string, d *providers.Credentials) error {
	switch choice {
	case forms.TransportHTTPS:
		d.SSHKey = ""
	case forms.TransportGenerate:
		priv, pub, err := providers.GenerateSSHKeyFor(d.Provider, "gitopscfg-"+d.CredentialName())
		if err != nil {
			return err
		}
		d.SSHKey = priv
		a.say("Public key (%s):\n%s", providers.SSHKeyPasteHint(*d), pub)
	case transportFile:
		path := ""
		if err := a.run(huh.NewInput().Title("Path of the private key file (OpenSSH, no passphrase):").Value(&path)); err != nil {
			return err
		}
		b, err := os.ReadFile(strings.TrimSpace(path))
		if err != nil {
			a.say("Not saved: cannot read the key: %v", errors.Unwrap(err))
			return notSavedError{"the SSH key file could not be read"}
		}
		key, err := forms.SSHKeyFor(d.Provider, string(b))
		if err != nil {
			a.say("Not saved: %v", err) // forms.SSHKey's errors never show the key
			return notSavedError{"the SSH key file holds no usable key"}
		}
		d.SSHKey = key
	}
	return nil
}

// sshURL asks for the optional SSH address; an empty answer keeps the current one.
func (a *accessible) sshURL(p providers.Provider, d *providers.Credentials) error {
	f, ok := p.Field(providers.FieldSSHURL)
	if !ok {
		return nil
	}
	title := f.Label + " (optional, e.g. " + f.Example + "; Enter derives it from the Git host):"
	if d.SSHURL != "" {
		title = f.Label + " [Enter keeps " + d.SSHURL + "]:"
	}
	answer := ""
	if err := a.run(huh.NewInput().Title(title).Value(&answer)); err != nil {
		return err
	}
	if s := strings.TrimSpace(answer); s != "" {
		d.SSHURL = s
	}
	return nil
}

// trustFirst looks at the host key of the SSH server of norm (a credential going over SSH) before
// its check, whose ssh stage needs a trusted key: a key trusted already is kept; a changed one is
// refused (naming both fingerprints) or, on a terminal, replaced once the admin types so
// (replaceHostKey); a new one is shown and asked about (y/N) and, trusted, put in norm. The save
// then trusts exactly that key (saveIn).
func (a *accessible) trustFirst(norm *providers.Credentials) error {
	a.confirmedFP, a.confirmedLine = "", ""
	if !providers.UsesSSH(*norm) {
		return nil
	}
	a.say("Looking at the SSH server's host key …")
	seen, err := a.backend().LookAtHostKey(a.ctx, *norm)
	var changed *providers.HostKeyChangedError
	switch {
	case errors.As(err, &changed) && a.tty && seen.Line != "" && seen.Fingerprint == changed.Offered:
		return a.replaceHostKey(norm, changed, seen)
	case err != nil:
		a.say("Not saved: %v", err)
		return notSavedError{oneLine(err.Error())}
	case seen.Trusted:
		return nil
	}
	a.say("%s", seen.Question())
	if !a.confirm("Trust this host key for the credential? Nothing is saved otherwise.") {
		a.say("Not saved: the SSH server's host key was not trusted.")
		return notSavedError{"the SSH server's host key " + seen.Fingerprint + " was not trusted"}
	}
	norm.SSHHostKey = seen.Line
	a.confirmedFP, a.confirmedLine = seen.Fingerprint, seen.Line
	return nil
}

// saveIn is the plain prompts' save of creds: a credential going over SSH trusts exactly the host
// key the admin confirmed in trustFirst, if any (a key that changed since is refused by the save);
// otherwise its server's host key is looked at: the trusted key is compared with what the server
// shows (TrustHostKey), a changed one refused, a new one shown and asked about (y/N). A new key is
// registered when the admin asked.
func (a *accessible) saveIn(base int64, creds providers.Credentials, result *providers.Result, activate bool) (usecase.SaveInput, error) {
	in := saveInput(base, creds, result, nil, activate, a.now())
	in.RegisterKey = a.registerKey
	if !providers.UsesSSH(creds) {
		return in, nil
	}
	norm, err := forms.Credentials(creds)
	if err != nil {
		return in, err
	}
	if a.confirmedFP != "" && norm.SSHHostKey == a.confirmedLine {
		in.TrustHostKey = a.confirmedFP
		return in, nil
	}
	seen, err := a.backend().LookAtHostKey(a.ctx, norm)
	switch {
	case err != nil:
		return in, err
	case seen.Trusted && seen.Unreached == nil:
		in.TrustHostKey = seen.Fingerprint
		return in, nil
	case seen.Trusted:
		return in, nil
	}
	a.say("%s", seen.Question())
	if !a.confirm("Trust this host key for the credential? Nothing is saved otherwise.") {
		return in, &usecase.UntrustedHostKeyError{Host: seen.HostPort, Fingerprint: seen.Fingerprint}
	}
	in.TrustHostKey = seen.Fingerprint
	return in, nil
}
