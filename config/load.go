package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"

	"filippo.io/age"
)

// Load decrypts and parses the store.
func (s *Store) Load() (*Data, error) {
	return s.loadFile(s.Path())
}

func (s *Store) loadFile(path string) (*Data, error) {
	raw, err := s.readStoreFile(path)
	if err != nil {
		return nil, err
	}
	return s.decrypt(path, raw)
}

// loadCurrent is Load for a save, under the lock: when the file is the one this Store last read
// or wrote, its content is known and is not decrypted again.
func (s *Store) loadCurrent() (*Data, error) {
	path := s.Path()
	raw, err := s.readStoreFile(path)
	if err != nil {
		return nil, err
	}
	if d := s.seen.content(raw); d != nil {
		return d, nil
	}
	return s.decrypt(path, raw)
}

// readStoreFile reads a store file (the store or its backup), at most maxFileBytes.
func (s *Store) readStoreFile(path string) ([]byte, error) {
	f, err := openInDir(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &Error{Kind: KindNotFound, Path: path, Msg: fmt.Sprintf("the store file %s is missing; the previous version may be in %s", path, filepath.Join(s.dir, BackupFile))}
		}
		var se *Error
		if errors.As(err, &se) {
			return nil, err
		}
		return nil, &Error{Kind: KindIO, Path: path, Msg: "cannot read the store", Err: err}
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return nil, &Error{Kind: KindIO, Path: path, Msg: "cannot read the store", Err: err}
	}
	if len(raw) > maxFileBytes {
		return nil, s.corrupt(path, fmt.Errorf("it is larger than %d MiB, far more than any store", maxFileBytes>>20))
	}
	return raw, nil
}

// decrypt decrypts and parses raw, the content of the store file path; the store file's content
// is remembered (seen).
func (s *Store) decrypt(path string, raw []byte) (*Data, error) {
	r, err := age.Decrypt(bytes.NewReader(raw), s.identity)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			return nil, s.noMatch(path, err)
		}
		return nil, s.corrupt(path, err)
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		return nil, s.corrupt(path, err)
	}
	d, err := decode(plain)
	if errors.Is(err, errNewerVersion) {
		return nil, &Error{Kind: KindNewerVersion, Path: path, Err: err,
			Msg: fmt.Sprintf("%s cannot be read or changed by this version; it was left as it is", path)}
	}
	if err != nil {
		return nil, s.corrupt(path, err)
	}
	if path == s.Path() {
		s.seen.remember(raw, d)
	}
	return d, nil
}

// noMatch tells a wrong key file from a damaged store header: both make age report that no
// identity matched. The key is judged wrong when its public key differs from recipient.txt, or
// when it cannot open the backup either; it is judged right (and the store file damaged) when it
// opens the backup or matches recipient.txt.
func (s *Store) noMatch(path string, err error) error {
	idPath := filepath.Join(s.dir, IdentityFile)
	bak := filepath.Join(s.dir, BackupFile)
	damaged := func() error {
		return s.corrupt(path, fmt.Errorf("its header does not open with the store's key: %w", err))
	}
	pub := fmt.Sprint(s.recipient) // *age.X25519Recipient prints as age1...
	matched := false
	if b, rerr := readInDir(filepath.Join(s.dir, RecipientFile)); rerr == nil {
		if want := strings.TrimSpace(string(b)); want != pub {
			return &Error{Kind: KindWrongKey, Path: path,
				Msg: fmt.Sprintf("the key in %s cannot decrypt %s: it is the wrong key file for this store (its public key is %s, the store's is %s in %s); put the right key file back; nothing was changed", idPath, path, pub, want, RecipientFile)}
		}
		matched = true
	}
	if path != bak {
		if f, oerr := openInDir(bak); oerr == nil {
			_, derr := age.Decrypt(f, s.identity)
			f.Close()
			var noMatch *age.NoIdentityMatchError
			switch {
			case derr == nil:
				return damaged()
			case errors.As(derr, &noMatch):
				return &Error{Kind: KindWrongKey, Path: path,
					Msg: fmt.Sprintf("the key in %s opens neither %s nor its backup %s: it is the wrong key file for this store; put the right key file back; nothing was changed", idPath, path, bak)}
			}
		}
	}
	if matched {
		return damaged()
	}
	return &Error{Kind: KindWrongKey, Path: path,
		Msg: fmt.Sprintf("the key in %s cannot decrypt %s: it is the wrong key file for this store (or the file is damaged; the previous version is in %s); nothing was changed", idPath, path, bak)}
}

func (s *Store) corrupt(path string, err error) error {
	bak := filepath.Join(s.dir, BackupFile)
	return &Error{Kind: KindCorrupt, Path: path, Err: err,
		Msg: fmt.Sprintf("%s is damaged (truncated or corrupted) and was left as it is; the previous version is in %s: check it with `age -d -i %s %s`, then copy it over %s",
			path, bak, filepath.Join(s.dir, IdentityFile), bak, StoreFile)}
}
