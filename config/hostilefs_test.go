package config

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestInitKeepsLoneIdentity: an identity.txt without config.age may be the only key to a backup
// of the store; init refuses, keeps it byte for byte, and says how to go on.
func TestInitKeepsLoneIdentity(t *testing.T) {
	s, dir := newStore(t)
	setProvider(t, s, "github", Credential{Settings: Settings{Host: "https://github.com/", Org: "acme", Token: canary}})
	for _, f := range []string{StoreFile, BackupFile} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
	before := snapshot(t, dir)
	for _, pass := range []string{"", "a long passphrase"} {
		_, err := Init(dir, pass)
		if !IsKind(err, KindExists) {
			t.Fatalf("Init beside a lone key file: %v, want KindExists", err)
		}
		for _, want := range []string{IdentityFile, "left as it is", "mv ", "init again", StoreFile} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("message %q lacks %q", err, want)
			}
		}
		assertUnchanged(t, before, snapshot(t, dir))
	}
}

// TestInitSharedDirectory: a directory others can write to (/tmp, mode 1777) or that belongs to
// someone else is refused and left exactly as it was (mode included); a missing directory is
// created 0700.
func TestInitSharedDirectory(t *testing.T) {
	shared := filepath.Join(t.TempDir(), "tmp")
	if err := os.Mkdir(shared, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	_, err := Init(shared, "")
	if err == nil {
		t.Fatal("Init in a mode-1777 directory succeeded")
	}
	for _, want := range []string{"1777", "written by other users", filepath.Join(shared, "gitopscfg"), "nothing was changed"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	fi, _ := os.Stat(shared)
	if fi.Mode()&os.ModeSticky == 0 || fi.Mode().Perm() != 0o777 {
		t.Errorf("shared dir mode changed to %v", fi.Mode())
	}
	if ents, _ := os.ReadDir(shared); len(ents) != 0 {
		t.Errorf("files left in the shared dir: %v", ents)
	}
	// The advised subdirectory works and is created 0700.
	sub := filepath.Join(shared, "gitopscfg")
	if _, err := Init(sub, ""); err != nil {
		t.Fatal(err)
	}
	if got := mode(t, sub); got != 0o700 {
		t.Errorf("created dir mode %04o, want 0700", got)
	}
	// Open refuses a store whose directory became writable by others: they could swap the key.
	_ = os.Chmod(sub, 0o777)
	if _, err := Open(sub, nil); err == nil || !strings.Contains(err.Error(), "written by other users") {
		t.Errorf("Open of a world-writable store dir: %v", err)
	}
	// Group-writable is refused as well.
	gw := filepath.Join(t.TempDir(), "gw")
	if err := os.Mkdir(gw, 0o700); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(gw, 0o770)
	if _, err := Init(gw, ""); err == nil {
		t.Error("Init in a group-writable dir succeeded")
	}
	if got := mode(t, gw); got != 0o770 {
		t.Errorf("group-writable dir chmod'ed to %04o", got)
	}
}

// TestInitForeignOwner: a directory that belongs to another user is refused (root only can make one).
func TestInitForeignOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a directory to another user")
	}
	dir := filepath.Join(t.TempDir(), "theirs")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	_, err := Init(dir, "")
	if err == nil || !strings.Contains(err.Error(), "belongs to another user (uid 65534)") {
		t.Fatalf("Init in another user's dir: %v", err)
	}
}

// TestSymlinksInsideNotFollowed: a link planted as .lock, config.age, identity.txt or
// recipient.txt is refused with a message naming it, and nothing is created or read through it.
func TestSymlinksInsideNotFollowed(t *testing.T) {
	for _, name := range []string{lockFile, StoreFile, BackupFile, IdentityFile} {
		t.Run(name, func(t *testing.T) {
			s, dir := newStore(t)
			setProvider(t, s, "github", Credential{Settings: Settings{Host: "https://github.com/", Org: "acme", Token: canary}})
			outside := filepath.Join(t.TempDir(), "outside")
			p := filepath.Join(dir, name)
			if name != lockFile {
				// Point the link at a faithful copy: following it would "work", so only the refusal
				// tells that it was not followed.
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(outside, b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			_ = os.Remove(p)
			if err := os.Symlink(outside, p); err != nil {
				t.Fatal(err)
			}
			var err error
			switch name {
			case lockFile, StoreFile:
				_, err = s.Update(context.Background(), "t", "set", -1, func(d *Data) error { d.Active = "github"; return nil })
			case BackupFile:
				_, err = s.loadFile(p)
			case IdentityFile:
				_, err = Open(dir, nil)
			}
			if err == nil {
				t.Fatalf("%s as a symlink: no error", name)
			}
			if !strings.Contains(err.Error(), "symbolic link") || !strings.Contains(err.Error(), p) {
				t.Errorf("message %q does not name the link %s", err, p)
			}
			if name == lockFile {
				if _, err := os.Lstat(outside); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("the lock link created %s outside the config directory", outside)
				}
			}
		})
	}
}

// TestFifoInPlaceOfStore: a named pipe in place of a store file is refused at once, never waited on.
func TestFifoInPlaceOfStore(t *testing.T) {
	s, dir := newStore(t)
	p := filepath.Join(dir, StoreFile)
	_ = os.Remove(p)
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := s.Load()
	if err == nil || !strings.Contains(err.Error(), "named pipe") {
		t.Fatalf("Load of a FIFO: %v", err)
	}
}

// TestSymlinkedConfigDirFollowed: the directory itself may be a link (documented), as long as
// what it points to is private.
func TestSymlinkedConfigDirFollowed(t *testing.T) {
	_, dir := newStore(t)
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	s, err := Open(link, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(); err != nil {
		t.Fatal(err)
	}
}
