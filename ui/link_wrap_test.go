package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

const atlassianTokens = "https://id.atlassian.com/manage-profile/security/api-tokens"

// TestWrapTextNeverSplitsAnAddress: the issue saw "https://id.atlassian.com/manage-" and
// "profile/security/api-tokens" on two lines (the wrap broke after the hyphen). An address is
// never broken: it moves to a line of its own, and one longer than the width stays whole there.
func TestWrapTextNeverSplitsAnAddress(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   string
		w    int
		want string // "" when only the properties are checked
	}{
		{name: "the issue's address, longer than the width", w: 40,
			in:   "create one at " + atlassianTokens + " (Create API token with scopes).",
			want: "create one at\n" + atlassianTokens + "\n(Create API token with scopes)."},
		{name: "an address that fits moves whole to the next line", w: 40,
			in:   "missing: tick it at https://github.com/settings/tokens",
			want: "missing: tick it at\nhttps://github.com/settings/tokens"},
		{name: "an address with hyphens at the end of a sentence", w: 30,
			in:   "cloned https://github.com/acme/gitopscfg-check-x1y2z3.git (an empty repository)",
			want: "cloned\nhttps://github.com/acme/gitopscfg-check-x1y2z3.git\n(an empty repository)"},
		{name: "an address alone, longer than the width", w: 20, in: atlassianTokens, want: atlassianTokens},
		{name: "an address in brackets, with a full stop", w: 25,
			in: "see (" + atlassianTokens + "). Then retry."},
		{name: "ordinary words still break after hyphens", w: 20,
			in:   "created private repository acme/gitopscfg-check-x1y2z3",
			want: "created private\nrepository\nacme/gitopscfg-\ncheck-x1y2z3"},
		{name: "an ordinary word longer than the width is cut", w: 10,
			in: "abcdefghijklmnopqrstuvwxyz end", want: "abcdefghij\nklmnopqrst\nuvwxyz end"},
		{name: "lines are kept", w: 30, in: "first line\n\nthird: " + atlassianTokens,
			want: "first line\n\nthird:\n" + atlassianTokens},
		{name: "short text is left alone", w: 80, in: "All checks passed", want: "All checks passed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := wrapText(tc.in, tc.w)
			if tc.want != "" && got != tc.want {
				t.Errorf("wrapText(%q, %d) =\n%s\nwant\n%s", tc.in, tc.w, got, tc.want)
			}
			checkAddressesWhole(t, tc.in, got, tc.w)
			hung := hangingWrap(tc.in, tc.w+2, 2)
			checkAddressesWhole(t, tc.in, strings.ReplaceAll(hung, "\n  ", "\n"), tc.w)
		})
	}
}

// checkAddressesWhole: every address of in is whole on one line of out, every line fits w cells
// unless it is one address, and no word was lost.
func checkAddressesWhole(t *testing.T, in, out string, w int) {
	t.Helper()
	lines := strings.Split(out, "\n")
	for _, word := range strings.Fields(in) {
		if !isAddress(word) {
			continue
		}
		whole := false
		for _, l := range lines {
			whole = whole || strings.Contains(l, word)
		}
		if !whole {
			t.Errorf("%q is split:\n%s", word, out)
		}
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > w && !(len(strings.Fields(l)) == 1 && isAddress(l)) {
			t.Errorf("line %q is wider than %d and not an address alone", l, w)
		}
	}
	if strings.Join(strings.Fields(in), "") != strings.Join(strings.Fields(out), "") {
		t.Errorf("the words changed:\n%q\n%q", in, out)
	}
}

// TestHyperlinksOnlyWhereSupported: OSC 8 hyperlinks need a terminal with colours (not NoTTY,
// not Ascii, so neither a pipe nor NO_COLOR), a known TERM that is not dumb or the Linux console.
func TestHyperlinksOnlyWhereSupported(t *testing.T) {
	t.Parallel()
	env := func(vars ...string) tea.EnvMsg { return tea.EnvMsg(vars) }
	for _, tc := range []struct {
		name string
		msgs []tea.Msg
		want bool
	}{
		{"true colour, xterm", []tea.Msg{tea.ColorProfileMsg{Profile: colorprofile.TrueColor}, env("TERM=xterm-256color")}, true},
		{"16 colours, screen", []tea.Msg{env("TERM=screen"), tea.ColorProfileMsg{Profile: colorprofile.ANSI}}, true},
		{"nothing known", nil, false},
		{"no environment known", []tea.Msg{tea.ColorProfileMsg{Profile: colorprofile.TrueColor}}, false},
		{"no profile known", []tea.Msg{env("TERM=xterm-256color")}, false},
		{"Ascii (NO_COLOR)", []tea.Msg{tea.ColorProfileMsg{Profile: colorprofile.Ascii}, env("TERM=xterm-256color")}, false},
		{"NoTTY", []tea.Msg{tea.ColorProfileMsg{Profile: colorprofile.NoTTY}, env("TERM=xterm-256color")}, false},
		{"NO_COLOR set", []tea.Msg{tea.ColorProfileMsg{Profile: colorprofile.TrueColor}, env("TERM=xterm-256color", "NO_COLOR=1")}, false},
		{"TERM=dumb", []tea.Msg{tea.ColorProfileMsg{Profile: colorprofile.ANSI256}, env("TERM=dumb")}, false},
		{"TERM=linux", []tea.Msg{tea.ColorProfileMsg{Profile: colorprofile.ANSI}, env("TERM=linux")}, false},
		{"no TERM", []tea.Msg{tea.ColorProfileMsg{Profile: colorprofile.TrueColor}, env("HOME=/root")}, false},
	} {
		var l terminalLinks
		for _, m := range tc.msgs {
			l.observe(m)
		}
		if got := l.supported(); got != tc.want {
			t.Errorf("%s: supported = %v, want %v", tc.name, got, tc.want)
		}
		screen := "tick it at " + atlassianTokens + "."
		shown := l.show(screen)
		if linked := strings.Contains(shown, "\x1b]8;"); linked != tc.want {
			t.Errorf("%s: hyperlink emitted = %v, want %v: %q", tc.name, linked, tc.want, shown)
		}
		if ansi.Strip(shown) != screen {
			t.Errorf("%s: the text changed: %q", tc.name, ansi.Strip(shown))
		}
	}
}

func TestLinkifyLinksWholeAddressesOnly(t *testing.T) {
	t.Parallel()
	link := func(u string) string { return "\x1b]8;;" + u + "\x1b\\" + u + "\x1b]8;;\x1b\\" }
	for _, tc := range []struct{ in, want string }{
		{"tick it at https://github.com/settings/tokens.", "tick it at " + link("https://github.com/settings/tokens") + "."},
		{"(see " + atlassianTokens + ")", "(see " + link(atlassianTokens) + ")"},
		{"a wiki https://en.wikipedia.org/wiki/Go_(language), ok", "a wiki " + link("https://en.wikipedia.org/wiki/Go_(language)") + ", ok"},
		{"\x1b[33mhttps://gitlab.example.com/\x1b[m", "\x1b[33m" + link("https://gitlab.example.com/") + "\x1b[m"},
		// not whole, or not to be linked
		{"cut https://id.atlassian.com/manage-prof…", "cut https://id.atlassian.com/manage-prof…"},
		{"https://user:s3cret@example.com/x", "https://user:s3cret@example.com/x"},
		{"xhttps://example.com and https:// alone", "xhttps://example.com and https:// alone"},
		{"<host>/settings/tokens/new", "<host>/settings/tokens/new"},
		// already linked: left alone
		{link("https://a.example/"), link("https://a.example/")},
	} {
		if got := linkify(tc.in); got != tc.want {
			t.Errorf("linkify(%q) =\n%q\nwant\n%q", tc.in, got, tc.want)
		}
		if got := stripLinks(linkify(tc.in)); got != stripLinks(tc.in) {
			t.Errorf("stripLinks(linkify(%q)) = %q", tc.in, got)
		}
	}
}

// TestTruncateKeepsTheWholeTarget: where a box cuts a line inside an address, its hyperlink still
// holds the whole address; without hyperlinks the line is cut as before.
func TestTruncateKeepsTheWholeTarget(t *testing.T) {
	t.Parallel()
	line := "  " + atlassianTokens
	cut := truncate(line, 40)
	if ansi.StringWidth(cut) != 40 || !strings.HasSuffix(ansi.Strip(cut), "…") {
		t.Fatalf("truncate = %q (%d cells)", cut, ansi.StringWidth(cut))
	}
	if !strings.Contains(cut, "\x1b]8;;"+atlassianTokens+"\x1b\\") {
		t.Errorf("the cut address lost its target: %q", cut)
	}
	if got, want := stripLinks(cut), ansi.Truncate(line, 40, "…"); got != want {
		t.Errorf("without hyperlinks: %q, want %q", got, want)
	}
	var on terminalLinks
	on.observe(tea.ColorProfileMsg{Profile: colorprofile.TrueColor})
	on.observe(tea.EnvMsg{"TERM=xterm"})
	if got := on.show(cut); strings.Count(got, "\x1b]8;;https") != 1 {
		t.Errorf("the root linked the cut address again: %q", got)
	}
}

// TestGoldensHoldNoHyperlink: goldens are drawn with the Ascii profile, where no hyperlink is
// ever emitted.
func TestGoldensHoldNoHyperlink(t *testing.T) {
	t.Parallel()
	n := 0
	err := filepath.WalkDir("testdata", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".golden") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		if strings.Contains(string(b), "\x1b]8;") {
			t.Errorf("%s holds an OSC 8 hyperlink", path)
		}
		return nil
	})
	if err != nil || n == 0 {
		t.Fatalf("walking the goldens: %v (%d files)", err, n)
	}
}
