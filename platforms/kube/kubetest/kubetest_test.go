package kubetest

import (
	"net/http"
	"strings"
	"testing"
)

func TestMain(m *testing.M) { Main(m) }

// The harness itself: the server answers, a namespace, a service account's token that RBAC
// refuses until a RoleBinding grants it, and a client certificate in system:masters.
func TestServerUp(t *testing.T) {
	s := Shared(t)
	ns := s.Namespace(t, "harness")
	tok := s.ServiceAccountToken(t, ns, "pusher")
	path := "/api/v1/namespaces/" + ns + "/secrets"
	code, body, err := s.do(t.Context(), tok, http.MethodGet, path, "", nil)
	if err != nil || code != http.StatusForbidden || !strings.Contains(string(body), `cannot list resource \"secrets\"`) {
		t.Fatalf("an ungranted service account listed Secrets: HTTP %d %v %s", code, err, body)
	}
	s.Grant(t, ns, "pusher", Rule{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"list"}})
	if code, body, err := s.do(t.Context(), tok, http.MethodGet, path, "", nil); err != nil || code != http.StatusOK {
		t.Fatalf("a granted service account could not list Secrets: HTTP %d %v %s", code, err, body)
	}
	if _, code := s.Get(t, "/api/v1/namespaces/"+ns); code != http.StatusOK {
		t.Fatalf("namespace %s: HTTP %d", ns, code)
	}
}
