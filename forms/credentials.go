package forms

import (
	"errors"
	"fmt"

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
	for _, k := range providers.FieldKeys {
		v := c.Field(k)
		f, ok := p.Field(k)
		if !ok {
			*v = ""
			continue
		}
		if p.GitOnly() && k == providers.FieldHost {
			continue // derived from the URL below
		}
		out, err := checkValue(p.ID, k, *v)
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
	return c, errors.Join(errs...)
}
