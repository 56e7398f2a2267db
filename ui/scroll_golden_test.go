package ui

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"gitopscfg/config"
)

// Golden screens of scrolled results, warnings, long addresses and the summary of T: run with
// -update to regenerate testdata/TestGoldenResults/….golden. Each waits for its final state.
func TestGoldenResults(t *testing.T) {
	t.Parallel()
	for _, sc := range []struct {
		name  string
		store func(d *config.Data)
		d     deps
		run   func(hs *harness, w, h int) string
	}{
		{"panel_scrolled_to_the_end", withToken(tokScopes), deps{}, func(hs *harness, w, h int) string {
			hs.waitFor("configured")
			hs.key("enter")
			hs.waitFor("1 check failed", "esc leave")
			hs.press("pgdown")
			hs.press("pgdown")
			if w == 80 {
				return hs.waitFor("↑ 6 more lines (pgup)", "expiry: unknown")
			}
			return hs.waitFor("expiry: unknown")
		}},
		{"panel_passed_with_warnings", withToken(tokPass), deps{check: warnCheck}, func(hs *harness, _, _ int) string {
			hs.waitFor("configured")
			hs.key("enter")
			return hs.waitFor("Passed with 1 warning · octocat", "esc leave")
		}},
		{"panel_long_address", withBitbucket, deps{check: longAddressCheck}, func(hs *harness, _, _ int) string {
			return openBitbucket(hs)
		}},
		{"picker_retest_all", allFive, deps{check: byProvider}, func(hs *harness, _, _ int) string {
			hs.waitFor("› ✓ GitHub")
			hs.key("down")
			hs.waitFor("›   GitLab")
			hs.key("T")
			return hs.waitFor("5 re-tested: 3 passed, 1 passed with warnings, 1 failed (GitLab)")
		}},
		{"roundtrip_passed_with_warnings", withToken(tokPass), deps{deep: warnDeep}, func(hs *harness, _, _ int) string {
			hs.waitFor("configured")
			hs.roundTrip()
			return hs.waitFor("Round trip passed with 1 warning", "recorded as GitHub's last round trip")
		}},
	} {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s/%dx%d", sc.name, sz.w, sz.h), func(t *testing.T) {
				t.Parallel()
				_, s := newStore(t, sc.store)
				hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, sc.d, sz.w, sz.h)
				teatest.RequireEqualOutput(t, ascii(sc.run(hs, sz.w, sz.h)))
			})
		}
	}
}
