package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"filippo.io/age"
)

// File names inside the config directory.
const (
	StoreFile     = "config.age"
	BackupFile    = "config.age.bak"
	IdentityFile  = "identity.txt"
	RecipientFile = "recipient.txt"
	lockFile      = ".lock"
)

// ScryptWorkFactor is the scrypt cost (2^N) of passphrase mode, chosen so that one unlock takes
// between 0.3 and 1 s on a small server: 2^17 measured 0.33-0.43 s per unlock on a 2-core
// AMD EPYC VM, 2^18 1.2-1.5 s (256 MiB of memory; BenchmarkUnlockPassphrase in store_bench_test.go). age reads the
// factor from the file, so stores created with another factor still open.
const ScryptWorkFactor = 17

// Store is an opened, unlocked store directory.
type Store struct {
	dir       string
	identity  age.Identity
	recipient age.Recipient
	warnings  []string
	now       func() time.Time

	// saving is held (shared) by every Update and taken exclusively by Drain, so that a shutdown
	// waits for saves in progress; drained refuses saves after it.
	saving  sync.RWMutex
	drained bool

	// seen is the store file as this Store last read or wrote it, byte for byte, with its
	// content: a save that finds the file unchanged starts from that content instead of
	// decrypting it again.
	seen seenFile
}

// seenFile is a store file's bytes and content; safe for concurrent use.
type seenFile struct {
	mu   sync.Mutex
	raw  []byte
	data *Data
}

// remember keeps raw and a copy of d, its content.
func (f *seenFile) remember(raw []byte, d *Data) {
	c := d.Clone()
	f.mu.Lock()
	f.raw, f.data = raw, c
	f.mu.Unlock()
}

// content is a copy of the content of raw when raw is the file last remembered, else nil.
func (f *seenFile) content(raw []byte) *Data {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.data == nil || !bytes.Equal(raw, f.raw) {
		return nil
	}
	return f.data.Clone()
}

// Drain waits for saves in progress to finish and refuses new ones (for a server shutting down).
func (s *Store) Drain() {
	s.saving.Lock()
	s.drained = true
	s.saving.Unlock()
}

// Dir is the store's directory.
func (s *Store) Dir() string { return s.dir }

// Path is the store file's path.
func (s *Store) Path() string { return filepath.Join(s.dir, StoreFile) }

// Warnings are problems found on open that do not stop use, e.g. loose file modes.
func (s *Store) Warnings() []string { return s.warnings }

// Exists reports whether dir holds a store file.
func Exists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, StoreFile))
	return err == nil
}

// Init creates a new store in dir: a fresh X25519 identity (encrypted with passphrase when it is
// not empty) and an empty store at revision 0. It refuses to touch an existing store, or a key file
// left without its store. A missing directory is created 0700; an existing one is used as it is
// (never chmod'ed: it is not ours) if it belongs to the user and no one else can write to it, and
// refused otherwise (a shared directory such as /tmp).
func Init(dir, passphrase string) (*Store, error) {
	if err := refuseExisting(dir); err != nil {
		return nil, err
	}
	if err := makeDir(dir); err != nil {
		return nil, err
	}
	// Two concurrent Inits must not each write a key and leave a store the other key cannot open.
	probe := &Store{dir: dir}
	unlock, err := probe.lock(context.Background())
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := refuseExisting(dir); err != nil {
		return nil, err
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, &Error{Kind: KindIO, Msg: "cannot generate a key", Err: err}
	}
	keyText := fmt.Sprintf("# gitopscfg store key, created %s\n# public key: %s\n%s\n",
		time.Now().UTC().Format(time.RFC3339), id.Recipient(), id)
	idBytes := []byte(keyText)
	if passphrase != "" {
		if idBytes, err = encryptIdentity(keyText, passphrase); err != nil {
			return nil, err
		}
	}
	s := &Store{dir: dir, identity: id, recipient: id.Recipient(), now: time.Now}
	// O_EXCL: a key file that appeared since refuseExisting is never replaced.
	if err := writeFileExclusive(dir, IdentityFile, idBytes); err != nil {
		return nil, err
	}
	if err := writeFileAtomic(dir, RecipientFile, []byte(id.Recipient().String()+"\n")); err != nil {
		return nil, err
	}
	if err := s.write(NewData(), false); err != nil {
		return nil, err
	}
	s.warnings = modeWarnings(dir)
	return s, nil
}

// makeDir creates the config directory 0700, or checks an existing one (checkDir). Only a
// directory it created itself is chmod'ed (to undo a umask that would loosen it).
func makeDir(dir string) error {
	if _, err := os.Lstat(dir); err == nil {
		return checkDir(dir)
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return &Error{Kind: KindIO, Path: dir, Msg: "cannot create the config directory", Err: err}
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		if errors.Is(err, fs.ErrExist) { // created meanwhile by someone else: judge it
			return checkDir(dir)
		}
		return &Error{Kind: KindIO, Path: dir, Msg: "cannot create the config directory", Err: err}
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return &Error{Kind: KindIO, Path: dir, Msg: "cannot restrict the config directory to its owner", Err: err}
	}
	return checkDir(dir)
}

// refuseExisting fails when dir holds a store, only its backup (a new key would make the backup
// undecryptable), or only a key file (it may be the one key to a copy of the store kept
// elsewhere): nothing is changed, and the message says how to go on.
func refuseExisting(dir string) error {
	for _, name := range []string{StoreFile, BackupFile} {
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			return &Error{Kind: KindExists, Path: dir, Msg: fmt.Sprintf("a store already exists in %s (%s is there); nothing was changed", dir, name)}
		}
	}
	if _, err := os.Lstat(filepath.Join(dir, IdentityFile)); err == nil {
		id := filepath.Join(dir, IdentityFile)
		return &Error{Kind: KindExists, Path: id, Msg: fmt.Sprintf("%s holds a key file (%s) but no store: it may be the only key to a backup of the store, so it was left as it is and nothing was created. "+
			"To use it, put the store (%s) back beside it; to start afresh, first move the key somewhere safe (mv %s %s.old) and run init again", dir, IdentityFile, StoreFile, id, id)}
	}
	return nil
}

// Open unlocks the store in dir. passphrase is asked for only when the identity file is
// passphrase-protected; a wrong one gives a KindWrongPassphrase error and changes nothing.
func Open(dir string, passphrase func() (string, error)) (*Store, error) {
	if !Exists(dir) {
		return nil, &Error{Kind: KindNotFound, Path: dir,
			Msg: fmt.Sprintf("no store in %s: run `gitopscfg init` (or `gitopscfg` for the setup wizard) first", dir)}
	}
	if err := checkDir(dir); err != nil {
		return nil, err
	}
	raw, err := readInDir(filepath.Join(dir, IdentityFile))
	if err != nil {
		return nil, identityReadError(dir, err)
	}
	if isEncryptedIdentity(raw) {
		if passphrase == nil {
			return nil, &Error{Kind: KindWrongPassphrase, Path: dir, Msg: "the store is passphrase-protected: set GITOPSCFG_PASSPHRASE or run on a terminal to be asked"}
		}
		pass, err := passphrase()
		if err != nil {
			return nil, &Error{Kind: KindWrongPassphrase, Path: dir, Msg: "cannot read the passphrase", Err: err}
		}
		if raw, err = decryptIdentity(raw, pass); err != nil {
			return nil, err
		}
	}
	ids, err := age.ParseIdentities(bytes.NewReader(raw))
	if err != nil || len(ids) != 1 {
		return nil, &Error{Kind: KindWrongKey, Path: filepath.Join(dir, IdentityFile),
			Msg: fmt.Sprintf("%s is not a valid key file", filepath.Join(dir, IdentityFile))}
	}
	x, ok := ids[0].(*age.X25519Identity)
	if !ok {
		return nil, &Error{Kind: KindWrongKey, Path: filepath.Join(dir, IdentityFile), Msg: "the key file holds an unsupported key type"}
	}
	s := &Store{dir: dir, identity: x, recipient: x.Recipient(), now: time.Now}
	s.warnings = modeWarnings(dir)
	return s, nil
}

// modeWarnings reports files and directories readable by others.
func modeWarnings(dir string) []string {
	var out []string
	check := func(path string, want fs.FileMode) {
		fi, err := os.Lstat(path)
		// A symbolic link's own mode means nothing (chmod would change its target), and a link in
		// the directory is refused when it is read: no advice about its mode.
		if err == nil && fi.Mode()&fs.ModeSymlink == 0 && fi.Mode().Perm()&^want != 0 {
			out = append(out, fmt.Sprintf("%s has mode %04o; it should be %04o (run: chmod %o %s)", path, fi.Mode().Perm(), want, want, path))
		}
	}
	if fi, err := os.Stat(dir); err == nil && fi.Mode().Perm()&^0o700 != 0 {
		out = append(out, fmt.Sprintf("%s has mode %04o; it should be %04o (run: chmod %o %s)", dir, fi.Mode().Perm(), 0o700, 0o700, dir))
	}
	check(filepath.Join(dir, StoreFile), 0o600)
	check(filepath.Join(dir, IdentityFile), 0o600)
	return out
}
