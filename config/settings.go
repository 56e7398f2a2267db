package config

import (
	"reflect"
	"strings"
)

// Settings are one credential: what the store keeps, the forms edit and a check tests. Each
// field's json name is its key everywhere (forms, audit trail, --field flags): a field added
// here is known to Fields and Ref at once. Token is the secret.
type Settings struct {
	Host       string `json:"host"`
	Org        string `json:"org"`
	ProjectKey string `json:"project_key,omitempty"`
	Username   string `json:"username"`
	Token      string `json:"token"`
	APIURL     string `json:"api_url,omitempty"`
	CABundle   string `json:"ca_bundle,omitempty"`
	// URLPrefix overrides the URL prefix the Argo CD export's credential template claims (its
	// default is the organisation's), so that two credentials of one organisation do not claim
	// the same one.
	URLPrefix string `json:"url_prefix,omitempty"`
	// Kind is what kind of identity the credential is (see CredentialToken and its siblings; ""
	// is a token). AppID and InstallationID identify a GitHub App and its installation; the
	// App's private key (PEM) is then the credential's secret, in Token.
	Kind           string `json:"kind,omitempty"`
	AppID          string `json:"app_id,omitempty"`
	InstallationID string `json:"installation_id,omitempty"`

	// Proxy is the forward proxy this credential's requests go through (http://host:port, no
	// credentials in it), over the environment's HTTPS_PROXY; ProxyUsername and ProxyPassword (a
	// secret, like the token) authenticate to it, NoProxy lists the hosts reached directly.
	Proxy         string `json:"proxy,omitempty"`
	ProxyUsername string `json:"proxy_username,omitempty"`
	ProxyPassword string `json:"proxy_password,omitempty"`
	NoProxy       string `json:"no_proxy,omitempty"`
	// ClientCert and ClientKey are the PEM client certificate and its key (a secret) sent to
	// servers that ask for one (mutual TLS).
	ClientCert string `json:"client_cert,omitempty"`
	ClientKey  string `json:"client_key,omitempty"`
	// TenantID, ClientID and AuthorityURL identify a Microsoft Entra ID service principal (Azure
	// DevOps): its tenant, its application (client) ID and the Entra host its tokens come from,
	// without the tenant ("": https://login.microsoftonline.com/). Its client secret is then the
	// credential's secret, in Token.
	TenantID     string `json:"tenant_id,omitempty"`
	ClientID     string `json:"client_id,omitempty"`
	AuthorityURL string `json:"authority_url,omitempty"`

	// Repo names an existing repository (OWNER/REPO, a GitLab subgroup path included) that the
	// round trip pushes a throw-away branch to instead of creating a repository of its own.
	Repo string `json:"repo,omitempty"`

	// Git over SSH and the generic provider. URL is the generic provider's repository (https:// or
	// ssh://). SSHKey, when set, makes SSH the credential's Git transport: an OpenSSH private key
	// (PEM), a secret kept like the token. SSHURL is the SSH address (ssh://user@host[:port]/) when
	// it cannot be derived from the host; SSHHostKey the trusted host key, one known_hosts line.
	URL        string `json:"url,omitempty"`
	SSHKey     string `json:"ssh_key,omitempty"`
	SSHURL     string `json:"ssh_url,omitempty"`
	SSHHostKey string `json:"ssh_host_key,omitempty"`
	// SSHKeyRef names the public key registered through the provider's API ("deploy:OWNER/REPO:ID"
	// or "user:ID"), which remove deletes; empty when it was pasted by hand.
	SSHKeyRef string `json:"ssh_key_ref,omitempty"`

	// ClientCertPath and ClientKeyPath are the absolute paths of a client certificate and its
	// key (PEM files) read where they are at each use, so that a renewal on disk (cert-manager,
	// Vault agent) is picked up and the key never enters the store; they exclude ClientCert and
	// ClientKey (see Net.HasClientCert).
	ClientCertPath string `json:"client_cert_path,omitempty"`
	ClientKeyPath  string `json:"client_key_path,omitempty"`
}

// The kinds of credential (Settings.Kind).
const (
	// CredentialToken is a token of a user or a bot: a personal, fine-grained, group or project
	// access token. It is the kind of a credential whose Kind is empty.
	CredentialToken = "token"
	// CredentialGitHubApp is a GitHub App: its id, its private key and its installation, from
	// which the platforms mint one-hour installation tokens.
	CredentialGitHubApp = "github-app"
	// CredentialServicePrincipal is a Microsoft Entra ID service principal (Azure DevOps).
	CredentialServicePrincipal = "service-principal"
)

// CredentialKind is the kind of credential s is: Kind, or CredentialToken when it is empty.
func (s Settings) CredentialKind() string {
	if s.Kind == "" {
		return CredentialToken
	}
	return s.Kind
}

// Field names one setting: its json name in the store, as the audit trail names it.
type Field string

// The settings' names that code refers to.
const (
	FieldHost       Field = "host"
	FieldOrg        Field = "org"
	FieldProjectKey Field = "project_key"
	FieldUsername   Field = "username"
	FieldToken      Field = "token"
	FieldAPIURL     Field = "api_url"
	FieldCABundle   Field = "ca_bundle"
	FieldURLPrefix  Field = "url_prefix"

	FieldKind           Field = "kind"
	FieldAppID          Field = "app_id"
	FieldInstallationID Field = "installation_id"
	FieldProxy          Field = "proxy"
	FieldProxyUsername  Field = "proxy_username"
	FieldProxyPassword  Field = "proxy_password"
	FieldNoProxy        Field = "no_proxy"
	FieldClientCert     Field = "client_cert"
	FieldClientKey      Field = "client_key"

	FieldTenantID     Field = "tenant_id"
	FieldClientID     Field = "client_id"
	FieldAuthorityURL Field = "authority_url"
	FieldRepo         Field = "repo"

	FieldURL        Field = "url"
	FieldSSHKey     Field = "ssh_key"
	FieldSSHURL     Field = "ssh_url"
	FieldSSHHostKey Field = "ssh_host_key"
	FieldSSHKeyRef  Field = "ssh_key_ref"

	FieldClientCertPath Field = "client_cert_path"
	FieldClientKeyPath  Field = "client_key_path"
)

// Fields lists every setting in Settings' order, which is the audit's and the forms' order.
var Fields, fieldIndex = settingsFields()

// settingsFields reads the settings' names from Settings' json tags.
func settingsFields() ([]Field, map[Field]int) {
	t := reflect.TypeFor[Settings]()
	fields, index := make([]Field, 0, t.NumField()), make(map[Field]int, t.NumField())
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if sf.Type.Kind() != reflect.String || name == "" {
			panic("config: setting " + sf.Name + " must be a string with a json name")
		}
		fields, index[Field(name)] = append(fields, Field(name)), i
	}
	return fields, index
}

// Ref points at the setting f of s (nil for an unknown name).
func (s *Settings) Ref(f Field) *string {
	i, ok := fieldIndex[f]
	if !ok {
		return nil
	}
	return reflect.ValueOf(s).Elem().Field(i).Addr().Interface().(*string)
}
