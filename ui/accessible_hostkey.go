package ui

import (
	"charm.land/huh/v2"

	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// replaceHostKey is the plain prompts' replacement of a changed SSH host key, on a terminal only
// (from a pipe the change is refused, naming `gitopscfg set … --trust-host-key`): it warns,
// naming the address, both fingerprints and both key types, and trusts the new key in norm only
// when the admin types the word "replace" or the new fingerprint's last four characters (y, or
// Enter alone, keeps the trusted key and saves nothing). The save then trusts exactly the
// fingerprint shown (saveIn), and the store's audit trail records the replacement.
func (a *accessible) replaceHostKey(norm *providers.Credentials, changed *providers.HostKeyChangedError, seen usecase.HostKeySeen) error {
	trustedType := "unknown type"
	if _, k, err := providers.TrustedHostKey(*norm); err == nil {
		trustedType = k.Type()
	}
	a.say("WARNING: the SSH host key of %s has CHANGED.\n  Trusted:   %s (%s)\n  Now shown: %s (%s)\n%s",
		changed.Host, changed.Trusted, trustedType, changed.Offered, seen.KeyType, replaceAdvice(norm.CredentialName(), changed.Offered))
	answer := ""
	title := replaceHow + " (Enter keeps the trusted key: nothing is saved):"
	if err := a.run(huh.NewInput().Title(title).Value(&answer)); err != nil {
		return err
	}
	if !confirmsReplace(answer, seen.Fingerprint) {
		a.say("Not saved: the trusted SSH host key was kept.")
		return notSavedError{"the SSH server's host key changed to " + seen.Fingerprint + ", which was not trusted"}
	}
	norm.SSHHostKey = seen.Line
	a.confirmedFP, a.confirmedLine = seen.Fingerprint, seen.Line
	a.say("The new host key %s replaces the trusted one for this save.", seen.Fingerprint)
	return nil
}
