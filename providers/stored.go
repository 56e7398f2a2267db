package providers

import (
	"time"

	"gitopscfg/config"
)

// FromConfig returns the credentials stored for provider id.
func FromConfig(id ID, p *config.Provider) Credentials { return fromSettings(id, p.Settings()) }

// fromSettings returns the credentials of provider id that settings hold. A field's key is its
// setting's name in the store.
func fromSettings(id ID, s config.Settings) Credentials {
	c := Credentials{Provider: id}
	for _, k := range FieldKeys {
		*c.Field(k) = *s.Ref(config.Field(k))
	}
	return c
}

// Settings are the store's form of the credentials.
func (c Credentials) Settings() config.Settings {
	var s config.Settings
	for _, k := range FieldKeys {
		*s.Ref(config.Field(k)) = *c.Field(k)
	}
	return s
}

// ApplyTo writes the credentials into a stored provider, keeping its check records.
func (c Credentials) ApplyTo(p *config.Provider) { p.SetSettings(c.Settings()) }

// Record turns a result into what the store remembers of it.
func (r Result) Record(at time.Time, deep bool) *config.CheckRecord {
	rec := &config.CheckRecord{At: at.UTC(), OK: r.OK, Deep: deep, User: r.User, UserID: r.UserID, ExpiresAt: r.ExpiresAt, DurationMS: r.DurationMS}
	for _, c := range r.Checks {
		rec.Checks = append(rec.Checks, config.CheckStatus{ID: c.ID, Status: string(c.Status), Message: c.Message})
	}
	return rec
}
