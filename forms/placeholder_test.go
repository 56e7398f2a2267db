package forms

import (
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"

	"gitopscfg/providers"
)

// TestPlaceholdersReadAsExamples: with NO_COLOR the placeholder is not dim, so an empty input
// showing "81234567 or acme/gitops" reads as a value. Every placeholder says "e.g." first, and
// the form shows it so once its styles are gone.
func TestPlaceholdersReadAsExamples(t *testing.T) {
	t.Parallel()
	seen := 0
	for _, p := range providers.All() {
		var empty providers.Credentials
		view := stripStyles(render(New(p, &empty)))
		for _, f := range p.Fields {
			if f.CommandLineOnly {
				continue // no form shows it
			}
			ph := placeholder(f)
			want := f.Placeholder
			if want == "" {
				want = f.Example
			}
			if want == "" {
				if ph != "" {
					t.Errorf("%s %s: a placeholder %q without an example", p.ID, f.Key, ph)
				}
				continue
			}
			seen++
			if ph != "e.g. "+want {
				t.Errorf("%s %s: placeholder %q, want %q", p.ID, f.Key, ph, "e.g. "+want)
			}
			if f.Advanced || !f.AppliesTo(empty.Kind) {
				continue // in the second group, not shown until the first is done; or of another kind
			}
			if !strings.Contains(view, "> "+ph) {
				t.Errorf("%s %s: the empty input does not show %q:\n%s", p.ID, f.Key, "> "+ph, view)
			}
			if strings.Contains(view, "> "+want) {
				t.Errorf("%s %s: an input shows the bare example %q as if it were a value", p.ID, f.Key, want)
			}
		}
	}
	if seen < 10 {
		t.Fatalf("only %d placeholders checked", seen)
	}
}

// stripStyles is a view as a terminal without colours or attributes shows it (NO_COLOR at worst
// keeps bold, never dim).
func stripStyles(s string) string {
	var b strings.Builder
	w := &colorprofile.Writer{Forward: &b, Profile: colorprofile.NoTTY}
	_, _ = w.Write([]byte(s))
	return b.String()
}
