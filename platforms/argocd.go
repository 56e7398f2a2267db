package platforms

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// ExportOptions shape the exported manifests.
type ExportOptions struct {
	// Namespace defaults to argocd (Argo CD) or flux-system (Flux).
	Namespace string
	// Kind is Argo CD's secret type: "repo-creds" (a credential template for the organisation's URL
	// prefix; the default) or "repository" (one repository, named by Repo).
	Kind string
	Repo string
	// Name is the Secret's name (default gitopscfg-<credential>-repo-creds, or
	// gitopscfg-<credential>-<repo> for one repository; a credential named after its provider
	// keeps the names of the releases before named credentials).
	Name string
}

func init() {
	register(withCluster(Spec{Kind: KindArgoCD, Name: "Argo CD", Export: ArgoCD,
		ExportClaim: ArgoCDPrefix, ExportNote: ArgoCDNote}))
}

// Argo CD secret kinds.
const (
	KindRepoCreds  = "repo-creds"
	KindRepository = "repository"
)

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
var dnsSubdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)

func checkNames(ns, name string) error {
	if len(ns) > 63 || !dnsLabel.MatchString(ns) {
		return fmt.Errorf("namespace %q is not a valid Kubernetes namespace (lower-case letters, digits and '-', at most 63)", ns)
	}
	if len(name) > 253 || !dnsSubdomain.MatchString(name) {
		return fmt.Errorf("name %q is not a valid Kubernetes object name (lower-case letters, digits, '-' and '.', at most 253)", name)
	}
	return nil
}

// orgURL is the URL prefix the organisation's repositories are cloned from over HTTPS, ending in
// "/" so that it matches no other organisation whose name starts the same: GitHub
// <host>/<org>/, GitLab <host>/<group full path>/ (a numeric group id is looked up), Azure DevOps
// <organisation URL>/<project>/_git/, Bitbucket Cloud https://bitbucket.org/<workspace>/.
func orgURL(ctx context.Context, env *providers.Env, c providers.Credentials) (string, error) {
	host := strings.TrimRight(strings.TrimSpace(c.Host), "/")
	u, err := url.Parse(host)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("the stored Git host %q is not an absolute https URL", c.Host)
	}
	org := strings.Trim(strings.TrimSpace(c.Org), "/")
	if org == "" {
		return "", fmt.Errorf("no organisation is stored for %s", c.Provider)
	}
	if path := targets[c.Provider].orgPath; path != nil {
		p, err := path(ctx, env, c, org)
		if err != nil {
			return "", err
		}
		return host + p, nil
	}
	return host + "/" + url.PathEscape(org) + "/", nil
}

// ArgoCDPrefix is the URL prefix c's credential template (repo-creds) claims: its stored
// url_prefix, else its organisation's (see orgURL; a GitLab group given by its numeric id is
// looked up).
func ArgoCDPrefix(ctx context.Context, env *providers.Env, c providers.Credentials) (string, error) {
	if p := strings.TrimSpace(c.URLPrefix); p != "" {
		return p, nil
	}
	return orgURL(ctx, env, c)
}

// NormalizeGitURL is a repository URL or URL prefix as Argo CD compares them when it picks a
// credential template (util/git.NormalizeGitURL): trimmed, in lower case, without a trailing
// ".git", re-encoded; "" when it does not parse. SSH URLs are not handled: gitopscfg's templates
// are for HTTPS.
func NormalizeGitURL(s string) string {
	s = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".git")
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	return u.String()
}

// ArgoCDMatch is how much of repoURL the credential template of prefix covers as Argo CD
// matches them (the normalised prefix's length, Argo CD's measure for the longest match), 0 when
// it does not cover it. Of several templates, Argo CD gives a repository the longest match.
func ArgoCDMatch(prefix, repoURL string) int {
	p, r := NormalizeGitURL(prefix), NormalizeGitURL(repoURL)
	if p == "" || r == "" || !strings.HasPrefix(r, p) {
		return 0
	}
	return len(p)
}

// secretBase is the start of the names of the Secrets exported for c: gitopscfg-<credential>.
func secretBase(c providers.Credentials) string { return "gitopscfg-" + c.CredentialName() }

func readCA(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	pem, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("cannot read the CA bundle: %w", err)
	}
	if !strings.Contains(string(pem), "-----BEGIN CERTIFICATE-----") {
		return "", fmt.Errorf("the CA bundle %s holds no PEM certificate", path)
	}
	return string(pem), nil
}

func exportable(c providers.Credentials) error {
	if strings.TrimSpace(c.Token) == "" && !providers.UsesSSH(c) {
		return fmt.Errorf("no token is stored for %s: nothing to export", c.Provider)
	}
	return nil
}

// ArgoCD returns the Secret Argo CD reads the credentials from (label
// argocd.argoproj.io/secret-type: repo-creds or repository) and, when a CA bundle is stored, the
// argocd-tls-certs-cm ConfigMap entry for the Git host.
func ArgoCD(ctx context.Context, env *providers.Env, c providers.Credentials, o ExportOptions) ([]Object, error) {
	if err := exportable(c); err != nil {
		return nil, err
	}
	if providers.UsesCertificate(c) {
		return nil, argoCDNoCertificate(c)
	}
	ns := o.Namespace
	if ns == "" {
		ns = "argocd"
	}
	kind := o.Kind
	if kind == "" {
		kind = KindRepoCreds
		if providers.MustLookup(c.Provider).GitOnly() {
			kind = KindRepository // the generic provider names one repository
		}
	}
	target, name, err := argoCDTarget(ctx, env, c, o, kind)
	if err != nil {
		return nil, err
	}
	if err := checkNames(ns, name); err != nil {
		return nil, err
	}
	ca, err := readCA(c.CABundle)
	if err != nil {
		return nil, err
	}
	if c.Settings, err = providers.InlineClientCert(c.Settings); err != nil { // a copy of the files now
		return nil, err
	}
	objs := []Object{argoCDSecret(c, ns, name, kind, target)}
	if providers.UsesSSH(c) {
		hosts, err := knownHosts(c)
		if err != nil {
			return nil, err
		}
		return append(objs, argoCDKnownHosts(ns, hosts)), nil
	}
	if ca != "" {
		objs = append(objs, argoCDTLSCerts(c.Host, ns, ca))
	}
	return objs, nil
}

// argoCDTarget is the URL the Secret of kind claims for c (a repo-creds template's prefix, or
// one repository's URL) and the Secret's name: o.Name, else one made from the credential's.
func argoCDTarget(ctx context.Context, env *providers.Env, c providers.Credentials, o ExportOptions, kind string) (target, name string, err error) {
	name = o.Name
	switch kind {
	case KindRepoCreds:
		if o.Repo != "" {
			return "", "", fmt.Errorf("--repo applies to --kind repository only")
		}
		prefix, err := ArgoCDPrefix(ctx, env, c)
		if err != nil {
			return "", "", err
		}
		if name == "" {
			name = secretBase(c) + "-repo-creds"
		}
		if providers.UsesSSH(c) && c.URLPrefix == "" {
			path := strings.TrimPrefix(prefix, strings.TrimRight(c.Host, "/"))
			target, err := sshTarget(c, strings.Trim(path, "/"), true)
			return target, name, err
		}
		return prefix, name, nil
	case KindRepository:
		if providers.MustLookup(c.Provider).GitOnly() {
			return gitServerTarget(c, o)
		}
		repo := strings.Trim(strings.TrimSpace(o.Repo), "/")
		if repo == "" || strings.ContainsAny(repo, "/ ") {
			return "", "", fmt.Errorf("--kind repository needs --repo NAME (the repository's name in the organisation)")
		}
		prefix, err := orgURL(ctx, env, c)
		if err != nil {
			return "", "", err
		}
		if name == "" {
			name = secretBase(c) + "-" + strings.ToLower(repo)
		}
		if providers.UsesSSH(c) {
			target, err := sshTarget(c, strings.TrimPrefix(strings.TrimPrefix(prefix, strings.TrimRight(c.Host, "/")), "/")+repo, false)
			return target, name, err
		}
		return prefix + url.PathEscape(repo), name, nil
	}
	return "", "", fmt.Errorf("unknown --kind %q: use repo-creds or repository", kind)
}

// argoCDSecret is the Secret of kind (repo-creds or repository) named name in namespace ns that
// gives Argo CD c's username and token for target.
func argoCDSecret(c providers.Credentials, ns, name, kind, target string) Object {
	data := append(Object{
		{"type", "git"},
		{"url", target},
	}, argoCDAuth(c)...)
	if isGitHubApp(c) {
		data = argoCDGitHubAppData(c, target)
	}
	if providers.UsesSSH(c) {
		data = Object{{"type", "git"}, {"url", target}, {"sshPrivateKey", c.SSHKey}}
	}
	return Object{
		{"apiVersion", "v1"},
		{"kind", "Secret"},
		{"metadata", Object{
			{"name", name},
			{"namespace", ns},
			{"labels", Object{
				{"argocd.argoproj.io/secret-type", kind},
				{"app.kubernetes.io/managed-by", "gitopscfg"},
			}},
		}},
		{"type", "Opaque"},
		{"stringData", append(data, argoCDNet(c.Settings.Net())...)},
	}
}

// argoCDNet are the fields of a repository Secret for the proxy (its credentials in its URL, as
// Argo CD reads them) and the client certificate.
func argoCDNet(n config.Net) Object {
	var o Object
	if n.Proxy != "" {
		o = append(o, Field{"proxy", proxyWithCredentials(n)})
		if n.NoProxy != "" {
			o = append(o, Field{"noProxy", n.NoProxy})
		}
	}
	if n.ClientCert != "" {
		o = append(o, Field{"tlsClientCertData", n.ClientCert}, Field{"tlsClientCertKey", n.ClientKey})
	}
	return o
}

// proxyWithCredentials is the proxy's URL with its username and password in it.
func proxyWithCredentials(n config.Net) string {
	u, err := url.Parse(n.Proxy)
	if err != nil {
		return n.Proxy
	}
	if n.ProxyUsername != "" {
		u.User = url.UserPassword(n.ProxyUsername, n.ProxyPassword)
	}
	return u.String()
}

// gitServerTarget is the generic provider's Argo CD target: its one repository's URL.
func gitServerTarget(c providers.Credentials, o ExportOptions) (string, string, error) {
	if o.Repo != "" {
		return "", "", fmt.Errorf("the generic provider names its repository itself (%s): --repo does not apply", c.URL)
	}
	name := o.Name
	if name == "" {
		name = secretBase(c) + "-repo"
	}
	return strings.TrimSpace(c.URL), name, nil
}
