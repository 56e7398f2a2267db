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
	for _, k := range providers.FieldKeys {
		v := c.Field(k)
		f, ok := p.Field(k)
		if !ok {
			*v = ""
			continue
		}
		out, err := checkValue(p.ID, k, *v)
		if err != nil {
			errs = append(errs, &FieldError{Field: k, Label: f.Label, Err: err})
			continue
		}
		*v = out
	}
	return c, errors.Join(errs...)
}
