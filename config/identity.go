package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"

	"filippo.io/age"
	"filippo.io/age/armor"
)

// PassphraseProtected reports whether dir's identity file is encrypted with a passphrase.
func PassphraseProtected(dir string) (bool, error) {
	b, err := readInDir(filepath.Join(dir, IdentityFile))
	if err != nil {
		return false, identityReadError(dir, err)
	}
	return isEncryptedIdentity(b), nil
}

func isEncryptedIdentity(b []byte) bool {
	t := bytes.TrimSpace(b)
	return bytes.HasPrefix(t, []byte("age-encryption.org/")) || bytes.HasPrefix(t, []byte(armor.Header))
}

func encryptIdentity(keyText, passphrase string) ([]byte, error) {
	r, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return nil, &Error{Kind: KindIO, Msg: "cannot use that passphrase", Err: err}
	}
	r.SetWorkFactor(ScryptWorkFactor)
	var buf bytes.Buffer
	aw := armor.NewWriter(&buf)
	w, err := age.Encrypt(aw, r)
	if err == nil {
		_, err = io.WriteString(w, keyText)
	}
	if err == nil {
		err = w.Close()
	}
	if err == nil {
		err = aw.Close()
	}
	if err != nil {
		return nil, &Error{Kind: KindIO, Msg: "cannot encrypt the key", Err: err}
	}
	return buf.Bytes(), nil
}

func decryptIdentity(raw []byte, pass string) ([]byte, error) {
	id, err := age.NewScryptIdentity(pass)
	if err != nil {
		return nil, &Error{Kind: KindWrongPassphrase, Msg: "cannot use that passphrase", Err: err}
	}
	var src io.Reader = bytes.NewReader(raw)
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte(armor.Header)) {
		src = armor.NewReader(bytes.NewReader(bytes.TrimSpace(raw)))
	}
	r, err := age.Decrypt(src, id)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			return nil, &Error{Kind: KindWrongPassphrase, Msg: "wrong passphrase: the key file could not be unlocked; nothing was changed"}
		}
		return nil, &Error{Kind: KindCorrupt, Msg: "the passphrase-protected key file is damaged", Err: err}
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return nil, &Error{Kind: KindCorrupt, Msg: "the passphrase-protected key file is damaged", Err: err}
	}
	return out, nil
}

func identityReadError(dir string, err error) error {
	p := filepath.Join(dir, IdentityFile)
	if errors.Is(err, fs.ErrNotExist) {
		return &Error{Kind: KindWrongKey, Path: p, Msg: fmt.Sprintf("the key file %s is missing: without it the store cannot be decrypted (restore it from your backup)", p)}
	}
	var se *Error
	if errors.As(err, &se) {
		return err
	}
	return &Error{Kind: KindIO, Path: p, Msg: "cannot read the key file", Err: err}
}
