package platforms_test

import (
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/platforms"
	"gitopscfg/platforms/kube"
	"gitopscfg/platforms/kube/kubetest"
)

// Another field manager changes the delivered token (a second client's apply): the comparison
// says differs and names it, a push refuses naming it, and a push with Force takes the field back
// and says from whom.
func TestClusterDriftRefusalAndForce(t *testing.T) {
	r := newClusterRig(t)
	k := r.open(platforms.KindArgoCD, kubetest.KubeconfigOptions{})
	c := r.creds("github")
	r.deliver(k, c, false)
	other := kit.RandomCanary(t)
	r.tok = append(r.tok, other)
	r.srv.Apply(t, "intruder", true, map[string]any{
		"apiVersion": "v1", "kind": "Secret",
		"metadata": map[string]any{"name": "gitopscfg-github-repo-creds", "namespace": r.ns},
		"data":     map[string]any{"password": base64.StdEncoding.EncodeToString([]byte(other))},
	})

	pd := r.compare(k, c).Credentials["github"]
	if pd.State != platforms.Differs || pd.Manager != "intruder" || !slices.Equal(pd.Fields, []string{"password"}) {
		t.Fatalf("compare after another manager's change: %+v", pd)
	}

	res := r.deliver(k, c, false)
	if res.Outcome != platforms.Refused || !strings.Contains(res.Message, "intruder") || !strings.Contains(res.Message, ".data.password") ||
		!strings.Contains(res.Message, "--force") || len(res.Conflicts) != 1 || res.Conflicts[0].Manager != "intruder" {
		t.Fatalf("push over the change: %+v", res)
	}
	if obj, _ := r.secret("gitopscfg-github-repo-creds"); decoded(obj, "password") != other {
		t.Fatal("the refused push changed the Secret")
	}

	res = r.deliver(k, c, true)
	if res.Outcome != platforms.Saved || !slices.Equal(res.TookBack, []kube.Conflict{{Manager: "intruder", Field: ".data.password"}}) ||
		!strings.Contains(res.Message, "took back .data.password from intruder") {
		t.Fatalf("forced push: %+v", res)
	}
	if obj, _ := r.secret("gitopscfg-github-repo-creds"); decoded(obj, "password") != c.Token {
		t.Fatal("the forced push did not take the token back")
	}
	if pd := r.compare(k, c).Credentials["github"]; pd.State != platforms.InSync {
		t.Fatalf("compare after the forced push: %+v", pd)
	}
}

// A credential changed in the store since the push differs with no other manager named.
func TestClusterDriftStoreChanged(t *testing.T) {
	r := newClusterRig(t)
	k := r.open(platforms.KindFlux, kubetest.KubeconfigOptions{})
	c := r.creds("github")
	r.deliver(k, c, false)
	c.Username = "someone-else"
	pd := r.compare(k, c).Credentials["github"]
	if pd.State != platforms.Differs || pd.Manager != "" || !slices.Equal(pd.Fields, []string{"username"}) || !strings.Contains(pd.Reason, "store changed") {
		t.Fatalf("compare: %+v", pd)
	}
	if res := r.deliver(k, c, false); res.Outcome != platforms.Saved || res.Objects[0].Action != platforms.ActionUpdated {
		t.Fatalf("push of the changed credential: %+v", res)
	}
}

// Argo CD with a private CA: the host's entry in argocd-tls-certs-cm is applied beside the
// entries others own, which stay.
func TestClusterArgoCDCertificates(t *testing.T) {
	r := newClusterRig(t)
	k := r.open(platforms.KindArgoCD, kubetest.KubeconfigOptions{})
	r.srv.Apply(t, "argocd-install", false, map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "argocd-tls-certs-cm", "namespace": r.ns},
		"data":     map[string]any{"other.example.com": "-----BEGIN CERTIFICATE-----\nOTHER\n-----END CERTIFICATE-----\n"},
	})
	c := r.creds("gitea")
	c.Host = "https://git.example.com"
	ca := filepath.Join(t.TempDir(), "ca.pem")
	pem := "-----BEGIN CERTIFICATE-----\nMINE\n-----END CERTIFICATE-----\n"
	if err := os.WriteFile(ca, []byte(pem), 0o600); err != nil {
		t.Fatal(err)
	}
	c.CABundle = ca
	res := r.deliver(k, c, false)
	if res.Outcome != platforms.Saved || len(res.Objects) != 2 || res.Objects[1].Name != "argocd-tls-certs-cm" || res.Objects[1].Action != platforms.ActionUpdated {
		t.Fatalf("push: %+v", res)
	}
	cm, code := r.srv.Get(t, "/api/v1/namespaces/"+r.ns+"/configmaps/argocd-tls-certs-cm")
	if code != http.StatusOK || field(cm, "data", "git.example.com") != pem || field(cm, "data", "other.example.com") == nil {
		t.Fatalf("argocd-tls-certs-cm: %v", field(cm, "data"))
	}
	if pd := r.compare(k, c).Credentials["gitea"]; pd.State != platforms.InSync {
		t.Fatalf("compare: %+v", pd)
	}
}

// A push with Keep (--prune) deletes only the Secrets gitopscfg applied (its label and its field manager) whose
// credential is no longer stored; a Secret carrying the label that another tool applied (an
// export through kubectl) stays.
func TestClusterOrphansAndPrune(t *testing.T) {
	r := newClusterRig(t)
	k := r.open(platforms.KindArgoCD, kubetest.KubeconfigOptions{})
	keep, gone := r.creds("github"), r.creds("old-team")
	r.deliver(k, keep, false)
	r.deliver(k, gone, false)
	r.srv.Apply(t, "kubectl-client-side-apply", false, map[string]any{
		"apiVersion": "v1", "kind": "Secret",
		"metadata": map[string]any{"name": "exported-by-hand", "namespace": r.ns, "labels": map[string]any{
			platforms.LabelManagedBy: "gitopscfg", platforms.LabelCredential: "removed-long-ago"}},
		"stringData": map[string]any{"password": "x"},
	})

	d := r.compare(k, keep)
	want := []platforms.Orphan{{Kind: "Secret", Namespace: r.ns, Name: "gitopscfg-old-team-repo-creds", Credential: "old-team"}}
	if !slices.Equal(d.Orphaned, []string{"old-team"}) || d.Credentials["github"].State != platforms.InSync {
		t.Fatalf("orphans: %+v", d)
	}
	res, err := k.Deliver(t.Context(), keep, platforms.PushOptions{Keep: []string{"github"}})
	r.say(res, err)
	if err != nil || res.Outcome != platforms.Saved || !slices.Equal(res.Pruned, want) || !strings.Contains(res.Message, "pruned 1 Secret") {
		t.Fatalf("push --prune: %v %+v", err, res)
	}
	if _, code := r.secret("gitopscfg-old-team-repo-creds"); code != http.StatusNotFound {
		t.Fatalf("the orphan is still there: HTTP %d", code)
	}
	for _, name := range []string{"gitopscfg-github-repo-creds", "exported-by-hand"} {
		if _, code := r.secret(name); code != http.StatusOK {
			t.Fatalf("prune deleted %s: HTTP %d", name, code)
		}
	}
	if d := r.compare(k, keep); len(d.Orphaned) != 0 {
		t.Fatalf("orphans after prune: %+v", d.Orphaned)
	}
}
