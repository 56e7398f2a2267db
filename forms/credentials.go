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
	field := func(k providers.FieldKey, v *string, check func(string) (string, error)) {
		if _, ok := p.Field(k); !ok {
			*v = ""
			return
		}
		out, err := check(*v)
		if err != nil {
			f, _ := p.Field(k)
			errs = append(errs, &FieldError{Field: k, Label: f.Label, Err: err})
			return
		}
		*v = out
	}
	field(providers.FieldHost, &c.Host, func(s string) (string, error) { return Host(c.Provider, s) })
	field(providers.FieldOrg, &c.Org, func(s string) (string, error) { return Org(c.Provider, s) })
	field(providers.FieldProjectKey, &c.ProjectKey, ProjectKey)
	field(providers.FieldUsername, &c.Username, func(s string) (string, error) { return Username(c.Provider, s) })
	field(providers.FieldToken, &c.Token, Token)
	field(providers.FieldAPIURL, &c.APIURL, APIURL)
	field(providers.FieldCABundle, &c.CABundle, CABundle)
	return c, errors.Join(errs...)
}
