package cli

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"gitopscfg/config"
	"gitopscfg/forms"
	"gitopscfg/providers"
)

// The kinds of credential on set's command line: --kind names one; a flag of setFlagKinds makes
// the credential of its kind when --kind is not given; each kind's secret has its own flag.

// setFlagKinds are the field flags that belong to one kind of credential: giving one makes the
// credential of that kind.
var setFlagKinds = map[string]string{
	"app-id":          config.CredentialGitHubApp,
	"installation-id": config.CredentialGitHubApp,
	"tenant-id":       config.CredentialServicePrincipal,
	"client-id":       config.CredentialServicePrincipal,
	"authority-url":   config.CredentialServicePrincipal,
}

// kindSecretFlags name the flag that gives the secret of each kind of credential other than a
// token, and what it is.
var kindSecretFlags = map[string][2]string{
	config.CredentialGitHubApp:        {"--app-key", "--app-key FILE (the App's private key)"},
	config.CredentialServicePrincipal: {"--token-stdin", "--token-stdin (the client secret on standard input) or --sp-cert FILE (its certificate and key)"},
}

// maxAppKeyFile bounds the file --app-key reads.
const maxAppKeyFile = 64 * 1024

// addKindFlags declares --kind and --app-key.
func addKindFlags(fl *pflag.FlagSet, opts *setOptions) {
	fl.StringVar(&opts.KindFlag, "kind", "", "the kind of credential: "+strings.Join([]string{config.CredentialToken, config.CredentialGitHubApp, config.CredentialServicePrincipal}, ", ")+" (default: the stored one, or the one the flags given imply)")
	fl.StringVar(&opts.AppKeyFile, "app-key", "", "GitHub App: the PEM file of the App's private key (makes the credential a GitHub App)")
	fl.StringVar(&opts.SPCertFile, "sp-cert", "", "Azure service principal: the PEM file of the certificate registered on the app and its private key, in place of a client secret (makes the credential a service principal)")
}

// checkKindFlags refuses a --kind that names no kind, or that the flags given contradict.
func (opts *setOptions) checkKindFlags() error {
	switch opts.KindFlag {
	case "", config.CredentialToken, config.CredentialGitHubApp, config.CredentialServicePrincipal:
	default:
		return usageErr("--kind %q names no kind of credential: use one of %s, %s, %s", opts.KindFlag,
			config.CredentialToken, config.CredentialGitHubApp, config.CredentialServicePrincipal)
	}
	implied := opts.impliedKinds()
	if len(implied) > 1 {
		return usageErr("the flags given belong to different kinds of credential (%s): give those of one kind", strings.Join(implied, ", "))
	}
	if len(implied) == 1 && opts.KindFlag != "" && opts.KindFlag != implied[0] {
		return usageErr("--kind %s contradicts the flags given, which belong to a credential of kind %s", opts.KindFlag, implied[0])
	}
	return nil
}

// impliedKinds lists the kinds the flags given belong to.
func (opts *setOptions) impliedKinds() []string {
	var kinds []string
	add := func(k string) {
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	for _, f := range opts.Fields {
		if k, ok := setFlagKinds[f.Flag]; ok {
			add(k)
		}
	}
	if opts.AppKeyFile != "" {
		add(config.CredentialGitHubApp)
	}
	if opts.SPCertFile != "" {
		add(config.CredentialServicePrincipal)
	}
	return kinds
}

// applyKind sets c's kind from --kind or the flags given (else it keeps the stored one) and
// returns the kind field as changed when it changed; the provider must take that kind.
func (opts *setOptions) applyKind(c *providers.Credentials) ([]providers.FieldKey, error) {
	kind := opts.KindFlag
	if implied := opts.impliedKinds(); kind == "" && len(implied) == 1 {
		kind = implied[0]
	}
	if kind == "" {
		kind = c.Kind
	}
	if kind == config.CredentialToken {
		kind = ""
	}
	p := opts.Provider
	if !p.TakesKind(kind) {
		return nil, usageErr("%s takes no credential of kind %s: it takes %s", p.Name, kind, strings.Join(p.KindNames(), ", "))
	}
	if kind == c.Kind {
		return nil, nil
	}
	c.Kind = kind
	changed := []providers.FieldKey{providers.FieldKind}
	for _, k := range providers.FieldKeys {
		// A stored field the new kind does not have is cleared: that is a change too.
		if _, ok := p.FieldOf(kind, k); !ok && k != providers.FieldKind && *c.Field(k) != "" {
			changed = append(changed, k)
		}
	}
	return changed, nil
}

// readAppKey reads --app-key's file into c's secret. A GitHub App's secret is its private key:
// --token-stdin does not give it.
func (opts *setOptions) readAppKey(c *providers.Credentials, changed *[]providers.FieldKey) error {
	if c.Kind == config.CredentialGitHubApp && opts.TokenStdin {
		return usageErr("--token-stdin: a GitHub App has no token to give; its secret is its private key: give the .pem file with --app-key FILE")
	}
	if opts.AppKeyFile == "" {
		return nil
	}
	f, err := os.Open(opts.AppKeyFile)
	if err != nil {
		return usageErr("--app-key: cannot read the private key file: %v", err)
	}
	defer func() { _ = f.Close() }()
	b, err := io.ReadAll(io.LimitReader(f, maxAppKeyFile+1))
	if err != nil {
		return usageErr("--app-key: cannot read the private key file: %v", err)
	}
	if len(b) > maxAppKeyFile {
		return usageErr("--app-key: the file is over %d bytes: give the App's .pem file", maxAppKeyFile)
	}
	key, err := forms.AppPrivateKey(string(b))
	if err != nil {
		return usageErr("--app-key %s: %v", opts.AppKeyFile, err)
	}
	c.Token = key
	*changed = append(*changed, providers.FieldToken)
	return nil
}

// missingFlags lists the flags a new credential c of provider p still needs, in the provider's
// field order: the host (a self-hosted-only provider has no default), the organisation, then
// every other required field of c's kind, its secret last.
func missingFlags(p providers.Provider, c providers.Credentials) []string {
	var missing []string
	if c.Host == "" {
		missing = append(missing, "--host")
	}
	if c.Org == "" {
		missing = append(missing, "--org")
	}
	for _, f := range p.Fields {
		switch {
		case !f.AppliesTo(c.Kind) || f.Optional || f.Advanced || *c.Field(f.Key) != "":
		case f.Key == providers.FieldHost || f.Key == providers.FieldOrg || f.Key == providers.FieldToken:
		default:
			missing = append(missing, fieldFlagOf(c.Kind, f.Key))
		}
	}
	if c.Token == "" {
		secret := "--token-stdin (the token on standard input)"
		if s, ok := kindSecretFlags[c.Kind]; ok {
			secret = s[1]
		}
		missing = append(missing, secret)
	}
	return missing
}

// fieldFlagOf is the flag of set that sets field k of a credential of kind.
func fieldFlagOf(kind string, k providers.FieldKey) string {
	if s, ok := kindSecretFlags[kind]; ok && k == providers.FieldToken {
		return s[0]
	}
	if k == providers.FieldKind {
		return "--kind"
	}
	return fieldFlag(k)
}

// readSPCert reads --sp-cert's file (a certificate and its private key, PEM) into c's secret: a
// service principal then signs in with the certificate instead of a client secret.
func (opts *setOptions) readSPCert(c *providers.Credentials, changed *[]providers.FieldKey) error {
	if opts.SPCertFile == "" {
		return nil
	}
	if opts.TokenStdin {
		return usageErr("--sp-cert and --token-stdin both give the service principal's secret: give the certificate (--sp-cert FILE) or a client secret (--token-stdin), not both")
	}
	b, err := readBounded(opts.SPCertFile, maxAppKeyFile)
	if err != nil {
		return usageErr("--sp-cert: cannot read the certificate file: %v", err)
	}
	pemText, err := forms.SPCertificate(string(b))
	if err != nil {
		return usageErr("--sp-cert %s: %v", opts.SPCertFile, err)
	}
	c.Token = pemText
	*changed = append(*changed, providers.FieldToken)
	return nil
}

// readBounded reads the file at path, refusing one over limit bytes.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("the file is over %d bytes: give the certificate and its key only", limit)
	}
	return b, nil
}
