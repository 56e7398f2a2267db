package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// What the store follows and what it does not:
//
//   - The config directory itself may be reached through symbolic links (a dotfiles checkout, a
//     mounted volume): it is resolved by the operating system like any path. What it resolves to
//     must be a directory owned by the user running gitopscfg that no one else can write to
//     (checkDir); otherwise another user could swap the key file or the store under us.
//   - The files inside it (config.age, its backup, identity.txt, recipient.txt, .lock and the
//     temp files) are never followed: each is opened with O_NOFOLLOW, so a symbolic link planted
//     in place of one is refused with a message naming it, and no file is ever created or read
//     outside the directory through one. Renames replace a link, never its target.

// maxFileBytes bounds what is read from a store file: a store holds a few kilobytes of settings
// (the audit trail is capped), so anything far larger is not a store.
const maxFileBytes = 64 << 20

// noFollowRead are the flags every read of a file in the config directory uses: no symbolic
// link, and no blocking open of a FIFO planted in place of a file.
const noFollowRead = os.O_RDONLY | syscall.O_NOFOLLOW | syscall.O_NONBLOCK | syscall.O_CLOEXEC

// openInDir opens dir/name (or the full path) for reading without following a symbolic link,
// and refuses anything but a regular file.
func openInDir(path string) (*os.File, error) {
	f, err := os.OpenFile(path, noFollowRead, 0)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) || isSymlink(path) {
			return nil, symlinkError(path)
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, &Error{Kind: KindIO, Path: path,
			Msg: fmt.Sprintf("%s is not a regular file (%s); the store's files must be plain files: move it away", path, FileKind(fi.Mode()))}
	}
	return f, nil
}

// readInDir reads a file of the config directory (see openInDir), at most maxFileBytes.
func readInDir(path string) ([]byte, error) {
	f, err := openInDir(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxFileBytes {
		return nil, &Error{Kind: KindCorrupt, Path: path, Msg: fmt.Sprintf("%s is larger than %d MiB: it is not a gitopscfg file; it was left as it is", path, maxFileBytes>>20)}
	}
	return b, nil
}

func isSymlink(path string) bool {
	fi, err := os.Lstat(path)
	return err == nil && fi.Mode()&fs.ModeSymlink != 0
}

func symlinkError(path string) error {
	target, _ := os.Readlink(path)
	return &Error{Kind: KindIO, Path: path,
		Msg: fmt.Sprintf("%s is a symbolic link (to %q): gitopscfg never follows links inside the config directory; replace it with the file itself (or remove it) and run again", path, target)}
}

// FileKind names what a file that is not a regular file is, in words ("a named pipe (FIFO)",
// "a character device", …), for the messages that refuse it.
func FileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "of mode " + m.String()
}

// checkDir refuses a config directory another user could change: owned by someone else, or
// writable by group or others (a shared directory such as /tmp, mode 1777). A directory that is
// only readable by others is used, with a warning (modeWarnings).
func checkDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return &Error{Kind: KindIO, Path: dir, Msg: "cannot use the config directory", Err: err}
	}
	if !fi.IsDir() {
		return &Error{Kind: KindIO, Path: dir, Msg: fmt.Sprintf("%s is not a directory (%s): give a directory as --config-dir", dir, FileKind(fi.Mode()))}
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if ok && int(st.Uid) != os.Geteuid() {
		return &Error{Kind: KindIO, Path: dir,
			Msg: fmt.Sprintf("the config directory %s belongs to another user (uid %d): the store needs a directory of its own that only you can change; use a new directory, e.g. --config-dir %s (gitopscfg creates it 0700); nothing was changed", dir, st.Uid, suggestSubdir(dir))}
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return &Error{Kind: KindIO, Path: dir,
			Msg: fmt.Sprintf("the config directory %s can be written by other users (mode %s): the store needs a directory of its own that only you can change; use a new directory, e.g. --config-dir %s (gitopscfg creates it 0700), or run chmod 700 %s if it is yours alone; nothing was changed", dir, modeString(fi.Mode()), suggestSubdir(dir), dir)}
	}
	return nil
}

func suggestSubdir(dir string) string { return filepath.Join(dir, "gitopscfg") }

// modeString prints a mode as chmod takes it, with the sticky bit (1777 for /tmp).
func modeString(m fs.FileMode) string {
	n := uint32(m.Perm())
	if m&fs.ModeSticky != 0 {
		n |= 0o1000
	}
	if m&fs.ModeSetgid != 0 {
		n |= 0o2000
	}
	if m&fs.ModeSetuid != 0 {
		n |= 0o4000
	}
	return fmt.Sprintf("%04o", n)
}
