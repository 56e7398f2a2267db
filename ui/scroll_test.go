package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/cursor"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// startTerm runs a model for opts at w×h with the fixed clock, canned check and a still spinner,
// on a terminal with the given colour profile and, when given, environment (the tests of what
// depends on them: hyperlinks); start is it without colours.
func startTerm(t testing.TB, opts Options, d deps, w, h int, profile colorprofile.Profile, env ...string) *harness {
	t.Helper()
	hs := &harness{t: t, store: opts.Store}
	if d.now == nil {
		d.now = func() time.Time { return fixedNow }
	}
	if d.check == nil {
		d.check = cannedCheck
	}
	if d.deep == nil {
		d.deep = cannedDeep
	}
	if d.watch == 0 {
		d.watch = -1
	}
	if d.debounce == 0 {
		d.debounce = 20 * time.Millisecond
	}
	d.still = true
	if opts.Who == "" {
		opts.Who = "tester (local)"
	}
	if opts.Env == nil {
		opts.Env = providers.NewEnv("test")
	}
	m := newModel(opts, d)
	noBlink := func(_ tea.Model, msg tea.Msg) tea.Msg {
		if _, ok := msg.(cursor.BlinkMsg); ok {
			return nil // a blinking cursor would make screens depend on timing
		}
		return msg
	}
	popts := []tea.ProgramOption{tea.WithColorProfile(profile), tea.WithFilter(noBlink)}
	if env != nil {
		popts = append(popts, tea.WithEnvironment(env))
	}
	hs.tm = teatest.NewTestModel(t, &observed{m: m, hs: hs}, teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(popts...))
	t.Cleanup(hs.stop)
	return hs
}

// press sends keys that keyPress (helpers_test.go) does not know.
func (hs *harness) press(k string) {
	msgs := map[string]tea.KeyPressMsg{
		"pgdown":     {Code: tea.KeyPgDown},
		"pgup":       {Code: tea.KeyPgUp},
		"shift+down": {Code: tea.KeyDown, Mod: tea.ModShift},
		"shift+up":   {Code: tea.KeyUp, Mod: tea.ModShift},
	}
	msg, ok := msgs[k]
	if !ok {
		hs.t.Fatalf("press: unknown key %q", k)
	}
	if msg.String() != k {
		hs.t.Fatalf("press: %q is %q to Bubble Tea", k, msg.String())
	}
	hs.tm.Send(msg)
}

// panelLines is the plain text of the check panel (the box under or beside the form).
func panelLines(screen string) string {
	var out []string
	for _, l := range strings.Split(plainText(screen), "\n") {
		if i := strings.Index(l, "│ "); i >= 0 {
			out = append(out, strings.TrimRight(l[i:], " │"))
		}
	}
	return strings.Join(out, "\n")
}

// scopesChecks are the ids tokScopes's check reports (cannedCheck).
var scopesChecks = []string{"auth:", "scope:repo:", "scope:delete_repo:", "scope:admin:org:", "org:", "expiry:"}

// TestPanelScrollsToEveryCheck: at 80×24 the checklist does not fit; instead of "… 4 more: a
// larger terminal shows them all" it says how many lines are hidden below, pgdn shows them (and
// how many are now hidden above), pgup goes back.
func TestPanelScrollsToEveryCheck(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, withToken(tokScopes))
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 80, 24)
	hs.waitFor("configured")
	hs.key("enter")
	first := panelLines(hs.waitFor("1 check failed", "↓ 6 more lines (pgdn)"))
	if strings.Contains(first, "↑") || strings.Contains(first, "expiry:") || strings.Contains(first, "larger terminal") {
		t.Fatalf("the first page shows more than it should:\n%s", first)
	}
	if !strings.Contains(first, "✗ scope:delete_repo:") {
		t.Fatalf("the failure is not on the first page:\n%s", first)
	}
	seen := first
	hs.press("pgdown")
	seen += panelLines(hs.waitFor("↑ 3 more lines (pgup)", "↓ 4 more lines (pgdn)"))
	hs.press("pgdown")
	last := panelLines(hs.waitFor("↑ 6 more lines (pgup)", "expiry: unknown"))
	if strings.Contains(last, "↓") {
		t.Fatalf("the last page still says more is below:\n%s", last)
	}
	seen += last
	for _, id := range scopesChecks {
		if !strings.Contains(seen, id) {
			t.Errorf("%s never showed while scrolling", id)
		}
	}
	hs.press("pgdown") // at the end: stays there
	hs.press("shift+up")
	hs.waitFor("↑ 5 more lines (pgup)", "↓ 2 more lines (pgdn)")
	hs.press("pgup")
	hs.press("pgup")
	hs.press("pgup")
	top := panelLines(hs.waitFor("↓ 6 more lines (pgdn)"))
	if strings.Contains(top, "↑") {
		t.Fatalf("back at the top, it still says more is above:\n%s", top)
	}
}

// TestScrollKeysNeverReachTheForm: the editor's text field always has the focus, so the scroll
// keys must neither type, nor move the focus, nor restart the check; letters (a viewport's j, k,
// f, b, space) still type.
func TestScrollKeysNeverReachTheForm(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, withToken(tokScopes))
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 80, 24)
	hs.waitFor("configured")
	hs.key("enter")
	hs.waitFor("↓ 6 more lines (pgdn)")
	hs.mu.Lock()
	focus, from := hs.focus, len(hs.history)
	hs.mu.Unlock()
	for _, k := range []string{"pgdown", "shift+down", "pgup", "shift+up", "pgdown"} {
		hs.press(k)
	}
	hs.waitFor("↑ 3 more lines (pgup)", "↓ 4 more lines (pgdn)", "> https://github.com/ ")
	hs.mu.Lock()
	for _, scr := range hs.history[from:] {
		if p := plainText(scr); strings.Contains(p, "Waiting for you to pause typing") || !strings.Contains(p, "> https://github.com/ ") {
			t.Errorf("a scroll key reached the form:\n%s", p)
		}
	}
	if hs.focus != focus {
		t.Errorf("scrolling moved the focus from %q to %q", focus, hs.focus)
	}
	hs.mu.Unlock()
	hs.typ("jk fb")
	hs.waitFor("> https://github.com/jk fb")
}

// TestScrollHelpNamesTheKeys: the help line names the scroll keys while there is something to
// scroll and they fit; at 80 columns they do not, and the indicator names them.
func TestScrollHelpNamesTheKeys(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		w, h     int
		overflow bool
		inHelp   bool
	}{{100, 20, true, true}, {80, 24, true, false}, {120, 40, false, false}} {
		_, s := newStore(t, withToken(tokScopes))
		hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, tc.w, tc.h)
		hs.waitFor("configured")
		hs.key("enter")
		last := "expiry: unknown" // the last check, when all show
		if tc.overflow {
			last = "more lines (pgdn)"
		}
		scr := plainText(hs.waitFor("1 check failed", last, "esc leave"))
		lines := strings.Split(scr, "\n")
		help := lines[len(lines)-1]
		if got := strings.Contains(help, "pgup/pgdn scroll"); got != tc.inHelp {
			t.Errorf("%d×%d: scroll keys in the help = %v, want %v: %q", tc.w, tc.h, got, tc.inHelp, help)
		}
		if got := strings.Contains(scr, "more lines (pgdn)"); got != tc.overflow {
			t.Errorf("%d×%d: indicator shown = %v, want %v:\n%s", tc.w, tc.h, got, tc.overflow, scr)
		}
		if lipWidth := len([]rune(help)); lipWidth > tc.w {
			t.Errorf("%d×%d: the help is %d cells wide", tc.w, tc.h, lipWidth)
		}
		hs.stop()
	}
}

// TestRoundTripScrolls: when even one line per stage does not fit, the round trip's checklist
// scrolls instead of being cut.
func TestRoundTripScrolls(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, withToken(tokLeftOver))
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 80, 20)
	hs.waitFor("configured")
	hs.roundTrip()
	scr := plainText(hs.waitFor("recorded as GitHub's last round trip", "more lines (pgdn)", "pgup/pgdn scroll"))
	if strings.Contains(scr, "clean up after") {
		t.Fatalf("the end of deep:delete shows at once; the test needs a smaller screen:\n%s", scr)
	}
	for range 6 {
		hs.press("pgdown")
	}
	scr = plainText(hs.waitFor("clean up after", "↑"))
	if strings.Contains(scr, "more lines (pgdn)") {
		t.Fatalf("at the end, more is said to be below:\n%s", scr)
	}
	hs.key("esc")
	hs.waitFor("GitHub: the round trip LEFT A REPOSITORY BEHIND")
}

// the retest-all and warning scenarios share these checks.

// warnCheck is cannedCheck where the token lacks admin:org, which only warns.
func warnCheck(ctx context.Context, env *providers.Env, c providers.Credentials) providers.Result {
	r := cannedCheck(ctx, env, c)
	for i, ch := range r.Checks {
		if ch.ID == "scope:admin:org" && r.OK {
			r.Checks[i].Status = providers.Warn
			r.Checks[i].Message = "missing: listed in the GitOps platform's documentation; no GitOps call needs it"
		}
	}
	r.Finish()
	return r
}

// byProvider passes GitHub, Bitbucket and Gitea, fails GitLab and passes Azure with a warning.
func byProvider(ctx context.Context, env *providers.Env, c providers.Credentials) providers.Result {
	switch c.Provider {
	case providers.GitLab:
		c.Token = tokScopes
	case providers.Azure:
		c.Token = tokPass
		return warnCheck(ctx, env, c)
	default:
		c.Token = tokPass
	}
	return cannedCheck(ctx, env, c)
}

// allFive stores the five providers, GitHub active.
func allFive(d *config.Data) {
	withActive(d)
	d.Credentials["bitbucket"] = stored("bitbucket", "https://bitbucket.org/", "acme", "jdoe@example.com", "ATATT3xFfGF0cannedToken00000000000000", nil)
	d.Credentials["gitea"] = stored("gitea", "https://gitea.example.com/", "acme", "jdoe", "0123456789abcdef0123456789abcdef01234567", nil)
}

// roundTrip starts the round trip of the selected provider from the picker, answering yes when
// the picker asks first.
func (hs *harness) roundTrip() {
	hs.t.Helper()
	hs.key("r")
	if strings.Contains(hs.waitUntil("the round trip or its question", func(plain string) bool {
		return strings.Contains(plain, "round-trip test") || strings.Contains(plain, "Go on?")
	}), "Go on?") {
		hs.key("y")
	}
}
