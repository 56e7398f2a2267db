package cli

import (
	"cmp"
	"fmt"
	"strings"

	"gitopscfg/config"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// A CREDENTIAL argument names a stored credential. A provider's id (or alias) is also the name of
// the credential named after that provider, so `check github` means what it always meant.

// credentialArg reads a CREDENTIAL argument as typed: a provider's id or alias stands for the
// credential named after the provider; any other name must be a valid credential name, and is
// looked up once the store is read (see storedCredential).
func credentialArg(s string) (string, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	if id, ok := aliasOf(name); ok {
		return string(id), nil
	}
	if _, err := providers.Lookup(name); err == nil {
		return name, nil
	}
	if config.ValidName(name) != nil {
		return "", usageErr("%s", unknownCredential(s, nil))
	}
	return name, nil
}

// readCredentialArg reads typed with credentialArg into credential, and keeps typed in as for
// the messages that quote it.
func readCredentialArg(typed string, credential, as *string) error {
	name, err := credentialArg(typed)
	if err != nil {
		return err
	}
	*credential, *as = name, typed
	return nil
}

// storedCredential resolves a name credentialArg read in d: a usage error when d holds no such
// credential, naming the ones it holds (typed is the name as the admin typed it).
func storedCredential(d *config.Data, name, typed string) (*config.Credential, error) {
	if c := d.Credentials[name]; c != nil {
		return c, nil
	}
	if p, err := providers.Lookup(name); err == nil {
		return nil, usageErr("%s is not configured: run `gitopscfg set %s …` first", p.Name, p.ID)
	}
	return nil, usageErr("%s", unknownCredential(typed, d))
}

// loadCredential reads the store and resolves the credential name in it. With no store at all, a
// name that is no provider's is reported as unknown (nothing can be stored under it) rather than
// the missing store.
func loadCredential(open func() (*config.Store, error), name, typed string) (*config.Store, *config.Data, *config.Credential, error) {
	if typed == "" {
		typed = name
	}
	name = strings.ToLower(strings.TrimSpace(name))
	s, d, err := loadStore(open)
	if err != nil {
		return nil, nil, nil, unknownWithoutStore(err, name, typed)
	}
	c, err := storedCredential(d, name, typed)
	return s, d, c, err
}

// unknownWithoutStore turns err, the store's failure to load, into the unknown-credential error
// when there is no store and name is no provider's: nothing can be stored under it.
func unknownWithoutStore(err error, name, typed string) error {
	if _, perr := providers.Lookup(name); perr != nil && config.IsKind(err, config.KindNotFound) {
		return usageErr("%s", unknownCredential(cmp.Or(typed, name), nil))
	}
	return err
}

// loadNamed reads the store for a verb whose CREDENTIAL argument is optional (name "": the
// active one, which the use case resolves); a name given must be stored (see loadCredential).
func loadNamed(open func() (*config.Store, error), name, typed string) (*config.Store, *config.Data, error) {
	if name == "" {
		return loadStore(open)
	}
	s, d, _, err := loadCredential(open, name, typed)
	return s, d, err
}

// unknownCredential says that s names no stored credential, what it may have meant (a stored
// credential, a provider or an alias), and which credentials exist (d nil: none can).
func unknownCredential(s string, d *config.Data) string {
	var stored []string
	if d != nil {
		stored = usecase.CredentialNames(d)
	}
	candidates := append(append([]string{}, stored...), providerNames()...)
	which := "the stored credentials are " + strings.Join(stored, ", ")
	if len(stored) == 0 {
		which = "none is stored; a provider's id names its credential: " + providerIDList()
	}
	msg := fmt.Sprintf("unknown credential %q: ", s)
	if sug := suggest(s, dedupe(candidates)); len(sug) > 0 {
		msg += "did you mean " + orList(sug) + "? " + strings.ToUpper(which[:1]) + which[1:]
		return msg
	}
	return msg + which
}

// providerNames lists the provider ids and their aliases.
func providerNames() []string {
	names := make([]string, 0, len(providers.IDs)+len(aliasNames("")))
	for _, id := range providers.IDs {
		names = append(names, string(id))
	}
	return append(names, aliasNames("")...)
}

// dedupe drops the repeats of names, keeping the first of each.
func dedupe(names []string) []string {
	seen := map[string]bool{}
	out := names[:0:0]
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}
