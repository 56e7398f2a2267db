package providers

import (
	"fmt"
	"regexp"
	"strings"

	"gitopscfg/assets"
	"gitopscfg/config"
)

// FieldKey names one input of a provider's form: a credential's setting (see config.Settings),
// by its name in the store and the audit trail.
type FieldKey = config.Field

// The fields a provider configuration is made of.
const (
	FieldHost       = config.FieldHost
	FieldOrg        = config.FieldOrg
	FieldProjectKey = config.FieldProjectKey
	FieldUsername   = config.FieldUsername
	FieldToken      = config.FieldToken
	FieldAPIURL     = config.FieldAPIURL
	FieldCABundle   = config.FieldCABundle
	FieldURLPrefix  = config.FieldURLPrefix

	FieldKind           = config.FieldKind
	FieldAppID          = config.FieldAppID
	FieldInstallationID = config.FieldInstallationID
	FieldProxy          = config.FieldProxy
	FieldProxyUsername  = config.FieldProxyUsername
	FieldProxyPassword  = config.FieldProxyPassword
	FieldNoProxy        = config.FieldNoProxy
	FieldClientCert     = config.FieldClientCert
	FieldClientKey      = config.FieldClientKey

	FieldTenantID     = config.FieldTenantID
	FieldClientID     = config.FieldClientID
	FieldAuthorityURL = config.FieldAuthorityURL
	FieldRepo         = config.FieldRepo

	FieldURL        = config.FieldURL
	FieldSSHKey     = config.FieldSSHKey
	FieldSSHURL     = config.FieldSSHURL
	FieldSSHHostKey = config.FieldSSHHostKey
	FieldSSHKeyRef  = config.FieldSSHKeyRef

	FieldClientCertPath = config.FieldClientCertPath
	FieldClientKeyPath  = config.FieldClientKeyPath
)

// FieldKeys lists every field key, in the order forms show them and errors name them.
var FieldKeys = config.Fields

// Field describes one form input of one provider: its label (as Devtron names it), its help, and
// the provider's own rule for its value.
type Field struct {
	Key         FieldKey
	Label       string
	Placeholder string
	// Help says what the field is, where to find or create it and, for the token, which scopes to tick.
	Help     string
	Example  string
	Optional bool
	Secret   bool
	Advanced bool
	// NotInPlainPrompts: the plain prompts (--accessible) do not ask it, so that their answers,
	// which scripts pipe in a fixed order, keep their places; `set`'s flag sets it.
	NotInPlainPrompts bool
	// CommandLineOnly: the forms do not show it (a PEM file's content is no line to type); `set`'s
	// flag sets it.
	CommandLineOnly bool
	// Check is the provider's own rule for the field, nil when it has none. The forms package
	// applies it after the rules every field of the key's kind follows (a host is an absolute
	// URL, a token has no whitespace, …), to the trimmed value when it is not empty; it returns
	// the value normalised, or an error that says what is wrong and what to enter instead.
	Check func(string) (string, error)
	// Empty, when set, is the error for an empty value of a required field, in place of the
	// kind's.
	Empty string
	// Kinds are the kinds of credential the field belongs to (config.CredentialToken, …); nil:
	// every kind. A provider may have two fields of one key for two kinds (the token of a token,
	// the private key of a GitHub App).
	Kinds []string
}

// AppliesTo reports whether the field belongs to credentials of kind ("" is a token).
func (f Field) AppliesTo(kind string) bool {
	if f.Kinds == nil {
		return true
	}
	if kind == "" {
		kind = config.CredentialToken
	}
	for _, k := range f.Kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// Field returns where the value of field k lives in c (nil for an unknown key).
func (c *Credentials) Field(k FieldKey) *string { return c.Ref(k) }

// The field constructors below build the fields every provider has, each with its key. Every
// field's help (assets/help/<provider>.txt) answers three questions: what it is, where to find or
// create it, and (for tokens) exactly which scopes to tick. Labels follow Devtron's GitOps page.

func hostField(label, placeholder, example, help string) Field {
	return Field{Key: FieldHost, Label: label, Placeholder: placeholder, Example: example, Help: help}
}

func orgField(label, example, help string, check func(string) (string, error)) Field {
	return Field{Key: FieldOrg, Label: label, Example: example, Help: help, Check: check}
}

func usernameField(help, example string) Field {
	return Field{Key: FieldUsername, Label: "Username", Help: help, Example: example}
}

func tokenField(label, help string) Field {
	return Field{Key: FieldToken, Label: label, Help: help, Secret: true}
}

// advancedFields are the optional fields every provider has, for self-hosted servers.
var advancedFields = []Field{
	{Key: FieldAPIURL, Label: "API URL", Optional: true, Advanced: true,
		Help: assets.FieldHelp("advanced", "api_url")},
	{Key: FieldCABundle, Label: "CA bundle", Optional: true, Advanced: true, Example: "/etc/ssl/certs/corp-ca.pem",
		Help: assets.FieldHelp("advanced", "ca_bundle")},
}

// netFields are how a credential's requests reach its server through a corporate network: a
// proxy and a client certificate (see Transport). Only the proxy's address is a plain prompt.
var netFields = []Field{
	{Key: FieldProxy, Label: "Proxy", Optional: true, Advanced: true, Example: "http://proxy.corp:3128",
		Help: assets.FieldHelp("advanced", "proxy")},
	{Key: FieldProxyUsername, Label: "Proxy username", Optional: true, Advanced: true, NotInPlainPrompts: true,
		Help: assets.FieldHelp("advanced", "proxy_username")},
	{Key: FieldProxyPassword, Label: "Proxy password", Optional: true, Advanced: true, Secret: true, NotInPlainPrompts: true,
		Help: assets.FieldHelp("advanced", "proxy_password")},
	{Key: FieldNoProxy, Label: "No proxy for", Optional: true, Advanced: true, NotInPlainPrompts: true, Example: "git.corp.example,10.0.0.0/8",
		Help: assets.FieldHelp("advanced", "no_proxy")},
	{Key: FieldClientCert, Label: "Client certificate", Optional: true, Advanced: true, NotInPlainPrompts: true, CommandLineOnly: true,
		Help: assets.FieldHelp("advanced", "client_cert")},
	{Key: FieldClientKey, Label: "Client key", Optional: true, Advanced: true, Secret: true, NotInPlainPrompts: true, CommandLineOnly: true,
		Help: assets.FieldHelp("advanced", "client_key")},
	{Key: FieldClientCertPath, Label: "Client certificate file (in place)", Optional: true, Advanced: true, NotInPlainPrompts: true,
		Example: "/etc/gitops/tls/tls.crt", Help: assets.FieldHelp("advanced", "client_cert_path")},
	{Key: FieldClientKeyPath, Label: "Client key file (in place)", Optional: true, Advanced: true, NotInPlainPrompts: true,
		Example: "/etc/gitops/tls/tls.key", Help: assets.FieldHelp("advanced", "client_key_path")},
}

// withAdvanced appends the advanced fields and the network fields to a provider's own.
func withAdvanced(fields ...Field) []Field {
	return append(append(fields, advancedFields...), netFields...)
}

// urlPrefixField is the optional override of the URL prefix the Argo CD export claims, with the
// provider's own example and help; every provider has it, after the other advanced fields.
func urlPrefixField(example, help string) Field {
	return Field{Key: FieldURLPrefix, Label: "Argo CD URL prefix", Optional: true, Advanced: true, Example: example, Help: help,
		NotInPlainPrompts: true}
}

// onlyKind returns f as a field of credentials of kind only.
func onlyKind(kind string, f Field) Field {
	f.Kinds = []string{kind}
	return f
}

// repoField is the optional existing repository the round trip pushes a throw-away branch to
// instead of creating a repository (config.Settings.Repo); nested: its owner may be a path of
// groups (GitLab's subgroups). The plain prompts do not ask it; `set --repo` sets it.
func repoField(example string, nested bool, help string) Field {
	return Field{Key: FieldRepo, Label: "Existing repository", Optional: true, Advanced: true, Example: example, Help: help,
		NotInPlainPrompts: true, Check: func(s string) (string, error) { return RepoPath(s, nested) }}
}

// RepoPath checks an existing repository's path, OWNER/REPO (with nested, OWNER may be a path of
// groups: group/sub/repo), and returns it normalised: no surrounding slashes, no ".git".
func RepoPath(raw string, nested bool) (string, error) {
	s := strings.TrimSuffix(strings.Trim(strings.TrimSpace(raw), "/"), ".git")
	parts := strings.Split(s, "/")
	form := "OWNER/REPO"
	if nested {
		form = "GROUP/REPO or GROUP/SUBGROUP/…/REPO"
	}
	if len(parts) < 2 || (!nested && len(parts) > 2) {
		return "", fmt.Errorf("the repository %q is not %s: write it as the path in its URL, e.g. acme/gitops-apps", raw, form)
	}
	for _, p := range parts {
		if p == "" || p == "." || p == ".." || !repoSegment.MatchString(p) {
			return "", fmt.Errorf("the repository %q is not %s: each part holds letters, digits, '.', '-' and '_' only", raw, form)
		}
	}
	return s, nil
}

var repoSegment = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// sshFields are the settings of Git over SSH, set by `set`'s flags only (--ssh-key,
// --ssh-key-generate, --ssh-url, --trust-host-key): see ssh.go.
var sshFields = []Field{
	{Key: FieldSSHKey, Label: "SSH private key", Optional: true, Secret: true, CommandLineOnly: true, Help: assets.FieldHelp("advanced", "ssh_key")},
	{Key: FieldSSHURL, Label: "SSH URL", Optional: true, CommandLineOnly: true, Example: "ssh://git@git.example.com:2222/",
		Help: assets.FieldHelp("advanced", "ssh_url")},
	{Key: FieldSSHHostKey, Label: "Trusted SSH host key", Optional: true, CommandLineOnly: true, Help: assets.FieldHelp("advanced", "ssh_host_key")},
	{Key: FieldSSHKeyRef, Label: "Registered SSH key", Optional: true, CommandLineOnly: true, Help: assets.FieldHelp("advanced", "ssh_key_ref")},
}
