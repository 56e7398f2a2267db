package providers

import (
	"time"

	"gitopscfg/config"
)

// FromConfig returns the credential stored under name (nil p: an empty credential of the
// provider named name).
func FromConfig(name string, p *config.Credential) Credentials {
	if p == nil {
		return Credentials{Provider: ID(name), Name: name}
	}
	return Credentials{Provider: ID(p.Provider), Name: name, Settings: p.Settings}
}

// Record turns a result into what the store remembers of it.
func (r Result) Record(at time.Time, deep bool) *config.CheckRecord {
	rec := &config.CheckRecord{At: at.UTC(), OK: r.OK, Deep: deep, User: r.User, UserID: r.UserID, ExpiresAt: r.ExpiresAt, DurationMS: r.DurationMS}
	for _, c := range r.Checks {
		rec.Checks = append(rec.Checks, config.CheckStatus{ID: c.ID, Status: string(c.Status), Message: c.Message})
	}
	return rec
}

// Warnings counts the checks of a remembered check that passed with a warning (0 for nil).
func Warnings(r *config.CheckRecord) int {
	if r == nil {
		return 0
	}
	n := 0
	for _, c := range r.Checks {
		if c.Status == string(Warn) {
			n++
		}
	}
	return n
}
