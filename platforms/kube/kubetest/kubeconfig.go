package kubetest

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"strings"
)

// KubeconfigYAML is a kubeconfig as kubectl writes one: one cluster, one user, one context, which
// is the current one.
func (s *Server) KubeconfigYAML(o KubeconfigOptions) string {
	ca := o.CAPEM
	if ca == nil {
		ca = s.CAPEM
	}
	if o.Token == "" && o.ClientCertPEM == nil && o.ExtraUserLines == "" {
		o.Token = s.AdminToken
	}
	ctx := cmp.Or(o.Context, "test")
	var user strings.Builder
	if o.Token != "" {
		fmt.Fprintf(&user, "    token: %s\n", o.Token)
	}
	if o.ClientCertPEM != nil {
		fmt.Fprintf(&user, "    client-certificate-data: %s\n", b64(o.ClientCertPEM))
		fmt.Fprintf(&user, "    client-key-data: %s\n", b64(o.ClientKeyPEM))
	}
	user.WriteString(o.ExtraUserLines)
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: %s
    server: %s
  name: test-cluster
contexts:
- context:
    cluster: test-cluster
    namespace: %s
    user: test-user
  name: %s
current-context: %s
preferences: {}
users:
- name: test-user
  user:
%s`, b64(ca), cmp.Or(o.Server, s.URL), cmp.Or(o.Namespace, "default"), ctx, ctx, user.String())
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
