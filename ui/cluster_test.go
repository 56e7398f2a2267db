package ui

import (
	"strings"
	"testing"

	"gitopscfg/config"
	"gitopscfg/platforms/kube/kubetest"
)

func TestMain(m *testing.M) { kubetest.Main(m) }

// TestPickerPushesIntoACluster: beside a Devtron instance, an Argo CD instance (a real API
// server's namespace) has its own line and its own word on each row; p asks to which of the two,
// and a push there applies the Secret, which the row then shows in sync. It needs the real API
// server (make test-kube).
func TestPickerPushesIntoACluster(t *testing.T) {
	t.Parallel()
	srv := kubetest.Shared(t)
	ns := srv.Namespace(t, "ui")
	kc := srv.Kubeconfig(t, kubetest.KubeconfigOptions{Token: srv.AdminToken})
	dt := startDevtron(t)
	_, s := newStore(t, func(d *config.Data) {
		twoGitHubs(d)
		d.Platforms = map[string]map[string]*config.Platform{
			"devtron": {config.DefaultInstance: {URL: dt.URL(), Token: devtronCanaryUI}},
			"argocd":  {config.DefaultInstance: {Kubeconfig: kc, Namespace: ns}},
		}
	})
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40)
	hs.waitUntil("both instances read", func(plain string) bool {
		return strings.Contains(plain, "Argo CD at ") && strings.Contains(plain, "Devtron at ") &&
			strings.Contains(rowOf(plain, "GitHub"), "Argo CD not there") && !strings.Contains(plain, "…")
	})
	hs.key("p")
	waitForText(hs, "Push GitHub to which platform instance?", "1 Argo CD", "2 Devtron")
	hs.key("1")
	waitForText(hs, "Push GitHub to Argo CD at ", "(y/N)")
	hs.key("y")
	hs.waitUntil("the push applied and read again", func(plain string) bool {
		return strings.Contains(rowOf(plain, "GitHub"), "Argo CD in sync")
	})
	if _, code := srv.Get(t, "/api/v1/namespaces/"+ns+"/secrets"); code != 200 {
		t.Fatalf("listing the namespace's Secrets: %d", code)
	}
	noTokenOnScreen(t, hs, devtronCanaryUI, tokPass, srv.AdminToken)
}
