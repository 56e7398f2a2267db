package config

import (
	"encoding/json"
	"fmt"
)

// SchemaBackupFile is where the first save after a migration keeps the store file of the older
// schema, byte for byte (the %d is that schema's version): an older gitopscfg can still read it.
const SchemaBackupFile = "config.age.v%d.bak"

// schema1 is the store content of schema 1: one configuration per provider, keyed by the
// provider's id, and at most one Devtron instance.
type schema1 struct {
	Version   int                    `json:"version"`
	Revision  int64                  `json:"revision"`
	Active    string                 `json:"active,omitempty"`
	Providers map[string]*Credential `json:"providers"`
	Devtron   *Platform              `json:"devtron,omitempty"`
	Audit     []AuditEntry           `json:"audit"`
}

// decodeSchema1 reads schema-1 content as schema 2: each provider's configuration becomes the
// credential named after the provider, the Devtron instance the devtron instance "default", and
// the audit entries name the credential (and the instance) they changed.
func decodeSchema1(plain []byte) (*Data, error) {
	var old schema1
	if err := json.Unmarshal(plain, &old); err != nil {
		return nil, fmt.Errorf("the decrypted content is not valid JSON: %w", err)
	}
	d := &Data{Version: schemaVersion, Revision: old.Revision, Active: old.Active,
		Credentials: make(map[string]*Credential, len(old.Providers)), Audit: old.Audit, migratedFrom: 1}
	for id, c := range old.Providers {
		if c != nil {
			c.Provider = id
		}
		d.Credentials[id] = c
	}
	if old.Devtron != nil {
		d.Platforms = map[string]map[string]*Platform{"devtron": {DefaultInstance: old.Devtron}}
	}
	for i := range d.Audit {
		e := &d.Audit[i]
		switch {
		case e.Action == "devtron-set" || e.Action == "devtron-remove":
			e.Platform, e.Instance = "devtron", DefaultInstance
		case e.Provider != "":
			// Schema 1 named the provider, which was also the configuration's key.
			e.Credential = e.Provider
		}
	}
	return d, nil
}
