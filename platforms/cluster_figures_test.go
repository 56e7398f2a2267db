package platforms_test

import (
	"encoding/base64"
	"slices"
	"testing"
	"time"

	"gitopscfg/e2e/kit"
	"gitopscfg/platforms"
	"gitopscfg/platforms/kube/kubetest"
)

// The push's figures against the real server (run with -v to read them): requests and the
// median of 5 durations of a first push (GET, apply, read back), of a push the cluster already
// holds (one GET), and of a forced push over another manager's change.
func TestClusterPushFigures(t *testing.T) {
	r := newClusterRig(t)
	var first, again, forced []time.Duration
	for i := range 5 {
		ns := r.srv.Namespace(t, "figures")
		k := r.openIn(platforms.KindArgoCD, ns, kubetest.KubeconfigOptions{})
		c := r.creds("github")
		for _, step := range []struct {
			out   *[]time.Duration
			force bool
			reqs  int
		}{{&first, false, 3}, {&again, false, 1}, {&forced, true, 3}} {
			if step.force {
				other := kit.RandomCanary(t)
				r.tok = append(r.tok, other)
				r.srv.Apply(t, "intruder", true, map[string]any{"apiVersion": "v1", "kind": "Secret",
					"metadata": map[string]any{"name": "gitopscfg-github-repo-creds", "namespace": ns},
					"data":     map[string]any{"password": base64.StdEncoding.EncodeToString([]byte(other))}})
			}
			res := r.deliver(k, c, step.force)
			if res.Outcome != platforms.Saved || res.Requests != step.reqs {
				t.Fatalf("push %d: %d requests, want %d: %+v", i, res.Requests, step.reqs, res)
			}
			*step.out = append(*step.out, time.Duration(res.DurationMS)*time.Millisecond)
		}
	}
	t.Logf("first push: 3 requests, median %v; unchanged: 1 request, median %v; forced over another manager: 3 requests, median %v",
		median(first), median(again), median(forced))
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
