package platforms_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/platforms"
	"gitopscfg/platforms/kube/kubetest"
	"gitopscfg/providers"
)

// The cluster tests run against a real kube-apiserver and etcd (platforms/kube/kubetest), one per
// test binary; each test delivers into a namespace of its own.
func TestMain(m *testing.M) { kubetest.Main(m) }

// clusterRig is one test's cluster instance and everything it said, for the canary scan.
type clusterRig struct {
	t   *testing.T
	srv *kubetest.Server
	ns  string
	env *providers.Env
	mu  sync.Mutex
	out []string
	tok []string // tokens that must never show
}

func newClusterRig(t *testing.T) *clusterRig {
	t.Helper()
	srv := kubetest.Shared(t)
	r := &clusterRig{t: t, srv: srv, ns: srv.Namespace(t, "argocd"), env: providers.NewEnv("test")}
	t.Cleanup(r.assertNoSecret)
	return r
}

// open opens a cluster instance of kind in the rig's namespace with the kubeconfig o.
func (r *clusterRig) open(kind platforms.Kind, o kubetest.KubeconfigOptions) *platforms.Cluster {
	r.t.Helper()
	return r.openIn(kind, r.ns, o)
}

func (r *clusterRig) openIn(kind platforms.Kind, ns string, o kubetest.KubeconfigOptions) *platforms.Cluster {
	r.t.Helper()
	if o.Token != "" {
		r.tok = append(r.tok, o.Token)
	}
	k, err := platforms.NewCluster(r.env, platforms.Instance{Kind: kind, Name: "test",
		Kubeconfig: r.srv.Kubeconfig(r.t, o), Namespace: ns})
	if err != nil {
		r.t.Fatal(err)
	}
	return k
}

// creds is a stored GitHub credential named name with a random canary token.
func (r *clusterRig) creds(name string) providers.Credentials {
	tok := kit.RandomCanary(r.t)
	r.tok = append(r.tok, tok)
	return providers.Credentials{Provider: providers.GitHub, Name: name, Settings: config.Settings{
		Host: "https://github.com", Org: "acme", Username: "jdoe", Token: tok}}
}

func (r *clusterRig) say(v ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, x := range v {
		if err, ok := x.(error); ok && err != nil {
			r.out = append(r.out, err.Error())
			continue
		}
		b, _ := json.Marshal(x)
		r.out = append(r.out, string(b), fmt.Sprint(x))
	}
}

// assertNoSecret fails the test if a token (or its base64) shows in anything the client said.
func (r *clusterRig) assertNoSecret() {
	all := strings.Join(r.out, "\n")
	for _, tok := range append(r.tok, r.srv.AdminToken) {
		for _, form := range []string{tok, base64.StdEncoding.EncodeToString([]byte(tok))} {
			if strings.Contains(all, form) {
				r.t.Errorf("a token shows in the output:\n%s", all)
			}
		}
	}
}

// deliver pushes c and fails the test on an error (a refusal is a result).
func (r *clusterRig) deliver(k *platforms.Cluster, c providers.Credentials, force bool) platforms.PushResult {
	r.t.Helper()
	res, err := k.Deliver(r.t.Context(), c, platforms.PushOptions{Force: force})
	r.say(res, err)
	if err != nil {
		r.t.Fatalf("push: %v", err)
	}
	return res
}

func (r *clusterRig) compare(k *platforms.Cluster, stored ...providers.Credentials) platforms.Drift {
	r.t.Helper()
	d, err := k.Compare(r.t.Context(), stored)
	r.say(d, err)
	if err != nil {
		r.t.Fatalf("compare: %v", err)
	}
	return d
}

// secret reads the Secret name in the rig's namespace as the administrator.
func (r *clusterRig) secret(name string) (map[string]any, int) {
	r.t.Helper()
	return r.srv.Get(r.t, "/api/v1/namespaces/"+r.ns+"/secrets/"+name)
}

func field(obj map[string]any, path ...string) any {
	var v any = obj
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	return v
}

func decoded(obj map[string]any, key string) string {
	s, _ := field(obj, "data", key).(string)
	b, _ := base64.StdEncoding.DecodeString(s)
	return string(b)
}

// Apply and read back, as field manager gitopscfg, in data, with gitopscfg's labels; a second push
// sends nothing and changes nothing; the comparison says in sync.
func TestClusterPushAppliesAndReadsBack(t *testing.T) {
	r := newClusterRig(t)
	k := r.open(platforms.KindArgoCD, kubetest.KubeconfigOptions{})
	c := r.creds("github")
	res := r.deliver(k, c, false)
	if res.Outcome != platforms.Saved || len(res.Objects) != 1 || res.Objects[0].Action != platforms.ActionCreated || res.Requests != 3 {
		t.Fatalf("first push: %+v", res)
	}
	obj, code := r.secret("gitopscfg-github-repo-creds")
	if code != http.StatusOK {
		t.Fatalf("the Secret is not there: HTTP %d", code)
	}
	if decoded(obj, "password") != c.Token || decoded(obj, "url") != "https://github.com/acme/" || decoded(obj, "username") != "jdoe" {
		t.Fatalf("the Secret does not hold the credential (url %q, username %q)", decoded(obj, "url"), decoded(obj, "username"))
	}
	// Applied in data, gitopscfg owns data.password: through stringData it would own nothing there,
	// and another manager's change would never conflict.
	if !ownsPassword(obj, "gitopscfg") {
		t.Fatalf("gitopscfg does not own data.password: %v", field(obj, "metadata", "managedFields"))
	}
	labels := field(obj, "metadata", "labels").(map[string]any)
	if labels["argocd.argoproj.io/secret-type"] != "repo-creds" || labels[platforms.LabelManagedBy] != "gitopscfg" || labels[platforms.LabelCredential] != "github" {
		t.Fatalf("labels: %v", labels)
	}
	if m := managers(obj); !slices.Equal(m, []string{"gitopscfg/Apply"}) {
		t.Fatalf("field managers: %v", m)
	}
	rv := field(obj, "metadata", "resourceVersion")

	res = r.deliver(k, c, false)
	if res.Outcome != platforms.Saved || res.Objects[0].Action != platforms.ActionUnchanged || res.Requests != 1 ||
		!strings.Contains(res.Message, "nothing was applied") {
		t.Fatalf("second push: %+v", res)
	}
	if obj, _ := r.secret("gitopscfg-github-repo-creds"); field(obj, "metadata", "resourceVersion") != rv {
		t.Fatal("the second push changed the Secret")
	}
	before := k.Requests()
	d := r.compare(k, c)
	if pd := d.Credentials["github"]; pd.State != platforms.InSync || len(d.Orphaned) != 0 || k.Requests()-before != 1 {
		t.Fatalf("compare (%d requests, want one list): %+v", k.Requests()-before, d)
	}
}

func ownsPassword(obj map[string]any, manager string) bool {
	mf, _ := field(obj, "metadata", "managedFields").([]any)
	for _, e := range mf {
		m := e.(map[string]any)
		if m["manager"] == manager && field(m, "fieldsV1", "f:data", "f:password") != nil {
			return true
		}
	}
	return false
}

func managers(obj map[string]any) []string {
	var out []string
	mf, _ := field(obj, "metadata", "managedFields").([]any)
	for _, e := range mf {
		m := e.(map[string]any)
		out = append(out, fmt.Sprint(m["manager"], "/", m["operation"]))
	}
	return out
}

// Flux's Secret: username and password in data, in flux-system's stead the instance's namespace.
func TestClusterPushFlux(t *testing.T) {
	r := newClusterRig(t)
	k := r.open(platforms.KindFlux, kubetest.KubeconfigOptions{})
	c := r.creds("gh-team")
	if res := r.deliver(k, c, false); res.Outcome != platforms.Saved {
		t.Fatalf("push: %+v", res)
	}
	obj, code := r.secret("gitopscfg-gh-team")
	if code != http.StatusOK || decoded(obj, "password") != c.Token || decoded(obj, "username") != "jdoe" {
		t.Fatalf("the Flux Secret: HTTP %d", code)
	}
	if d := r.compare(k, c); d.Credentials["gh-team"].State != platforms.InSync {
		t.Fatalf("compare: %+v", d)
	}
}
