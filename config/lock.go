package config

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/gofrs/flock"
)

// lockTimeout bounds how long a save waits for another writer.
const lockTimeout = 30 * time.Second

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
