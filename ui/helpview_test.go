package ui

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// The picker's full help lists every key at 80 columns, on as many rows as it takes, and never
// cuts a column off.
func TestFullHelpListsEveryKeyAtAnyWidth(t *testing.T) {
	t.Parallel()
	keys := newKeyMap().picker
	for _, w := range []int{40, 60, 80, 120} {
		out := wrappedFullHelp(help.New(), keys.FullHelp(), w)
		for _, group := range keys.FullHelp() {
			for _, b := range group {
				if !strings.Contains(out, b.Help().Desc) {
					t.Errorf("width %d: %q (%s) is missing:\n%s", w, b.Help().Desc, b.Help().Key, out)
				}
			}
		}
		for _, line := range strings.Split(out, "\n") {
			if lipgloss.Width(line) > w {
				t.Errorf("width %d: a line is %d wide: %q", w, lipgloss.Width(line), line)
			}
		}
		if strings.Contains(out, "…") {
			t.Errorf("width %d: a column was cut:\n%s", w, out)
		}
	}
}

// At 80×24 the picker's ? shows every key (quit, rotate and push among them), with the list.
func TestPickerFullHelpFitsAt80x24(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, withActive)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 80, 24)
	hs.waitFor("✓ GitHub")
	hs.key("?")
	hs.waitFor("re-test all", "rotate token", "push to Devtron", "q quit", "? help", "✓ GitHub", "Gitea / Forgejo")
}
