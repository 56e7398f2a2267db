package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"filippo.io/age"
)

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

// keepSchemaBackup keeps the store file of the older schema version it was read as, byte for
// byte, before the first save in the current one; a copy kept before is never replaced.
func (s *Store) keepSchemaBackup(version int) error {
	name := fmt.Sprintf(SchemaBackupFile, version)
	if _, err := os.Lstat(filepath.Join(s.dir, name)); err == nil {
		return nil
	}
	data, err := readInDir(s.Path())
	if err != nil {
		return &Error{Kind: KindIO, Msg: fmt.Sprintf("cannot keep the store of schema version %d before migrating it; nothing was saved", version), Err: err}
	}
	return writeFileExclusive(s.dir, name, data)
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
