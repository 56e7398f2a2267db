package ui

import (
	"gitopscfg/config"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// The picker's rows: the stored credentials under their provider, in the providers' order, and a
// "not configured" row for a provider that has none. Every action on a row acts on its credential
// by name; a provider's id is the name of the credential named after it, so the "not configured"
// row sets up that one.

// entry is one row of the picker: a stored credential of provider p, or p itself when it has none.
type entry struct {
	p    providers.Provider
	name string // the credential's name; "" for a provider with none stored
}

// credential is the name the row's actions act on: its credential's, or for a provider with none
// the name of the credential named after it.
func (e entry) credential() string {
	if e.name == "" {
		return string(e.p.ID)
	}
	return e.name
}

// label names the row's credential in prose (credentialLabel).
func (e entry) label() string { return providers.CredentialLabel(e.credential(), e.p.ID) }

// labelIn names the credential name as d stores it (its name alone when d does not hold it).
func labelIn(d *config.Data, name string) string {
	if d != nil {
		if c := d.Credentials[name]; c != nil {
			return providers.CredentialLabel(name, providers.ID(c.Provider))
		}
	}
	if p, err := providers.Lookup(name); err == nil {
		return p.Name
	}
	return name
}

// nounIn is credentialNoun of the credential name as d stores it.
func nounIn(d *config.Data, name string) string {
	if d != nil {
		if c := d.Credentials[name]; c != nil {
			return providers.CredentialNoun(name, providers.ID(c.Provider))
		}
	}
	return "provider"
}

// entries are the picker's rows for d (usecase.Rows): each provider's stored credentials, or its
// "not configured" row when it has none.
func entries(d *config.Data) []entry {
	var out []entry
	for _, r := range usecase.Rows(d) {
		out = append(out, entry{p: r.Provider, name: r.Name})
	}
	return out
}

// credentialsOf lists the names of d's credentials of provider id, in the picker's order.
func credentialsOf(d *config.Data, id providers.ID) []string {
	var out []string
	if d == nil {
		return nil
	}
	for _, name := range usecase.CredentialNames(d) {
		if providers.ID(d.Credentials[name].Provider) == id {
			out = append(out, name)
		}
	}
	return out
}

// rows are the picker's rows now.
func (p *picker) rows() []entry { return entries(p.data) }

// selected is the row under the cursor.
func (p *picker) selected() entry {
	rows := p.rows()
	return rows[min(max(p.cursor, 0), len(rows)-1)]
}

// choose puts the cursor on the row of credential name (a stored one, or a provider's "not
// configured" row), and reports whether there is one; else the cursor stays where it is, within
// the rows.
func (p *picker) choose(name string) bool {
	rows := p.rows()
	for i, e := range rows {
		if e.credential() == name {
			p.cursor = i
			return true
		}
	}
	p.cursor = min(max(p.cursor, 0), len(rows)-1)
	return false
}

// configured is the stored credential name (nil: none).
func (p *picker) configured(name string) *config.Credential {
	if p.data == nil {
		return nil
	}
	return p.data.Credentials[name]
}

// label names the stored credential name in prose.
func (p *picker) label(name string) string { return labelIn(p.data, name) }

// noun is what prose calls the stored credential name ("provider" or "credential").
func (p *picker) noun(name string) string { return nounIn(p.data, name) }
