// Package config owns the credential store: one age-encrypted file holding versioned JSON, its
// key material, atomic crash-safe writes with a backup, the exclusive lock around
// read-modify-write, revisions with conflict detection, and the audit trail.
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// schemaVersion is the version of the JSON inside the store that this build writes and reads;
// it also reads schema 1 (see schema1.go).
const schemaVersion = 2

// maxAudit bounds the audit trail; the oldest entries go first.
const maxAudit = 500

// Data is the plaintext content of the store.
type Data struct {
	Version  int   `json:"version"`
	Revision int64 `json:"revision"`
	// Active is the name of the active credential ("" none).
	Active string `json:"active,omitempty"`
	// Credentials are the Git credentials, by name.
	Credentials map[string]*Credential `json:"credentials"`
	// Platforms are the platform instances credentials are delivered to, by kind ("devtron"),
	// then by name.
	Platforms map[string]map[string]*Platform `json:"platforms,omitempty"`
	Audit     []AuditEntry                    `json:"audit"`

	// migratedFrom is the older schema version this content was read from (0: the current one):
	// the first save keeps that file as it was (see SchemaBackupFile).
	migratedFrom int
}

// Platform is one stored platform instance: where it answers, its secret (an API token, kept
// like the Git tokens) and the path of a PEM file for a private CA.
type Platform struct {
	URL      string `json:"url"`
	Token    string `json:"token"`
	CABundle string `json:"ca_bundle,omitempty"`
	// Kubeconfig (a path, the file stays the user's), Context and Namespace locate a Kubernetes
	// platform's instance.
	Kubeconfig string    `json:"kubeconfig,omitempty"`
	Context    string    `json:"context,omitempty"`
	Namespace  string    `json:"namespace,omitempty"`
	UpdatedAt  time.Time `json:"updated_at"`
	// Net is how this instance is reached: its own proxy (over the environment's) and client
	// certificate, as a credential's (see Settings).
	Net
	LastCheck *CheckRecord `json:"last_check,omitempty"`
}

// Net is how a platform instance is reached besides its URL and CA bundle: its own proxy (over
// the environment's) and client certificate, with the json names a credential's settings use.
type Net struct {
	Proxy         string `json:"proxy,omitempty"`
	ProxyUsername string `json:"proxy_username,omitempty"`
	ProxyPassword string `json:"proxy_password,omitempty"`
	NoProxy       string `json:"no_proxy,omitempty"`
	ClientCert    string `json:"client_cert,omitempty"`
	ClientKey     string `json:"client_key,omitempty"`
	// ClientCertPath and ClientKeyPath: the client certificate and key kept in place (see
	// Settings).
	ClientCertPath string `json:"client_cert_path,omitempty"`
	ClientKeyPath  string `json:"client_key_path,omitempty"`
}

// HasClientCert reports whether n sets a client certificate, in the store or in place.
func (n Net) HasClientCert() bool {
	return n.ClientCert != "" || n.ClientKey != "" || n.ClientCertPath != "" || n.ClientKeyPath != ""
}

// InPlace reports whether n's client certificate is read from files at each use.
func (n Net) InPlace() bool { return n.ClientCertPath != "" || n.ClientKeyPath != "" }

// Net returns the settings' proxy and client certificate.
func (s Settings) Net() Net {
	return Net{Proxy: s.Proxy, ProxyUsername: s.ProxyUsername, ProxyPassword: s.ProxyPassword,
		NoProxy: s.NoProxy, ClientCert: s.ClientCert, ClientKey: s.ClientKey,
		ClientCertPath: s.ClientCertPath, ClientKeyPath: s.ClientKeyPath}
}

// Credential is one named Git credential of a provider. Token is the secret.
type Credential struct {
	// Provider is the provider's id ("github").
	Provider string `json:"provider"`
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
	At       time.Time `json:"at"`
	Revision int64     `json:"revision,omitempty"`
	Who      string    `json:"who"`
	Action   Action    `json:"action"`
	// Credential names the credential changed, Provider its provider.
	Credential string `json:"credential,omitempty"`
	Provider   string `json:"provider,omitempty"`
	// Platform is the kind of the platform instance changed, Instance its name.
	Platform string   `json:"platform,omitempty"`
	Instance string   `json:"instance,omitempty"`
	Fields   []string `json:"fields,omitempty"`
	// HostKey records a trusted SSH host key replaced by another for the same server.
	HostKey *HostKeyChange `json:"host_key,omitempty"`
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
	c.Platforms = make(map[string]map[string]*Platform, len(d.Platforms))
	for kind, byName := range d.Platforms {
		c.Platforms[kind] = make(map[string]*Platform, len(byName))
		for name, p := range byName {
			cp := *p
			cp.LastCheck = p.LastCheck.clone()
			c.Platforms[kind][name] = &cp
		}
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

// decode parses and validates the plaintext of a store; schema 1 is migrated (see schema1.go).
func decode(plain []byte) (*Data, error) {
	d := &Data{}
	if err := json.Unmarshal(plain, d); err != nil {
		return nil, fmt.Errorf("the decrypted content is not valid JSON: %w", err)
	}
	if d.Version == 1 {
		// Schema 1 keeps its providers under other keys: read it again as what it is.
		var err error
		if d, err = decodeSchema1(plain); err != nil {
			return nil, err
		}
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
	return d, nil
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
	for name, c := range d.Credentials {
		switch {
		case c == nil:
			return fmt.Errorf("credential %q has no settings", name)
		case c.Provider == "":
			return fmt.Errorf("credential %q has no provider", name)
		}
		if err := ValidName(name); err != nil {
			return fmt.Errorf("credential %q: %w", name, err)
		}
	}
	for kind, byName := range d.Platforms {
		for name, p := range byName {
			switch {
			case p == nil:
				return fmt.Errorf("%s instance %q has no settings", kind, name)
			case p.URL == "" && p.Kubeconfig == "":
				// A Kubernetes platform's instance is located by its kubeconfig instead.
				return fmt.Errorf("%s instance %q has no URL", kind, name)
			}
			if err := ValidName(name); err != nil {
				return fmt.Errorf("%s instance %q: %w", kind, name, err)
			}
		}
	}
	if d.Active != "" && d.Credentials[d.Active] == nil {
		return fmt.Errorf("the active credential %q is not configured", d.Active)
	}
	return nil
}

// Encode renders the plaintext of a store.
func (d *Data) Encode() ([]byte, error) { return json.Marshal(d) }

// Instance returns the stored instance of kind named name, and its name; with name "", the one
// named "default", else the only one. It returns "", nil when there is no such instance.
func (d *Data) Instance(kind, name string) (string, *Platform) {
	byName := d.Platforms[kind]
	if name == "" {
		switch {
		case byName[DefaultInstance] != nil:
			name = DefaultInstance
		case len(byName) == 1:
			for n := range byName {
				name = n
			}
		}
	}
	if p := byName[name]; p != nil {
		return name, p
	}
	return "", nil
}

// InstanceNames lists the names of the stored instances of kind, sorted.
func (d *Data) InstanceNames(kind string) []string {
	return slices.Sorted(maps.Keys(d.Platforms[kind]))
}

// DefaultInstance is the name of a platform instance when none is given.
const DefaultInstance = "default"

// MaxNameLen bounds a credential's or an instance's name.
const MaxNameLen = 40

// ValidName checks the name of a credential or a platform instance: lower-case letters, digits
// and '-', starting with a letter or a digit, at most MaxNameLen characters.
func ValidName(name string) error {
	if name == "" {
		return errors.New("the name is empty")
	}
	if len(name) > MaxNameLen {
		return fmt.Errorf("the name is %d characters long; at most %d are allowed", len(name), MaxNameLen)
	}
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		case r == '-' && i > 0:
		default:
			return fmt.Errorf("the name %q may hold only lower-case letters, digits and '-' (not first)", name)
		}
	}
	return nil
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
