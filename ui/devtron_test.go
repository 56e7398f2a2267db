package ui

import (
	"strings"
	"testing"

	"gitopscfg/config"
	"gitopscfg/platforms/devtronfake"
)

const devtronCanaryUI = "devtron-CANARY-ui-token-0000000000000004"

func TestPickerPushesToDevtron(t *testing.T) {
	t.Parallel()
	dt, err := devtronfake.Start(devtronfake.Options{Tokens: map[string]bool{devtronCanaryUI: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dt.Close)
	_, s := newStore(t, func(d *config.Data) {
		withActive(d)
		d.Devtron = &config.Devtron{URL: dt.URL(), Token: devtronCanaryUI}
	})
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40)
	hs.waitUntil("drift shown", func(plain string) bool { return strings.Count(plain, "Devtron: not there") == 3 })
	hs.key("p")
	hs.waitFor("Push GitHub to Devtron at " + dt.URL())
	hs.key("n")
	hs.waitFor("nothing was pushed")
	hs.key("p", "y")
	hs.waitFor("GitHub: Devtron validated and saved the configuration")
	hs.waitFor("Devtron: in sync, active there")
	if rows := dt.Rows(); len(rows) != 1 || rows[0].Provider != "GITHUB" || rows[0].Token != tokPass {
		t.Fatalf("Devtron holds %+v", rows)
	}
	// GitLab's last check failed: no push.
	hs.key("j", "p")
	hs.waitFor("GitLab's last check failed")
	// Devtron's validation fails for Azure DevOps: nothing saved, the stage named.
	dt.FailStages(map[string]string{"Create Repo": "azure devops client error: TF401027: You need the Git 'CreateRepository' permission"})
	hs.key("j", "p", "y")
	hs.waitFor("Azure DevOps: Devtron's validation failed, so it saved nothing: Create Repo")
	if len(dt.Rows()) != 1 {
		t.Error("a refused configuration was stored")
	}
	hs.mu.Lock()
	history := append([]string(nil), hs.history...)
	hs.mu.Unlock()
	for _, frame := range history {
		if strings.Contains(frame, devtronCanaryUI) || strings.Contains(frame, tokPass) {
			t.Fatal("a token reached the screen")
		}
	}
}
