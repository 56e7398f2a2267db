package kube

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const secretToken = "kube-CANARY-token-0123456789"

const kubeconfigTmpl = `apiVersion: v1
kind: Config
current-context: one
clusters:
- name: c1
  cluster:
    server: https://127.0.0.1:6443/
    CLUSTER
contexts:
- name: one
  context: {cluster: c1, user: u1, namespace: team}
- name: two
  context: {cluster: c1, user: u2}
users:
- name: u1
  user:
    USER1
- name: u2
  user:
    tokenFile: token.txt
`

func writeKubeconfig(t *testing.T, cluster, user1 string) string {
	t.Helper()
	dir := t.TempDir()
	s := strings.Replace(kubeconfigTmpl, "CLUSTER", cluster, 1)
	s = strings.Replace(s, "USER1", user1, 1)
	path := filepath.Join(dir, "config")
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "token.txt"), []byte(secretToken+"-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadConfigCurrentAndNamedContext(t *testing.T) {
	path := writeKubeconfig(t, "tls-server-name: api.internal", "token: "+secretToken)
	c, err := LoadConfig(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Context != "one" || c.Server != "https://127.0.0.1:6443" || c.Token != secretToken || c.Namespace != "team" || c.TLSServerName != "api.internal" || c.CAData != nil {
		t.Fatalf("current context: %+v", c)
	}
	c, err = LoadConfig(path, "two")
	if err != nil {
		t.Fatal(err)
	}
	if c.User != "u2" || c.Token != secretToken+"-file" || c.Namespace != "" {
		t.Fatalf("context two (a tokenFile relative to the kubeconfig): user %s namespace %q token read %v", c.User, c.Namespace, c.Token == secretToken+"-file")
	}
}

func TestLoadConfigRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, cluster, user, context, want string
	}{
		{"no such context", "", "token: x", "three", `has no context "three" (it has one, two)`},
		{"insecure", "insecure-skip-tls-verify: true", "token: x", "", "sets insecure-skip-tls-verify"},
		{"plain http", "", "token: x", "", "an https:// URL is needed"},
		{"exec plugin", "", "exec: {command: aws, apiVersion: client.authentication.k8s.io/v1}", "", "exec plugin (aws), which gitopscfg does not run"},
		{"auth provider", "", "auth-provider: {name: oidc}", "", "uses an auth-provider"},
		{"basic auth", "", "username: admin", "", "username and password, which Kubernetes no longer accepts"},
		{"no credentials", "", "{}", "", "has no credentials"},
		{"bad CA data", "certificate-authority-data: '%%%'", "token: x", "", "certificate-authority-data is not base64"},
		{"missing CA file", "certificate-authority: nope.pem", "token: x", "", "cannot read its certificate-authority"},
		{"half a key pair", "", "client-certificate-data: " + "bm90IGEgY2VydA==", "", "do not make a pair"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeKubeconfig(t, tc.cluster, tc.user)
			if tc.name == "plain http" {
				b, _ := os.ReadFile(path)
				_ = os.WriteFile(path, []byte(strings.Replace(string(b), "https://", "http://", 1)), 0o600)
			}
			_, err := LoadConfig(path, tc.context)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// A kubeconfig that is not YAML is named by its line, never by its content (a token may be in it).
func TestLoadConfigBadYAMLShowsNoContent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte("users:\n- name: u\n  user:\n    token: ["+secretToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadConfig(path, "")
	if err == nil || strings.Contains(err.Error(), secretToken) || !strings.Contains(err.Error(), "not a valid kubeconfig") {
		t.Fatalf("got %v", err)
	}
	path = filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte("current-context: [x]\ncontexts: "+secretToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// yaml's own message would quote the value's first characters.
	if _, err := LoadConfig(path, ""); err == nil || strings.Contains(err.Error(), secretToken[:7]) {
		t.Fatalf("a type error echoed the content: %v", err)
	}
}
