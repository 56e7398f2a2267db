package forms

import "gitopscfg/providers"

// FieldHelp is the full help of one field of provider p: what it is and where to find or create it
// (from the registry), an example, and for the token the page where tokens are created and the
// exact scopes to tick. host is the Git host typed so far (empty: the provider's default).
func FieldHelp(p providers.Provider, f providers.Field, host string) string {
	what, where := fieldHelpParts(p, f, host)
	return what + where
}
