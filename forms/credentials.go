package forms

import (
	"errors"
	"fmt"
	"strings"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// FieldError is a validation failure of one field.
type FieldError struct {
	Field providers.FieldKey
	Label string
	Err   error
}

func (e *FieldError) Error() string { return fmt.Sprintf("%s: %v", e.Label, e.Err) }
func (e *FieldError) Unwrap() error { return e.Err }

// Credentials validates and normalises every field of c; the error joins one FieldError per bad field.
func Credentials(c providers.Credentials) (providers.Credentials, error) {
	p, err := providers.Lookup(string(c.Provider))
	if err != nil {
		return c, err
	}
	var errs []error
	bad := map[providers.FieldKey]bool{}
	kind, err := checkKind(p, c.Kind)
	if err != nil {
		return c, &FieldError{Field: providers.FieldKind, Label: "Kind", Err: err}
	}
	c.Kind = kind
	for _, k := range providers.FieldKeys {
		if k == providers.FieldKind {
			continue
		}
		v := c.Field(k)
		f, ok := p.FieldOf(kind, k)
		if !ok {
			*v = ""
			continue
		}
		if p.GitOnly() && k == providers.FieldHost {
			continue // derived from the URL below
		}
		out, err := checkKindValue(p.ID, kind, k, *v)
		if err != nil {
			errs = append(errs, &FieldError{Field: k, Label: f.Label, Err: err})
			bad[k] = true
			continue
		}
		*v = out
	}
	if p.GitOnly() {
		// The generic provider's host is its repository URL's (none for ssh://): the token goes there only.
		c.Host = providers.GitServerHost(c.URL)
	}
	// The rules between fields, once each is valid on its own.
	if !bad[providers.FieldHost] && !bad[providers.FieldURLPrefix] {
		if err := underHost(c.URLPrefix, c.Host); err != nil {
			f, _ := p.Field(providers.FieldURLPrefix)
			errs = append(errs, &FieldError{Field: providers.FieldURLPrefix, Label: f.Label, Err: err})
		}
	}
	net := netRules(c.Settings)
	for _, k := range providers.FieldKeys {
		if e := net[k]; e != nil && !bad[k] {
			f, _ := p.Field(k)
			errs = append(errs, &FieldError{Field: k, Label: f.Label, Err: e})
		}
	}
	return c, errors.Join(errs...)
}

// checkKind checks the kind of credential of provider p: one p takes, normalised to "" for a
// token (the kind an empty Kind is).
func checkKind(p providers.Provider, raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == config.CredentialToken {
		s = ""
	}
	if !p.TakesKind(s) {
		return "", fmt.Errorf("%s takes no credential of kind %s: use one of %s", p.Name, shown(s), strings.Join(p.KindNames(), ", "))
	}
	return s, nil
}

// checkKindValue is checkValue for a field of a credential of kind: the secret of a kind other
// than a token follows that kind's rule.
func checkKindValue(id providers.ID, kind string, k providers.FieldKey, raw string) (string, error) {
	if k == providers.FieldToken && kind == config.CredentialGitHubApp {
		return AppPrivateKey(raw)
	}
	if k == providers.FieldToken && kind == config.CredentialServicePrincipal {
		return ServicePrincipalSecret(raw)
	}
	return checkValue(id, k, raw)
}
