package platforms_test

import (
	"errors"
	"strings"
	"testing"

	"gitopscfg/platforms"
	"gitopscfg/platforms/kube"
	"gitopscfg/platforms/kube/kubetest"
	"gitopscfg/providers"
)

func checkOf(r providers.Result, id string) providers.Check {
	c, _ := r.Find(id)
	return c
}

// The administrator's check passes every step and names the user.
func TestClusterCheckAdmin(t *testing.T) {
	r := newClusterRig(t)
	res := r.open(platforms.KindArgoCD, kubetest.KubeconfigOptions{}).Check(t.Context())
	r.say(res)
	if !res.OK || res.User != "admin" || checkOf(res, platforms.CheckClusterNamespace).Status != providers.Pass ||
		!strings.Contains(checkOf(res, platforms.CheckClusterAccess).Message, "ConfigMaps") {
		t.Fatalf("check: %+v", res)
	}
}

// A service account's token without a RoleBinding: it authenticates, but the check names each
// missing verb and resource, and a push is refused with the server's 403 message. Granted the
// rules, both pass.
func TestClusterServiceAccountWithoutRoleBinding(t *testing.T) {
	r := newClusterRig(t)
	tok := r.srv.ServiceAccountToken(t, r.ns, "pusher")
	k := r.open(platforms.KindArgoCD, kubetest.KubeconfigOptions{Token: tok})
	res := k.Check(t.Context())
	r.say(res)
	user := "system:serviceaccount:" + r.ns + ":pusher"
	access := checkOf(res, platforms.CheckClusterAccess)
	if res.OK || res.User != user || access.Status != providers.Fail ||
		!strings.Contains(access.Message, "may not get secrets, create secrets, patch secrets, list secrets, get configmaps, create configmaps, patch configmaps in the namespace "+r.ns) {
		t.Fatalf("check: %+v", res)
	}
	if ns := checkOf(res, platforms.CheckClusterNamespace); ns.Status != providers.Warn {
		t.Fatalf("namespace check of a user who may not get namespaces: %+v", ns)
	}
	c := r.creds("github")
	push := r.deliver(k, c, false)
	if push.Outcome != platforms.Refused || !strings.Contains(push.Message, `cannot get resource "secrets"`) || !strings.Contains(push.Message, user) {
		t.Fatalf("push: %+v", push)
	}

	all := []string{"get", "create", "patch", "list", "delete"}
	r.srv.Grant(t, r.ns, "pusher",
		kubetest.Rule{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: all},
		kubetest.Rule{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "create", "patch"}})
	res = k.Check(t.Context())
	r.say(res)
	if !res.OK || len(res.Checks) != 4 {
		t.Fatalf("check once granted: %+v", res)
	}
	if push := r.deliver(k, c, false); push.Outcome != platforms.Saved {
		t.Fatalf("push once granted: %+v", push)
	}
}

// Without delete, the check warns that prune cannot work, and passes.
func TestClusterCheckWithoutDelete(t *testing.T) {
	r := newClusterRig(t)
	tok := r.srv.ServiceAccountToken(t, r.ns, "no-delete")
	r.srv.Grant(t, r.ns, "no-delete", kubetest.Rule{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get", "create", "patch", "list"}})
	res := r.open(platforms.KindFlux, kubetest.KubeconfigOptions{Token: tok}).Check(t.Context())
	r.say(res)
	if !res.OK || !strings.Contains(res.Checks[len(res.Checks)-1].Message, "may not delete secrets") {
		t.Fatalf("check: %+v", res)
	}
}

// A namespace that does not exist: the check fails naming it, a push is refused saying so.
func TestClusterMissingNamespace(t *testing.T) {
	r := newClusterRig(t)
	k := r.openIn(platforms.KindFlux, "no-such-namespace", kubetest.KubeconfigOptions{})
	res := k.Check(t.Context())
	r.say(res)
	if ns := checkOf(res, platforms.CheckClusterNamespace); res.OK || ns.Status != providers.Fail || !strings.Contains(ns.Message, "no-such-namespace does not exist") {
		t.Fatalf("check: %+v", res)
	}
	push := r.deliver(k, r.creds("github"), false)
	if push.Outcome != platforms.Refused || !strings.Contains(push.Message, "the namespace no-such-namespace does not exist in the cluster") {
		t.Fatalf("push: %+v", push)
	}
}

// A kubeconfig whose CA is another cluster's: nothing is sent past the handshake, and the check
// and the push name the CA.
func TestClusterWrongCA(t *testing.T) {
	r := newClusterRig(t)
	k := r.open(platforms.KindArgoCD, kubetest.KubeconfigOptions{CAPEM: kubetest.ForeignCA(t)})
	res := k.Check(t.Context())
	r.say(res)
	reach := checkOf(res, platforms.CheckClusterReachable)
	if res.OK || reach.Status != providers.Fail || !strings.Contains(reach.Message, "did not sign") {
		t.Fatalf("check: %+v", res)
	}
	_, err := k.Deliver(t.Context(), r.creds("github"), platforms.PushOptions{})
	r.say(err)
	if !errors.Is(err, kube.ErrWrongCA) || !strings.Contains(err.Error(), "certificate-authority is not this cluster's") {
		t.Fatalf("push: %v", err)
	}
}

// A client certificate (as kind and kubeadm write kubeconfigs) authenticates as its subject.
func TestClusterClientCertificate(t *testing.T) {
	r := newClusterRig(t)
	cert, key := r.srv.ClientCert(t, "cert-admin", "system:masters")
	res := r.open(platforms.KindFlux, kubetest.KubeconfigOptions{ClientCertPEM: cert, ClientKeyPEM: key}).Check(t.Context())
	r.say(res)
	if !res.OK || res.User != "cert-admin" {
		t.Fatalf("check: %+v", res)
	}
}

// A token the server does not know: the check says the credentials were refused.
func TestClusterUnknownToken(t *testing.T) {
	r := newClusterRig(t)
	res := r.open(platforms.KindFlux, kubetest.KubeconfigOptions{Token: "not-a-token-the-server-knows"}).Check(t.Context())
	r.say(res)
	if auth := checkOf(res, platforms.CheckClusterAuth); res.OK || auth.Status != providers.Fail || !strings.Contains(auth.Message, "refused the credentials") {
		t.Fatalf("check: %+v", res)
	}
}
