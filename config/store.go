package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"
	"github.com/gofrs/flock"
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

// lockTimeout bounds how long a save waits for another writer.
const lockTimeout = 30 * time.Second

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

// Update runs a read-modify-write under the store's exclusive lock. base is the revision the
// caller's edit started from; if the store has moved on since, nothing is written and a
// KindConflict error is returned. base AnyRevision means "apply to whatever is current" (the edit
// function then sees the current content, so no update is lost). who and action go to the audit
// trail, with the names of the fields that changed. It returns the saved content.
func (s *Store) Update(ctx context.Context, who string, action Action, base int64, edit func(*Data) error) (*Data, error) {
	return s.update(ctx, who, action, func(cur *Data) error {
		if base != AnyRevision && cur.Revision != base {
			return conflictError(base, cur.Revision)
		}
		return nil
	}, edit)
}

// UpdateProvider is Update for an edit of one provider that started at revision base: it
// conflicts only when that provider's settings changed (or it was removed) after base, so admins
// editing different providers at the same time never get in each other's way.
func (s *Store) UpdateProvider(ctx context.Context, who string, action Action, id string, base int64, edit func(*Data) error) (*Data, error) {
	return s.update(ctx, who, action, func(cur *Data) error {
		if p := cur.Credentials[id]; p != nil && p.Revision > base {
			return providerConflictError(id, base, p.Revision)
		}
		if cur.Credentials[id] == nil && removedAfter(cur, id, base) {
			return providerConflictError(id, base, cur.Revision)
		}
		return nil
	}, edit)
}

// removedAfter reports whether the audit trail shows provider id removed after revision base.
func removedAfter(d *Data, id string, base int64) bool {
	for _, e := range d.Audit {
		if e.Credential == id && e.Action == ActionRemove && e.Revision > base {
			return true
		}
	}
	return false
}

func (s *Store) update(ctx context.Context, who string, action Action, check func(cur *Data) error, edit func(*Data) error) (*Data, error) {
	s.saving.RLock()
	defer s.saving.RUnlock()
	if s.drained {
		return nil, &Error{Kind: KindIO, Path: s.dir, Msg: "gitopscfg is shutting down; nothing was saved"}
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	s.removeStaleTemps()
	cur, err := s.loadCurrent()
	if err != nil {
		return nil, err
	}
	if err := check(cur); err != nil {
		return nil, err
	}
	next := cur.Clone()
	if err := edit(next); err != nil {
		return nil, err
	}
	next.Version = schemaVersion
	next.Revision = cur.Revision + 1
	next.dropStaleChecks(cur)
	if err := next.validate(); err != nil {
		return nil, fmt.Errorf("refusing to save a store that could not be read back; nothing was changed: %w", err)
	}
	next.audit(cur, who, action, s.now().UTC())
	// A save that only records check results changes no settings: the backup keeps the store as
	// it was before the last change of settings, which a re-test from cron every few minutes
	// would otherwise push out at once.
	if err := s.write(next, !onlyChecksChanged(cur, next)); err != nil {
		return nil, err
	}
	return next, nil
}

// onlyChecksChanged reports whether next differs from cur in nothing but the check records
// (providers' and Devtron's) and the revision.
func onlyChecksChanged(cur, next *Data) bool {
	return reflect.DeepEqual(withoutChecks(cur), withoutChecks(next))
}

// withoutChecks is a shallow copy of d without its check records and revision.
func withoutChecks(d *Data) *Data {
	c := *d
	c.Revision = 0
	c.Credentials = make(map[string]*Credential, len(d.Credentials))
	for k, p := range d.Credentials {
		if p != nil {
			cp := *p
			cp.LastCheck, cp.LastDeep = nil, nil
			p = &cp
		}
		c.Credentials[k] = p
	}
	if d.Devtron != nil {
		dt := *d.Devtron
		dt.LastCheck = nil
		c.Devtron = &dt
	}
	return &c
}

func (s *Store) lock(ctx context.Context) (func(), error) {
	path := filepath.Join(s.dir, lockFile)
	// O_NOFOLLOW: a link planted as .lock never makes gitopscfg create or open a file elsewhere.
	fl := flock.New(path, flock.SetPermissions(0o600), flock.SetFlag(os.O_CREATE|os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_CLOEXEC))
	ctx, cancel := context.WithTimeout(ctx, lockTimeout)
	defer cancel()
	ok, err := fl.TryLockContext(ctx, 5*time.Millisecond)
	if err != nil && (errors.Is(err, syscall.ELOOP) || isSymlink(path)) {
		return nil, symlinkError(path)
	}
	if err != nil || !ok {
		return nil, &Error{Kind: KindLocked, Path: s.dir, Msg: "another gitopscfg is writing the store and did not finish in time; try again", Err: err}
	}
	return func() { _ = fl.Unlock() }, nil
}

// removeStaleTemps deletes temp files a writer killed mid-save left behind; it runs under the
// lock, when no other writer can be mid-save.
func (s *Store) removeStaleTemps() {
	stale, _ := filepath.Glob(filepath.Join(s.dir, "."+StoreFile+".tmp-*"))
	for _, p := range stale {
		_ = os.Remove(p)
	}
}

// write encrypts d and replaces the store file atomically, keeping the previous file as the
// backup when backup is true; the new file is remembered (seen).
func (s *Store) write(d *Data, backup bool) error {
	plain, err := d.Encode()
	if err != nil {
		return &Error{Kind: KindIO, Msg: "cannot encode the store", Err: err}
	}
	var buf bytes.Buffer
	buf.Grow(len(plain) + 256)
	w, err := age.Encrypt(&buf, s.recipient)
	if err == nil {
		_, err = w.Write(plain)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return &Error{Kind: KindIO, Msg: "cannot encrypt the store", Err: err}
	}
	if backup {
		if err := s.keepBackup(); err != nil {
			return err
		}
	}
	if err := writeFileAtomic(s.dir, StoreFile, buf.Bytes()); err != nil {
		return err
	}
	s.seen.remember(buf.Bytes(), d)
	return nil
}

// keepBackup makes config.age.bak the current store file (a hard link: no copy, and atomic),
// before a save that changes settings.
func (s *Store) keepBackup() error {
	cur := s.Path()
	tmp := filepath.Join(s.dir, "."+BackupFile+".tmp")
	_ = os.Remove(tmp)
	if err := os.Link(cur, tmp); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		data, rerr := readInDir(cur)
		if rerr != nil {
			return &Error{Kind: KindIO, Msg: "cannot keep a backup of the store", Err: rerr}
		}
		return writeFileAtomic(s.dir, BackupFile, data)
	}
	if err := os.Rename(tmp, filepath.Join(s.dir, BackupFile)); err != nil {
		return &Error{Kind: KindIO, Msg: "cannot keep a backup of the store", Err: err}
	}
	return nil
}

// writeFileAtomic writes data to dir/name so that a crash at any instant leaves the old or the new
// file: temp file in the same directory, fsync, rename, fsync the directory. The temp file is
// created with O_CREATE|O_EXCL (os.CreateTemp), which fails on any existing name, a planted link
// included; the rename
// replaces a link at dir/name, never its target.
func writeFileAtomic(dir, name string, data []byte) error {
	return writeFile(dir, name, data, false)
}

// writeFileExclusive is writeFileAtomic that fails when dir/name exists (a link included).
func writeFileExclusive(dir, name string, data []byte) error {
	return writeFile(dir, name, data, true)
}

func writeFile(dir, name string, data []byte, exclusive bool) error {
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return &Error{Kind: KindIO, Path: dir, Msg: "cannot write in the config directory", Err: err}
	}
	tmp := f.Name()
	fail := func(err error) error {
		_ = f.Close()
		_ = os.Remove(tmp)
		return &Error{Kind: KindIO, Path: filepath.Join(dir, name), Msg: "cannot write " + name + " (the previous version is intact)", Err: err}
	}
	if err := f.Chmod(0o600); err != nil {
		return fail(err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	if exclusive {
		// link(2) fails if the name exists and never follows a link there.
		err = os.Link(tmp, filepath.Join(dir, name))
		_ = os.Remove(tmp)
		if errors.Is(err, fs.ErrExist) {
			return &Error{Kind: KindExists, Path: filepath.Join(dir, name), Msg: filepath.Join(dir, name) + " appeared meanwhile; it was left as it is and nothing was created"}
		}
	} else {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		_ = os.Remove(tmp)
		return &Error{Kind: KindIO, Path: filepath.Join(dir, name), Msg: "cannot replace " + name + " (the previous version is intact)", Err: err}
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.OpenFile(dir, os.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return &Error{Kind: KindIO, Path: dir, Msg: "cannot open the config directory", Err: err}
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !strings.Contains(err.Error(), "invalid argument") {
		return &Error{Kind: KindIO, Path: dir, Msg: "cannot flush the config directory", Err: err}
	}
	return nil
}
