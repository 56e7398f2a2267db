package providers

import (
	"time"

	"gitopscfg/config"
)

// FromConfig returns the credentials stored for provider id.
func FromConfig(id ID, p *config.Provider) Credentials {
	if p == nil {
		return Credentials{Provider: id}
	}
	return Credentials{Provider: id, Host: p.Host, Org: p.Org, ProjectKey: p.ProjectKey, Username: p.Username,
		Token: p.Token, APIURL: p.APIURL, CABundle: p.CABundle}
}

// ApplyTo writes the credentials into a stored provider, keeping its check records.
func (c Credentials) ApplyTo(p *config.Provider) {
	p.Host, p.Org, p.ProjectKey, p.Username = c.Host, c.Org, c.ProjectKey, c.Username
	p.Token, p.APIURL, p.CABundle = c.Token, c.APIURL, c.CABundle
}

// Record turns a result into what the store remembers of it.
func (r Result) Record(at time.Time, deep bool) *config.CheckRecord {
	rec := &config.CheckRecord{At: at.UTC(), OK: r.OK, Deep: deep, User: r.User, UserID: r.UserID, ExpiresAt: r.ExpiresAt, DurationMS: r.DurationMS}
	for _, c := range r.Checks {
		rec.Checks = append(rec.Checks, config.CheckStatus{ID: c.ID, Status: string(c.Status), Message: c.Message})
	}
	return rec
}
