package providers

import (
	"time"

	"gitopscfg/config"
)

// FromConfig returns the credentials stored for provider id.
func FromConfig(id ID, p *config.Credential) Credentials {
	c := Credentials{Provider: id}
	if p != nil {
		c.Settings = p.Settings
	}
	return c
}

// Record turns a result into what the store remembers of it.
func (r Result) Record(at time.Time, deep bool) *config.CheckRecord {
	rec := &config.CheckRecord{At: at.UTC(), OK: r.OK, Deep: deep, User: r.User, UserID: r.UserID, ExpiresAt: r.ExpiresAt, DurationMS: r.DurationMS}
	for _, c := range r.Checks {
		rec.Checks = append(rec.Checks, config.CheckStatus{ID: c.ID, Status: string(c.Status), Message: c.Message})
	}
	return rec
}
