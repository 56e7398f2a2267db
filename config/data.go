// Package config owns the credential store: one age-encrypted file holding versioned JSON, its
// key material, atomic crash-safe writes with a backup, the exclusive lock around
// read-modify-write, revisions with conflict detection, and the audit trail.
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"
)

// schemaVersion is the version of the JSON inside the store that this build writes and reads.
const schemaVersion = 1

// maxAudit bounds the audit trail; the oldest entries go first.
const maxAudit = 500

// Data is the plaintext content of the store.
type Data struct {
	Version     int                    `json:"version"`
	Revision    int64                  `json:"revision"`
	Active      string                 `json:"active,omitempty"`
	Credentials map[string]*Credential `json:"providers"`
	// Devtron is the Devtron instance credentials are pushed to (nil: none stored).
	Devtron *Platform    `json:"devtron,omitempty"`
	Audit   []AuditEntry `json:"audit"`
}

// Platform is a stored Platform instance. Token (its API token) is a secret like the Git tokens;
// CABundle is the path of a PEM file for a private CA.
type Platform struct {
	URL       string       `json:"url"`
	Token     string       `json:"token"`
	CABundle  string       `json:"ca_bundle,omitempty"`
	UpdatedAt time.Time    `json:"updated_at"`
	LastCheck *CheckRecord `json:"last_check,omitempty"`
}

// Credential is one provider's stored configuration. Token is the secret.
type Credential struct {
	Settings
	UpdatedAt time.Time `json:"updated_at"`
	// Revision is the store revision at which these settings last changed (check records aside).
	Revision  int64        `json:"revision,omitempty"`
	LastCheck *CheckRecord `json:"last_check,omitempty"`
	LastDeep  *CheckRecord `json:"last_deep,omitempty"`
}

// CheckRecord is the remembered outcome of the last check of a provider. Messages never hold secrets.
type CheckRecord struct {
	At         time.Time     `json:"at"`
	OK         bool          `json:"ok"`
	Deep       bool          `json:"deep"`
	User       string        `json:"user,omitempty"`
	ExpiresAt  *time.Time    `json:"expires_at"`
	DurationMS int64         `json:"duration_ms"`
	Checks     []CheckStatus `json:"checks,omitempty"`

	// UserID is the numeric user id the check learned (GitLab), so that a re-test can send the
	// look-ups that need it at once; the re-test confirms it against the answer.
	UserID int64 `json:"user_id,omitempty"`
}

// CheckStatus is one line of a remembered check.
type CheckStatus struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
}

// AuditEntry records one change: who, when, what (field names, never values).
type AuditEntry struct {
	At         time.Time `json:"at"`
	Revision   int64     `json:"revision,omitempty"`
	Who        string    `json:"who"`
	Action     Action    `json:"action"`
	Credential string    `json:"provider,omitempty"`
	Fields     []string  `json:"fields,omitempty"`
}

// NewData returns an empty store content at revision 0.
func NewData() *Data {
	return &Data{Version: schemaVersion, Credentials: map[string]*Credential{}, Audit: []AuditEntry{}}
}

// Clone returns a deep copy, so that a caller can edit without touching what others hold.
func (d *Data) Clone() *Data {
	c := *d
	c.Credentials = make(map[string]*Credential, len(d.Credentials))
	for k, p := range d.Credentials {
		cp := *p
		cp.LastCheck = p.LastCheck.clone()
		cp.LastDeep = p.LastDeep.clone()
		c.Credentials[k] = &cp
	}
	if d.Devtron != nil {
		dt := *d.Devtron
		dt.LastCheck = d.Devtron.LastCheck.clone()
		c.Devtron = &dt
	}
	c.Audit = slices.Clone(d.Audit)
	return &c
}

func (r *CheckRecord) clone() *CheckRecord {
	if r == nil {
		return nil
	}
	c := *r
	c.Checks = slices.Clone(r.Checks)
	return &c
}

// decode parses and validates the plaintext of a store.
func decode(plain []byte) (*Data, error) {
	var d Data
	if err := json.Unmarshal(plain, &d); err != nil {
		return nil, fmt.Errorf("the decrypted content is not valid JSON: %w", err)
	}
	if d.Credentials == nil {
		d.Credentials = map[string]*Credential{}
	}
	if err := d.validate(); err != nil {
		return nil, err
	}
	if d.Audit == nil {
		d.Audit = []AuditEntry{}
	}
	return &d, nil
}

// errNewerVersion marks content written by a newer schema: it is not damaged, and must not be
// overwritten or "restored" from the backup.
var errNewerVersion = errors.New("newer schema version")

// validate checks what decode requires, so that a save never writes a store that cannot be loaded.
func (d *Data) validate() error {
	switch {
	case d.Version == 0:
		return fmt.Errorf("the decrypted content has no schema version")
	case d.Version > schemaVersion:
		return fmt.Errorf("the store was written by a newer gitopscfg (schema version %d; this one reads %d): upgrade gitopscfg (%w)", d.Version, schemaVersion, errNewerVersion)
	case d.Version < 0:
		return fmt.Errorf("the decrypted content has an invalid schema version %d", d.Version)
	case d.Revision < 0:
		return fmt.Errorf("the decrypted content has an invalid revision %d", d.Revision)
	}
	for k, p := range d.Credentials {
		if p == nil {
			return fmt.Errorf("provider %q has no settings", k)
		}
	}
	if d.Devtron != nil && d.Devtron.URL == "" {
		return fmt.Errorf("the Devtron instance has no URL")
	}
	if d.Active != "" && d.Credentials[d.Active] == nil {
		return fmt.Errorf("the active provider %q is not configured", d.Active)
	}
	return nil
}

// Encode renders the plaintext of a store.
func (d *Data) Encode() ([]byte, error) { return json.Marshal(d) }

// changedFields lists the configuration fields (never check records) that differ between a and b.
func changedFields(a, b *Credential) []string {
	var as, bs Settings
	if a != nil {
		as = a.Settings
	}
	if b != nil {
		bs = b.Settings
	}
	var out []string
	for _, f := range Fields {
		if *as.Ref(f) != *bs.Ref(f) {
			out = append(out, string(f))
		}
	}
	return out
}

// dropStaleChecks forgets the check records of every provider whose settings changed from before
// unless the edit brought new ones: a result belongs to the credentials it tested, and must not
// vouch for new ones that were never checked.
func (d *Data) dropStaleChecks(before *Data) {
	for k, p := range d.Credentials {
		old := before.Credentials[k]
		if old == nil || len(changedFields(old, p)) == 0 {
			continue
		}
		if reflect.DeepEqual(old.LastCheck, p.LastCheck) {
			p.LastCheck = nil
		}
		if reflect.DeepEqual(old.LastDeep, p.LastDeep) {
			p.LastDeep = nil
		}
	}
}

// audit appends the entries describing the change from before to d.
func (d *Data) audit(before *Data, who string, action Action, at time.Time) {
	keys := make([]string, 0, len(d.Credentials)+len(before.Credentials))
	for k := range d.Credentials {
		keys = append(keys, k)
	}
	for k := range before.Credentials {
		if d.Credentials[k] == nil {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		old, cur := before.Credentials[k], d.Credentials[k]
		switch {
		case cur == nil:
			d.Audit = append(d.Audit, AuditEntry{At: at, Revision: d.Revision, Who: who, Action: ActionRemove, Credential: k})
		case old == nil:
			cur.Revision = d.Revision
			d.Audit = append(d.Audit, AuditEntry{At: at, Revision: d.Revision, Who: who, Action: ActionAdd, Credential: k, Fields: changedFields(nil, cur)})
		default:
			if fields := changedFields(old, cur); len(fields) > 0 {
				cur.Revision = d.Revision
				d.Audit = append(d.Audit, AuditEntry{At: at, Revision: d.Revision, Who: who, Action: action, Credential: k, Fields: fields})
			}
		}
	}
	d.auditDevtron(before, who, at)
	switch {
	case d.Active == before.Active:
	case d.Active == "":
		d.Audit = append(d.Audit, AuditEntry{At: at, Revision: d.Revision, Who: who, Action: ActionDeactivate, Credential: before.Active})
	default:
		d.Audit = append(d.Audit, AuditEntry{At: at, Revision: d.Revision, Who: who, Action: ActionActivate, Credential: d.Active})
	}
	if n := len(d.Audit); n > maxAudit {
		d.Audit = slices.Clone(d.Audit[n-maxAudit:])
	}
}

// Audit actions of the Devtron instance.
const (
	ActionDevtronSet    Action = "devtron-set"
	ActionDevtronRemove Action = "devtron-remove"
)

// auditDevtron appends the entry for a change of the Devtron instance (field names only), and
// forgets its check record when the URL, token or CA bundle changed without a new one.
func (d *Data) auditDevtron(before *Data, who string, at time.Time) {
	old, cur := before.Devtron, d.Devtron
	if cur == nil {
		if old != nil {
			d.Audit = append(d.Audit, AuditEntry{At: at, Revision: d.Revision, Who: who, Action: ActionDevtronRemove})
		}
		return
	}
	if old == nil {
		old = &Platform{}
	}
	var fields []string
	for _, f := range []struct {
		name string
		x, y string
	}{{"url", old.URL, cur.URL}, {"token", old.Token, cur.Token}, {"ca_bundle", old.CABundle, cur.CABundle}} {
		if f.x != f.y {
			fields = append(fields, f.name)
		}
	}
	if len(fields) == 0 {
		return
	}
	if reflect.DeepEqual(old.LastCheck, cur.LastCheck) {
		cur.LastCheck = nil
	}
	d.Audit = append(d.Audit, AuditEntry{At: at, Revision: d.Revision, Who: who, Action: ActionDevtronSet, Fields: fields})
}

// Latest is the most recent of p's live check and round trip (nil when it has neither): the
// record every rule about "the last check" reads (the freshness gate before a delivery, status,
// the picker).
func (p *Credential) Latest() *CheckRecord {
	if p == nil {
		return nil
	}
	r := p.LastCheck
	if p.LastDeep != nil && (r == nil || p.LastDeep.At.After(r.At)) {
		r = p.LastDeep
	}
	return r
}
