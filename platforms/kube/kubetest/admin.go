package kubetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// do sends one request to the API server with token (none when empty).
func (s *Server) do(ctx context.Context, token, method, path, contentType string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// Do sends one request as the administrator and returns the status and the body.
func (s *Server) Do(t testing.TB, method, path, contentType string, body []byte) (int, []byte) {
	t.Helper()
	code, b, err := s.do(t.Context(), s.AdminToken, method, path, contentType, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return code, b
}

// Must sends one request as the administrator and fails t unless it answers 2xx.
func (s *Server) Must(t testing.TB, method, path, contentType string, body any) []byte {
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			t.Fatal(err)
		}
	}
	if contentType == "" && raw != nil {
		contentType = "application/json"
	}
	code, out := s.Do(t, method, path, contentType, raw)
	if code/100 != 2 {
		t.Fatalf("%s %s: HTTP %d: %s", method, path, code, out)
	}
	return out
}

// Namespace creates a namespace of the test's own (prefix and a random suffix) and returns its name.
func (s *Server) Namespace(t testing.TB, prefix string) string {
	t.Helper()
	name := prefix + "-" + randomHex(4)
	s.Must(t, http.MethodPost, "/api/v1/namespaces", "", map[string]any{
		"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": name},
	})
	return name
}

// ServiceAccountToken creates the service account name in ns and returns a token for it
// (TokenRequest, one hour).
func (s *Server) ServiceAccountToken(t testing.TB, ns, name string) string {
	t.Helper()
	s.Must(t, http.MethodPost, "/api/v1/namespaces/"+ns+"/serviceaccounts", "", map[string]any{
		"apiVersion": "v1", "kind": "ServiceAccount", "metadata": map[string]any{"name": name},
	})
	out := s.Must(t, http.MethodPost, "/api/v1/namespaces/"+ns+"/serviceaccounts/"+name+"/token", "", map[string]any{
		"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
		"spec": map[string]any{"expirationSeconds": 3600},
	})
	var tr struct {
		Status struct {
			Token string `json:"token"`
		} `json:"status"`
	}
	if err := json.Unmarshal(out, &tr); err != nil || tr.Status.Token == "" {
		t.Fatalf("no token in the TokenRequest's answer (%v)", err)
	}
	return tr.Status.Token
}

// Rule is one rule of a Role.
type Rule struct {
	APIGroups     []string `json:"apiGroups"`
	Resources     []string `json:"resources"`
	Verbs         []string `json:"verbs"`
	ResourceNames []string `json:"resourceNames,omitempty"`
}

// Grant gives the service account sa of ns the rules in ns, through a Role and a RoleBinding named
// after it.
func (s *Server) Grant(t testing.TB, ns, sa string, rules ...Rule) {
	t.Helper()
	name := sa + "-" + randomHex(3)
	s.Must(t, http.MethodPost, "/apis/rbac.authorization.k8s.io/v1/namespaces/"+ns+"/roles", "", map[string]any{
		"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
		"metadata": map[string]any{"name": name}, "rules": rules,
	})
	s.Must(t, http.MethodPost, "/apis/rbac.authorization.k8s.io/v1/namespaces/"+ns+"/rolebindings", "", map[string]any{
		"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
		"metadata": map[string]any{"name": name},
		"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
		"subjects": []any{map[string]any{"kind": "ServiceAccount", "name": sa, "namespace": ns}},
	})
	// The authorizer reads RBAC objects from its caches: wait until it allows every rule.
	for _, r := range rules {
		for _, verb := range r.Verbs {
			for _, res := range r.Resources {
				s.waitAllowed(t, "system:serviceaccount:"+ns+":"+sa, ns, verb, res)
			}
		}
	}
}

// waitAllowed polls a SubjectAccessReview until the authorizer lets user verb resource in ns.
func (s *Server) waitAllowed(t testing.TB, user, ns, verb, resource string) {
	t.Helper()
	review := map[string]any{"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
		"spec": map[string]any{"user": user, "groups": []string{"system:serviceaccounts", "system:authenticated"},
			"resourceAttributes": map[string]any{"namespace": ns, "verb": verb, "resource": resource}}}
	deadline := time.Now().Add(30 * time.Second)
	for {
		out := s.Must(t, http.MethodPost, "/apis/authorization.k8s.io/v1/subjectaccessreviews", "", review)
		var r struct {
			Status struct {
				Allowed bool `json:"allowed"`
			} `json:"status"`
		}
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatal(err)
		}
		if r.Status.Allowed {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s may still not %s %s in %s after 30 s", user, verb, resource, ns)
		}
		select {
		case <-t.Context().Done():
			t.Fatal(t.Context().Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Apply server-side applies the JSON object obj (a Secret or a ConfigMap, in its namespace) as the
// field manager manager, as another tool would; force takes fields another manager owns.
func (s *Server) Apply(t testing.TB, manager string, force bool, obj map[string]any) []byte {
	t.Helper()
	meta, _ := obj["metadata"].(map[string]any)
	kind := strings.ToLower(fmt.Sprint(obj["kind"])) + "s"
	path := fmt.Sprintf("/api/v1/namespaces/%s/%s/%s?fieldManager=%s&force=%t",
		meta["namespace"], kind, meta["name"], url.QueryEscape(manager), force)
	return s.Must(t, http.MethodPatch, path, "application/apply-patch+yaml", obj)
}

// Get reads the object at path as the administrator, decoded.
func (s *Server) Get(t testing.TB, path string) (map[string]any, int) {
	t.Helper()
	code, out := s.Do(t, http.MethodGet, path, "", nil)
	if code != http.StatusOK {
		return nil, code
	}
	var obj map[string]any
	if err := json.Unmarshal(out, &obj); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return obj, code
}

// ClientCert issues a client certificate for user in groups, signed by the cluster's CA.
func (s *Server) ClientCert(t testing.TB, user string, groups ...string) (certPEM, keyPEM []byte) {
	t.Helper()
	c, k, err := s.ca.issue(user, groups, false)
	if err != nil {
		t.Fatal(err)
	}
	return c, k
}

// KubeconfigOptions say what a kubeconfig holds; the zero value is the administrator's, trusting
// the cluster's CA, with the namespace "default".
type KubeconfigOptions struct {
	Token          string
	CAPEM          []byte // nil: the cluster's CA
	Namespace      string
	Context        string // default "test"
	ClientCertPEM  []byte
	ClientKeyPEM   []byte
	Server         string // default the server's URL
	ExtraUserLines string // more lines under "user:" (e.g. an exec plugin), indented by 4
}

// Kubeconfig writes a kubeconfig in the test's temporary directory and returns its path.
func (s *Server) Kubeconfig(t testing.TB, o KubeconfigOptions) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, []byte(s.KubeconfigYAML(o)), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// ForeignCA is the certificate of a CA that signed nothing the server presents: a kubeconfig
// trusting it must refuse the server.
func ForeignCA(t testing.TB) []byte {
	t.Helper()
	a, err := newAuthority("some-other-cluster-ca")
	if err != nil {
		t.Fatal(err)
	}
	return a.pem
}
