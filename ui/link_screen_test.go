package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
)

// longAddressCheck fails Bitbucket's delete scope with the address of its token page (the
// issue's "https://id.atlassian.com/manage-" / "profile/security/api-tokens").
func longAddressCheck(ctx context.Context, env *providers.Env, c providers.Credentials) providers.Result {
	if c.Provider != providers.Bitbucket {
		return cannedCheck(ctx, env, c)
	}
	r := providers.Result{Provider: c.Provider, Host: c.Host, DurationMS: 12, User: "jdoe"}
	r.Add(providers.CheckAuth, providers.Pass, "authenticated as jdoe@example.com")
	r.Add("scope:delete:repository:bitbucket", providers.Fail, "missing: needed to delete the throw-away repository; create a token with it at "+
		atlassianTokens+" (Create API token with scopes, app: Bitbucket)")
	r.Add(providers.CheckOrg, providers.Pass, "workspace acme: you may create and delete its repositories")
	r.Finish()
	return r
}

func withBitbucket(d *config.Data) {
	d.Credentials["bitbucket"] = stored("bitbucket", "https://bitbucket.org/", "acme", "jdoe@example.com", "ATATT3xFfGF0cannedToken00000000000000", nil)
	d.Active = "bitbucket"
}

// openBitbucket opens the stored Bitbucket's editor and waits for its failed check.
func openBitbucket(hs *harness) string {
	hs.waitFor("configured")
	hs.key("enter")
	return hs.waitFor("1 check failed: scope:delete:repository:bitbucket", "(Create API")
}

// TestScreenLinksOnlyWhereSupported: on a terminal with colours and a known TERM, addresses are
// OSC 8 hyperlinks to the whole address, even the one the box cuts; with NO_COLOR (the Ascii
// profile, or the variable), TERM=dumb or no TERM, no hyperlink is ever emitted.
func TestScreenLinksOnlyWhereSupported(t *testing.T) {
	t.Parallel()
	const target = "\x1b]8;;" + atlassianTokens + "\x1b\\"
	for _, tc := range []struct {
		name    string
		profile colorprofile.Profile
		env     []string
		links   bool
	}{
		{"true colour, xterm", colorprofile.TrueColor, []string{"TERM=xterm-256color"}, true},
		{"256 colours, tmux", colorprofile.ANSI256, []string{"TERM=tmux-256color"}, true},
		{"Ascii (NO_COLOR)", colorprofile.Ascii, []string{"TERM=xterm-256color", "NO_COLOR=1"}, false},
		{"NO_COLOR with a colour profile", colorprofile.TrueColor, []string{"TERM=xterm-256color", "NO_COLOR=1"}, false},
		{"TERM=dumb", colorprofile.ANSI, []string{"TERM=dumb"}, false},
		{"no TERM", colorprofile.TrueColor, []string{"HOME=/nonexistent"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, sz := range sizes {
				_, s := newStore(t, withBitbucket)
				hs := startTerm(t, Options{Store: s, ConfigDir: s.Dir()}, deps{check: longAddressCheck}, sz.w, sz.h, tc.profile, tc.env...)
				scr := openBitbucket(hs)
				if !tc.links {
					hs.mu.Lock()
					for _, h := range hs.history {
						if strings.Contains(h, "\x1b]8;") {
							t.Errorf("%d×%d: a hyperlink on a terminal without them:\n%q", sz.w, sz.h, h)
							break
						}
					}
					hs.mu.Unlock()
					hs.stop()
					continue
				}
				if !strings.Contains(scr, target) {
					t.Errorf("%d×%d: the token page is not linked to its whole address:\n%q", sz.w, sz.h, scr)
				}
				if cut := kit.LineOf(scr, "securi…"); sz.w == 120 && !strings.Contains(cut, target) {
					t.Errorf("%d×%d: the address the panel cuts lost its whole target: %q", sz.w, sz.h, cut)
				}
				if !strings.Contains(scr, "\x1b]8;;https://bitbucket.org/\x1b\\") {
					t.Errorf("%d×%d: the host in the form is not linked", sz.w, sz.h)
				}
				if plain := plainText(scr); strings.Contains(plain, "manage-\n") || strings.Contains(plain, "manage- ") {
					t.Errorf("%d×%d: the address is broken:\n%s", sz.w, sz.h, plain)
				}
				hs.stop()
			}
		})
	}
}

// TestLinksNeverCarryAToken: with hyperlinks on, no screen holds the token, in its text or in a
// link's target, through the editor, its check and a round trip.
func TestLinksNeverCarryAToken(t *testing.T) {
	t.Parallel()
	const canary = "ghp_CANARYlinks0000000000000000000000042"
	_, s := newStore(t, withToken(canary))
	hs := startTerm(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40, colorprofile.TrueColor, "TERM=xterm-256color")
	hs.waitFor("configured")
	hs.key("enter")
	if !strings.Contains(hs.waitFor("All checks passed"), "\x1b]8;;https://github.com/\x1b\\") {
		t.Fatal("hyperlinks are off: this test proves nothing")
	}
	hs.key("esc")
	hs.waitFor("configured")
	hs.roundTrip()
	hs.waitFor("recorded as GitHub's last round trip")
	hs.key("esc")
	hs.waitFor("GitHub: round trip passed")
	hs.mu.Lock()
	defer hs.mu.Unlock()
	for _, h := range hs.history {
		for _, part := range []string{canary, canary[4:20], "CANARYlinks"} {
			if strings.Contains(h, part) {
				t.Fatalf("a screen holds the token (%q):\n%q", part, h)
			}
		}
	}
}
