package config

import (
	"maps"
	"reflect"
	"slices"
	"time"
)

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
	entry := func(action Action, name string, fields []string) {
		c := d.Credentials[name]
		if c == nil {
			c = before.Credentials[name]
		}
		e := AuditEntry{At: at, Revision: d.Revision, Who: who, Action: action, Credential: name, Fields: fields}
		if c != nil {
			e.Provider = c.Provider
		}
		d.Audit = append(d.Audit, e)
	}
	for _, k := range sortedUnion(d.Credentials, before.Credentials) {
		old, cur := before.Credentials[k], d.Credentials[k]
		switch {
		case cur == nil:
			entry(ActionRemove, k, nil)
		case old == nil:
			cur.Revision = d.Revision
			entry(ActionAdd, k, changedFields(nil, cur))
		default:
			if fields := changedFields(old, cur); len(fields) > 0 {
				cur.Revision = d.Revision
				entry(action, k, fields)
				d.Audit[len(d.Audit)-1].HostKey = hostKeyReplaced(old.SSHHostKey, cur.SSHHostKey)
			}
		}
	}
	d.auditPlatforms(before, who, at)
	switch {
	case d.Active == before.Active:
	case d.Active == "":
		entry(ActionDeactivate, before.Active, nil)
	default:
		entry(ActionActivate, d.Active, nil)
	}
	if n := len(d.Audit); n > maxAudit {
		d.Audit = slices.Clone(d.Audit[n-maxAudit:])
	}
}

// sortedUnion lists the keys of a and b, sorted.
func sortedUnion[V any](a, b map[string]V) []string {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// PlatformAction is the audit action of setting (or, with remove, removing) an instance of kind:
// "devtron-set", "devtron-remove".
func PlatformAction(kind string, remove bool) Action {
	if remove {
		return Action(kind + "-remove")
	}
	return Action(kind + "-set")
}

// auditPlatforms appends the entries for the platform instances changed (field names only), and
// forgets an instance's check record when its URL, token or CA bundle changed without a new one.
func (d *Data) auditPlatforms(before *Data, who string, at time.Time) {
	for _, kind := range sortedUnion(d.Platforms, before.Platforms) {
		for _, name := range sortedUnion(d.Platforms[kind], before.Platforms[kind]) {
			old, cur := before.Platforms[kind][name], d.Platforms[kind][name]
			e := AuditEntry{At: at, Revision: d.Revision, Who: who, Platform: kind, Instance: name}
			if cur == nil {
				e.Action = PlatformAction(kind, true)
				d.Audit = append(d.Audit, e)
				continue
			}
			if old == nil {
				old = &Platform{}
			}
			for _, f := range []struct {
				name string
				x, y string
			}{{"url", old.URL, cur.URL}, {"token", old.Token, cur.Token}, {"ca_bundle", old.CABundle, cur.CABundle},
				{"proxy", old.Proxy, cur.Proxy}, {"proxy_username", old.ProxyUsername, cur.ProxyUsername},
				{"proxy_password", old.ProxyPassword, cur.ProxyPassword}, {"no_proxy", old.NoProxy, cur.NoProxy},
				{"client_cert", old.ClientCert, cur.ClientCert}, {"client_key", old.ClientKey, cur.ClientKey},
				{"client_cert_path", old.ClientCertPath, cur.ClientCertPath}, {"client_key_path", old.ClientKeyPath, cur.ClientKeyPath}} {
				if f.x != f.y {
					e.Fields = append(e.Fields, f.name)
				}
			}
			if len(e.Fields) == 0 {
				continue
			}
			if reflect.DeepEqual(old.LastCheck, cur.LastCheck) {
				cur.LastCheck = nil
			}
			e.Action = PlatformAction(kind, false)
			d.Audit = append(d.Audit, e)
		}
	}
}
