package ui

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"gitopscfg/platforms/devtronfake"
	"gitopscfg/providers"
)

// Golden screens of the picker with a Devtron instance: run with -update to regenerate
// testdata/TestGoldenDevtron/….golden. The emulator's address (127.0.0.1 and a five-digit port)
// is written as devtron.lan:443, which is as long, so that the screens wrap alike.
func TestGoldenDevtron(t *testing.T) {
	t.Parallel()
	bitbucketActive := devtronfake.Row{Config: devtronfake.Config{Provider: "BITBUCKET_CLOUD", Host: "https://bitbucket.org/",
		BitBucketWorkspaceID: "acme", Username: "jdoe", Token: "bb-devtron-held-token", Active: true}}
	cases := []struct {
		name string
		rows []devtronfake.Row
		// github pushes GitHub (active there) before the session starts
		github bool
		run    func(hs *harness) string
	}{
		// Devtron's active provider is one not configured here; Azure DevOps is there, inactive.
		{"picker_devtron_differs", []devtronfake.Row{bitbucketActive, azureRow(false)}, false, func(hs *harness) string {
			return hs.waitUntil("the comparison", func(plain string) bool {
				return strings.Contains(rowOf(plain, "Azure DevOps"), "Devtron: differs") && strings.Contains(plain, "Devtron's active provider is")
			})
		}},
		// Devtron and here agree.
		{"picker_devtron_in_sync", nil, true, func(hs *harness) string {
			return hs.waitUntil("the comparison", func(plain string) bool {
				return strings.Contains(rowOf(plain, "GitHub"), "Devtron: in sync, active there") && strings.Contains(plain, "active there: github")
			})
		}},
		// p on Azure DevOps, which Devtron holds inactive: the question says that Devtron's active
		// provider changes, and offers to update it without the switch.
		{"picker_push_switch_question", []devtronfake.Row{azureRow(false)}, true, func(hs *harness) string {
			hs.waitUntil("the comparison", func(plain string) bool { return strings.Contains(rowOf(plain, "Azure DevOps"), "Devtron: differs") })
			hs.key("j", "j", "p")
			return waitForText(hs, "keep github active there")
		}},
	}
	for _, c := range cases {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s/%dx%d", c.name, sz.w, sz.h), func(t *testing.T) {
				t.Parallel()
				r := newDevtronRig(t, c.rows...)
				u, err := url.Parse(r.url)
				if err != nil || len(u.Host) != len("127.0.0.1:12345") {
					t.Skipf("the emulator's address %s is not 127.0.0.1 with a five-digit port", r.url)
				}
				if c.github {
					r.push(t, providers.GitHub, false)
				}
				hs := start(t, Options{Store: r.s, ConfigDir: r.s.Dir()}, deps{}, sz.w, sz.h)
				c.run(hs)
				scr := strings.ReplaceAll(hs.settle(), u.Host, "devtron.lan:443")
				fitsScreen(t, hs, sz.w, sz.h)
				noTokenOnScreen(t, hs, devtronCanaryUI, tokPass, "bb-devtron-held-token", "az-devtron-held-token")
				teatest.RequireEqualOutput(t, ascii(scr))
			})
		}
	}
}
