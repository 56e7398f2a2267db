package ui

import (
	"testing"
)

// Removing the active provider says that none is active now and offers another to activate;
// the notice fits 80×24.
func TestPickerRemovingTheActiveProviderSaysSo(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, withActive)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 80, 24)
	hs.waitFor("✓ GitHub")
	hs.key("d")
	hs.waitFor("Remove GitHub")
	hs.key("y")
	hs.waitFor("GitHub was removed", "It was the active provider", "press a on GitLab")
	if d := load(t, s); d.Active != "" || d.Credentials["github"] != nil {
		t.Fatalf("store: active %q, github %v", d.Active, d.Credentials["github"])
	}
}
