package cli

import (
	"errors"
	"slices"
	"strings"

	"gitopscfg/config"
	"gitopscfg/forms"
	"gitopscfg/providers"
)

// setField is one field flag given to set.
type setField struct {
	Flag  string
	Key   providers.FieldKey
	Value string
}

// setFieldFlags are set's flags that set one field each, in the order they are applied; the
// token has none (it is read from standard input only).
var setFieldFlags = []struct {
	flag  string
	key   providers.FieldKey
	usage string
}{
	{"host", providers.FieldHost, "Git host URL (default: the provider's public service)"},
	{"org", providers.FieldOrg, "organisation / group ID or path / project / workspace"},
	{"username", providers.FieldUsername, "username (Bitbucket: the Atlassian account e-mail)"},
	{"project-key", providers.FieldProjectKey, "Bitbucket project key (optional)"},
	{"api-url", providers.FieldAPIURL, "REST API base URL, when it cannot be derived from the host"},
	{"ca-bundle", providers.FieldCABundle, "PEM file of a private CA for a self-hosted server"},
	{"url-prefix", providers.FieldURLPrefix, "the URL prefix the Argo CD export claims, under the host (default: the organisation's)"},
	{"app-id", providers.FieldAppID, "GitHub App: the App's ID (makes the credential a GitHub App)"},
	{"installation-id", providers.FieldInstallationID, "GitHub App: its installation's ID (default: the organisation's installation)"},
	{"proxy", providers.FieldProxy, proxyUsage},
	{"proxy-username", providers.FieldProxyUsername, proxyUsernameUsage},
	{"no-proxy", providers.FieldNoProxy, noProxyUsage},
	{"client-cert", providers.FieldClientCert, clientCertUsage},
	{"client-key", providers.FieldClientKey, clientKeyUsage},
	{"tenant-id", providers.FieldTenantID, "Azure service principal: the Microsoft Entra tenant (makes the credential a service principal)"},
	{"client-id", providers.FieldClientID, "Azure service principal: the application (client) ID (makes the credential a service principal)"},
	{"authority-url", providers.FieldAuthorityURL, "Azure service principal: the Entra host, without the tenant (default " + providers.DefaultAuthorityURL + ")"},
	{"repo", providers.FieldRepo, "an existing repository, OWNER/REPO (GitLab: group/sub/repo): the round trip pushes a throw-away branch there instead of creating a repository (\"\" clears it)"},
	{"url", providers.FieldURL, "the repository's URL, https:// or ssh:// (the generic provider, git)"},
	{"ssh-url", providers.FieldSSHURL, "the SSH address ssh://git@host[:port]/ when it cannot be derived from the host"},
}

// invalidLines says why the fields in err are not valid, one line each, naming each field by the
// flag that sets it (--org, --token-stdin) and the token by the provider's own noun, as the
// command line knows them (the shared validators name the form's fields).
func invalidLines(p providers.Provider, err error) []string { return invalidLinesOf(p, "", err) }

// invalidLinesOf is invalidLines for a credential of kind.
func invalidLinesOf(p providers.Provider, kind string, err error) []string {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	tokenLabel := genericTokenNoun
	if f, ok := p.FieldOf(kind, providers.FieldToken); ok {
		tokenLabel = f.Label
	}
	var lines []string
	for _, e := range errs {
		var fe *forms.FieldError
		if !errors.As(e, &fe) {
			lines = append(lines, e.Error())
			continue
		}
		msg := strings.ReplaceAll(fe.Err.Error(), "in the "+tokenLabel+" field", "on standard input (--token-stdin)")
		msg = strings.ReplaceAll(msg, genericTokenNoun, tokenNoun(p.ID))
		lines = append(lines, fieldFlagOf(kind, fe.Field)+": "+msg)
	}
	return lines
}

// fieldFlag is the flag of set that sets field k.
func fieldFlag(k providers.FieldKey) string {
	switch k {
	case providers.FieldToken:
		return "--token-stdin"
	case providers.FieldProxyPassword:
		return "the proxy password (" + proxyPasswordEnv + ")"
	}
	for _, ff := range setFieldFlags {
		if ff.key == k {
			return "--" + ff.flag
		}
	}
	return string(k)
}

// mergeSetFields overlays the given fields (and the token from stdin) on the stored credentials
// and lists the fields the invocation sets.
func mergeSetFields(opts *setOptions, stored *config.Credential) (providers.Credentials, []providers.FieldKey, error) {
	p := opts.Provider
	c := providers.FromConfig(opts.Credential, stored)
	c.Provider = p.ID
	changed, err := opts.applyKind(&c)
	if err != nil {
		return c, nil, err
	}
	for _, f := range opts.Fields {
		if _, ok := p.FieldOf(c.Kind, f.Key); !ok {
			if _, any := p.Field(f.Key); any {
				return c, nil, usageErr("--%s does not apply to a %s credential of kind %s", f.Flag, p.Name, c.CredentialKind())
			}
			return c, nil, usageErr("--%s does not apply to %s", f.Flag, p.Name)
		}
		*c.Field(f.Key) = f.Value
		changed = append(changed, f.Key)
	}
	if err := opts.readAppKey(&c, &changed); err != nil {
		return c, nil, err
	}
	if err := opts.readSPCert(&c, &changed); err != nil {
		return c, nil, err
	}
	more, err := applyNetFlags(opts.runDeps, &c.Settings, changed)
	if err != nil {
		return c, nil, err
	}
	changed = append(changed, more...)
	if changed, err = opts.applySSH(&c, stored, changed); err != nil {
		return c, nil, err
	}
	if opts.TokenStdin {
		noun := tokenNoun(p.ID)
		if c.Kind == config.CredentialServicePrincipal {
			noun = "client secret"
		}
		tok, err := readToken(opts.IO.In, opts.IO.Err, noun)
		if err != nil {
			return c, nil, err
		}
		c.Token = tok
		changed = append(changed, providers.FieldToken)
	}
	if stored == nil {
		if changed, err = completeNew(p, &c, changed); err != nil {
			return c, nil, err
		}
	}
	if len(changed) == 0 {
		return c, nil, usageErr("nothing to set: give at least one of %s", strings.Join(settingFlags(), ", "))
	}
	return c, changed, nil
}

// applySSH applies the SSH flags to c (stored as it is stored) and adds what they changed to
// changed.
func (opts *setOptions) applySSH(c *providers.Credentials, stored *config.Credential, changed []providers.FieldKey) ([]providers.FieldKey, error) {
	if err := opts.SSH.appliesTo(opts.Provider); err != nil {
		return changed, err
	}
	if set, err := opts.SSH.apply(c); err != nil {
		return changed, err
	} else if set {
		keepHostKey(c, stored)
		changed = append(changed, providers.FieldSSHKey, providers.FieldSSHHostKey)
	}
	if (opts.SSH.TrustHostKey != "" || opts.SSH.RegisterKey) && !providers.UsesSSH(*c) {
		return changed, usageErr("--trust-host-key and --register-key apply to a credential with an SSH key: give --ssh-key FILE or --ssh-key-generate")
	}
	if opts.SSH.TrustHostKey != "" && !slices.Contains(changed, providers.FieldSSHHostKey) {
		changed = append(changed, providers.FieldSSHHostKey)
	}
	return changed, nil
}

// completeNew gives a new credential of p the provider's host when none was given, and refuses
// it when it lacks what a credential of its kind needs.
func completeNew(p providers.Provider, c *providers.Credentials, changed []providers.FieldKey) ([]providers.FieldKey, error) {
	if c.Host == "" {
		c.Host = p.DefaultHost
		changed = append(changed, providers.FieldHost)
	}
	missing := missingFlags(p, *c)
	if p.GitOnly() {
		missing = missingFields(p, *c)
	}
	if len(missing) > 0 {
		return changed, usageErr("%s is not configured yet, so it needs %s", p.Name, strings.Join(missing, ", "))
	}
	return changed, nil
}

// settingFlags are the flags that change a setting, as set's usage error lists them.
func settingFlags() []string {
	out := make([]string, 0, len(setFieldFlags)+6)
	for _, f := range setFieldFlags {
		out = append(out, "--"+f.flag)
	}
	return append(out, "--token-stdin", "--kind", "--app-key", "--ssh-key", "--ssh-key-generate", "--trust-host-key", "--sp-cert")
}
