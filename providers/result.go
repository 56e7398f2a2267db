package providers

import (
	"cmp"
	"strings"
	"time"

	"gitopscfg/config"
	"gitopscfg/config/safe"
)

// Status is the outcome of one check.
type Status string

// The four outcomes; a result is OK when none of its checks is Fail.
const (
	Pass Status = "pass"
	Fail Status = "fail"
	Warn Status = "warn"
	Skip Status = "skip"
	// Running marks a round-trip stage that has started and not yet ended. It is progress-only:
	// RunDeep hands it to its progress callback, and it never appears in a finished Result.
	Running Status = "running"
)

// Stable check ids (besides "scope:<name>" for each required scope).
const (
	CheckAuth       = "auth"
	CheckOrg        = "org"
	CheckProjectKey = "project-key"
	CheckExpiry     = "expiry"
	CheckNetwork    = "network"
)

// ScopeCheckID is the check id for a required scope or permission.
func ScopeCheckID(scope string) string { return "scope:" + scope }

// Check is one line of a result: what was checked and what came of it. Messages are written for
// the admin: a failing check says what is missing, why it is needed and where to fix it.
type Check struct {
	ID         string `json:"id"`
	Status     Status `json:"status"`
	Message    string `json:"message"`
	DurationMS *int64 `json:"duration_ms,omitempty"`
	// ExpiresAt is when what the check is about expires (the client certificate).
	ExpiresAt *time.Time `json:"expires_at,omitempty"`

	// Unneeded, set by AddUnneeded, is what the credential cannot do when the check is about a
	// right only creating or deleting repositories needs; Run consumes it (forMode).
	Unneeded string `json:"-"`
}

// Result is the outcome of checking one provider's credentials, as printed by `check --json`.
type Result struct {
	Provider ID `json:"provider"`
	// Credential is the name of the credential tested.
	Credential string `json:"credential"`
	// Kind is the kind of the credential tested (config.CredentialToken, …).
	Kind       string     `json:"kind"`
	Active     bool       `json:"active"`
	OK         bool       `json:"ok"`
	User       string     `json:"user"`
	Host       string     `json:"host"`
	DurationMS int64      `json:"duration_ms"`
	ExpiresAt  *time.Time `json:"expires_at"`
	Checks     []Check    `json:"checks"`
	// Proxy is the proxy the requests went through (scheme://host:port, never its
	// credentials), nil when they went directly.
	Proxy *string `json:"proxy"`

	// UserID is the numeric user id the provider answered with (GitLab), remembered with the
	// check record for the next re-test (see WithKnownUserID); not part of the JSON output.
	UserID int64 `json:"-"`
}

// CredentialName is the name of the credential tested: Credential, or the provider's id for a
// result made without one.
func (r Result) CredentialName() string { return cmp.Or(r.Credential, string(r.Provider)) }

// Add appends a check.
func (r *Result) Add(id string, st Status, format string) {
	r.Checks = append(r.Checks, Check{ID: id, Status: st, Message: format})
}

// Find returns the check with the given id, if present.
func (r *Result) Find(id string) (Check, bool) {
	for _, c := range r.Checks {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}

// Finish computes OK from the checks.
func (r *Result) Finish() {
	r.OK = len(r.Checks) > 0
	for _, c := range r.Checks {
		if c.Status == Fail {
			r.OK = false
		}
	}
}

// Credentials are what an admin enters for one provider. Token is a secret: never print, log or
// wrap it in an error.
type Credentials struct {
	Provider ID
	// Name is the credential's name in the store ("": the provider's id, see CredentialName).
	Name string
	config.Settings
}

// CredentialName is the credential's name: Name, or the provider's id for credentials named
// after their provider.
func (c Credentials) CredentialName() string { return cmp.Or(c.Name, string(c.Provider)) }

// Redact returns s with every occurrence of the token, in every encoding a server may echo it in,
// replaced by a mask (see safe.Redact). Use it on any text that came back from a server or a
// library before it reaches the admin.
// The SSH private key and the client certificate's key are masked too: whole, and each line of
// their PEM body.
func (c Credentials) Redact(s string) string {
	s = safe.Redact(safe.Redact(s, c.Token), c.ProxyPassword)
	for _, key := range []string{c.SSHKey, c.Token, c.ClientKey} {
		if !strings.HasPrefix(strings.TrimSpace(key), "-----BEGIN ") {
			continue // not PEM: masked whole above, or empty
		}
		// A PEM key (an SSH key, a GitHub App's, a service principal certificate's) line by line.
		s = strings.ReplaceAll(s, strings.TrimSpace(key), safe.Mask)
		for line := range strings.SplitSeq(key, "\n") {
			if line = strings.TrimSpace(line); len(line) >= 16 && !strings.HasPrefix(line, "-----") {
				s = strings.ReplaceAll(s, line, safe.Mask)
			}
		}
	}
	return s
}

// Seal makes text that may hold what a server sent fit to leave the providers package: the
// token masked in every form, then control, bidi and invisible characters escaped.
func (c Credentials) Seal(s string) string { return safe.Text(c.Redact(s)) }

// Sealed returns the check with its id and message sealed (see Credentials.Seal).
func (ch Check) Sealed(c Credentials) Check {
	ch.ID, ch.Message = c.Seal(ch.ID), c.Seal(ch.Message)
	return ch
}

// Sealed returns a copy of r whose every string is sealed (see Credentials.Seal): Run and
// RunDeep hand out only sealed results, whatever the checkers put in them.
func (r Result) Sealed(c Credentials) Result {
	r.User, r.Host = c.Seal(r.User), c.Seal(r.Host)
	checks := make([]Check, len(r.Checks))
	for i, ch := range r.Checks {
		checks[i] = ch.Sealed(c)
	}
	if r.Checks != nil {
		r.Checks = checks
	}
	return r
}
