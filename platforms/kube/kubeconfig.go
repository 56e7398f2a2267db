// Package kube is a minimal client of the Kubernetes API for delivering credentials into
// clusters: a kubeconfig's cluster and user (a bearer token or a client certificate), the
// namespace, access reviews, server-side apply of Secrets and ConfigMaps, their field managers,
// lists by label and deletes. It speaks JSON over net/http and imports no Kubernetes library, so
// that the binary stays small (see ARCHITECTURE.md). It imports only config/safe.
package kube

import (
	"cmp"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Config is what one context of a kubeconfig says: where the API server answers, how to trust it
// and who the user is. Token and the client key are secrets: never shown.
type Config struct {
	// Path is the kubeconfig's path, Context the context used (the file's current one when none
	// was asked for), Cluster and User the names it points at.
	Path, Context, Cluster, User string
	Server                       string
	// CAData is the PEM of the CA the server's certificate must chain to (nil: the system's).
	CAData        []byte
	TLSServerName string
	// ProxyURL is the cluster's proxy-url ("": the environment's proxy).
	ProxyURL string
	// Token is the bearer token (a token or tokenFile), ClientCert a client certificate.
	Token      string
	ClientCert *tls.Certificate
	// Namespace is the context's namespace ("" when it names none).
	Namespace string
}

// kubeconfig is the part of a kubeconfig file (clientcmd/api/v1) this package reads.
type kubeconfig struct {
	CurrentContext string `yaml:"current-context"`
	Clusters       []struct {
		Name    string `yaml:"name"`
		Cluster struct {
			Server                   string `yaml:"server"`
			CertificateAuthority     string `yaml:"certificate-authority"`
			CertificateAuthorityData string `yaml:"certificate-authority-data"`
			InsecureSkipTLSVerify    bool   `yaml:"insecure-skip-tls-verify"`
			TLSServerName            string `yaml:"tls-server-name"`
			ProxyURL                 string `yaml:"proxy-url"`
		} `yaml:"cluster"`
	} `yaml:"clusters"`
	Contexts []struct {
		Name    string `yaml:"name"`
		Context struct {
			Cluster   string `yaml:"cluster"`
			User      string `yaml:"user"`
			Namespace string `yaml:"namespace"`
		} `yaml:"context"`
	} `yaml:"contexts"`
	Users []struct {
		Name string   `yaml:"name"`
		User userInfo `yaml:"user"`
	} `yaml:"users"`
}

type userInfo struct {
	Token                 string         `yaml:"token"`
	TokenFile             string         `yaml:"tokenFile"`
	ClientCertificate     string         `yaml:"client-certificate"`
	ClientCertificateData string         `yaml:"client-certificate-data"`
	ClientKey             string         `yaml:"client-key"`
	ClientKeyData         string         `yaml:"client-key-data"`
	Username              string         `yaml:"username"`
	Exec                  map[string]any `yaml:"exec"`
	AuthProvider          map[string]any `yaml:"auth-provider"`
}

var yamlLine = regexp.MustCompile(`line \d+`)

// LoadConfig reads the kubeconfig at path and resolves context ("": its current context). Files
// it names (certificate-authority, client-certificate, client-key, tokenFile) are read relative to
// its directory. It refuses insecure-skip-tls-verify (a token would go to whoever answers) and the
// kinds of user it cannot act as (exec plugins, auth providers, basic auth), naming them.
func LoadConfig(path, context string) (*Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the kubeconfig: %w", err)
	}
	var kc kubeconfig
	if err := yaml.Unmarshal(raw, &kc); err != nil {
		// yaml's message may quote a value (a token): only its line number is shown.
		where := ""
		if m := yamlLine.FindString(err.Error()); m != "" {
			where = " (" + m + ")"
		}
		return nil, fmt.Errorf("the kubeconfig %s is not a valid kubeconfig%s", path, where)
	}
	c := &Config{Path: path, Context: cmp.Or(context, kc.CurrentContext)}
	if c.Context == "" {
		return nil, fmt.Errorf("the kubeconfig %s has no current context: name one with --context", path)
	}
	if err := kc.resolve(c); err != nil {
		return nil, err
	}
	return c, nil
}

// resolve fills c from the context c.Context names.
func (kc *kubeconfig) resolve(c *Config) error {
	found := false
	for _, x := range kc.Contexts {
		if x.Name == c.Context {
			c.Cluster, c.User, c.Namespace, found = x.Context.Cluster, x.Context.User, x.Context.Namespace, true
		}
	}
	if !found {
		return fmt.Errorf("the kubeconfig %s has no context %q (it has %s)", c.Path, c.Context, kc.contextNames())
	}
	if err := kc.cluster(c); err != nil {
		return err
	}
	for _, u := range kc.Users {
		if u.Name == c.User {
			return u.User.credentials(c)
		}
	}
	return fmt.Errorf("the kubeconfig %s has no user %q (context %s names it)", c.Path, c.User, c.Context)
}

func (kc *kubeconfig) contextNames() string {
	var names []string
	for _, x := range kc.Contexts {
		names = append(names, x.Name)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// cluster fills c's server and trust from the cluster its context names.
func (kc *kubeconfig) cluster(c *Config) error {
	for _, x := range kc.Clusters {
		if x.Name != c.Cluster {
			continue
		}
		cl := x.Cluster
		if cl.InsecureSkipTLSVerify {
			return fmt.Errorf("the cluster %s in %s sets insecure-skip-tls-verify: gitopscfg sends credentials only to an API server whose certificate it can verify; give the cluster's CA as certificate-authority-data instead", c.Cluster, c.Path)
		}
		if !strings.HasPrefix(cl.Server, "https://") {
			return fmt.Errorf("the cluster %s in %s has the server %q: an https:// URL is needed", c.Cluster, c.Path, cl.Server)
		}
		c.Server, c.TLSServerName, c.ProxyURL = strings.TrimRight(cl.Server, "/"), cl.TLSServerName, cl.ProxyURL
		ca, err := dataOrFile(c.Path, cl.CertificateAuthorityData, cl.CertificateAuthority, "certificate-authority")
		if err != nil {
			return fmt.Errorf("the cluster %s in %s: %w", c.Cluster, c.Path, err)
		}
		c.CAData = ca
		return nil
	}
	return fmt.Errorf("the kubeconfig %s has no cluster %q (context %s names it)", c.Path, c.Cluster, c.Context)
}

// credentials fills c's token or client certificate, refusing what this client cannot do.
func (u userInfo) credentials(c *Config) error {
	switch {
	case u.Exec != nil:
		return fmt.Errorf("the user %s in %s gets its credentials from an exec plugin (%v), which gitopscfg does not run: use a kubeconfig with a token or a client certificate, e.g. a service account's (`kubectl create token`)", c.User, c.Path, u.Exec["command"])
	case u.AuthProvider != nil:
		return fmt.Errorf("the user %s in %s uses an auth-provider, which gitopscfg does not support: use a kubeconfig with a token or a client certificate", c.User, c.Path)
	case u.Token != "":
		c.Token = strings.TrimSpace(u.Token)
	case u.TokenFile != "":
		b, err := os.ReadFile(relTo(c.Path, u.TokenFile))
		if err != nil {
			return fmt.Errorf("the user %s in %s: cannot read its tokenFile: %w", c.User, c.Path, err)
		}
		c.Token = strings.TrimSpace(string(b))
	}
	cert, err := dataOrFile(c.Path, u.ClientCertificateData, u.ClientCertificate, "client-certificate")
	if err != nil {
		return fmt.Errorf("the user %s in %s: %w", c.User, c.Path, err)
	}
	key, err := dataOrFile(c.Path, u.ClientKeyData, u.ClientKey, "client-key")
	if err != nil {
		return fmt.Errorf("the user %s in %s: %w", c.User, c.Path, err)
	}
	if cert != nil || key != nil {
		pair, err := tls.X509KeyPair(cert, key)
		if err != nil {
			return fmt.Errorf("the user %s in %s: the client certificate and key do not make a pair: %s", c.User, c.Path, firstLine(err.Error()))
		}
		c.ClientCert = &pair
	}
	if c.Token == "" && c.ClientCert == nil {
		if u.Username != "" {
			return fmt.Errorf("the user %s in %s uses a username and password, which Kubernetes no longer accepts: use a token or a client certificate", c.User, c.Path)
		}
		return fmt.Errorf("the user %s in %s has no credentials (a token, a tokenFile or a client certificate)", c.User, c.Path)
	}
	return nil
}

// dataOrFile is the base64 field data, else the contents of the file (relative to the
// kubeconfig's directory); nil when neither is set.
func dataOrFile(kubeconfig, data, file, name string) ([]byte, error) {
	if data != "" {
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(data))
		if err != nil {
			return nil, fmt.Errorf("%s-data is not base64", name)
		}
		return b, nil
	}
	if file == "" {
		return nil, nil
	}
	b, err := os.ReadFile(relTo(kubeconfig, file))
	if err != nil {
		return nil, fmt.Errorf("cannot read its %s: %w", name, err)
	}
	return b, nil
}

func relTo(kubeconfig, file string) string {
	if filepath.IsAbs(file) {
		return file
	}
	return filepath.Join(filepath.Dir(kubeconfig), file)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
