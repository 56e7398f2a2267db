package config

import (
	"os"
	"time"
)

// Stamp is what the store file looked like when it was looked at (its modification time and
// size): a different Stamp means another writer (the command line, another session) changed it.
// The zero Stamp means the file could not be looked at.
type Stamp struct {
	mod  time.Time
	size int64
}

// Stamp looks at the store file without reading it; the zero Stamp when it cannot.
func (s *Store) Stamp() Stamp {
	fi, err := os.Stat(s.Path())
	if err != nil {
		return Stamp{}
	}
	return Stamp{mod: fi.ModTime(), size: fi.Size()}
}

// IsZero reports whether the file could not be looked at.
func (st Stamp) IsZero() bool { return st == Stamp{} }
