package config

import (
	"errors"
	"fmt"
)

// ErrorKind classifies store errors, so that callers can react (the UI retries a passphrase,
// offers a reload on a conflict) and the command line picks its exit code.
type ErrorKind int

// The kinds of store errors.
const (
	KindNotFound ErrorKind = iota + 1
	KindExists
	KindWrongKey
	KindWrongPassphrase
	KindCorrupt
	KindConflict
	KindLocked
	KindIO
	// KindNewerVersion: the store was written by a newer gitopscfg; it is intact but this build
	// must neither read nor overwrite it.
	KindNewerVersion
	// KindNotConfigured: the edit names a provider that is not configured.
	KindNotConfigured
	// KindStale: a check result no longer belongs to the stored settings (they changed while it ran).
	KindStale
	// KindInvalid: the edit itself is malformed (a caller's mistake); nothing was changed.
	KindInvalid
)

// Error is a store error with a message written for the admin.
type Error struct {
	Kind ErrorKind
	Path string
	// Credential names the provider(s) the error is about, when there is one.
	Credential string
	Msg        string
	Err        error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrConflict) true for conflicts.
func (e *Error) Is(target error) bool { return target == ErrConflict && e.Kind == KindConflict }

// IsKind reports whether err is a store error of kind k.
func IsKind(err error, k ErrorKind) bool {
	var se *Error
	return errors.As(err, &se) && se.Kind == k
}

// ErrConflict is matched (errors.Is) by every conflicting save.
var ErrConflict = errors.New("conflict")

func conflictError(base, current int64) error {
	return &Error{Kind: KindConflict,
		Msg: fmt.Sprintf("the store changed while you were editing (you started from revision %d, it is now at %d): reload to see the other change, then apply yours again", base, current)}
}

func providerConflictError(id string, base, current int64) error {
	return &Error{Kind: KindConflict,
		Msg: fmt.Sprintf("%s was changed by someone else while you were editing it (you started from revision %d, it was changed at %d): reload to see the other change, then apply yours again", id, base, current)}
}
