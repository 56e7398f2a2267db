package ui

import (
	"fmt"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// Golden screens: run with -update to regenerate testdata/TestGolden/….golden.

var sizes = []struct{ w, h int }{{80, 24}, {120, 40}}

// scenario drives a session to one screen and returns it once it is there.
type scenario struct {
	name  string
	store func(d *config.Data) // nil: no store at all (the wizard)
	empty bool                 // a store with nothing configured
	run   func(hs *harness) string
}

func configured(d *config.Data) {
	d.Credentials["github"] = stored("github", "https://github.com/", "acme", "octocat", tokPass, &config.CheckRecord{
		At: fixedNow.Add(-5 * time.Minute), OK: true, User: "octocat", ExpiresAt: ptrTime(fixedNow.Add(89 * 24 * time.Hour))})
	d.Credentials["gitlab"] = stored("gitlab", "https://gitlab.example.com/", "acme/gitops", "jdoe", "glpat-cannedToken000000000", &config.CheckRecord{
		At: fixedNow.Add(-3 * time.Hour), OK: false, User: "jdoe"})
}

func withActive(d *config.Data) {
	configured(d)
	d.Credentials["azure"] = stored("azure", "https://dev.azure.com/acme/", "gitops", "jdoe@example.com", "azcannedtoken00000000000000000000", &config.CheckRecord{
		At: fixedNow.Add(-26 * time.Hour), OK: true, ExpiresAt: ptrTime(fixedNow.Add(6 * 24 * time.Hour))})
	d.Active = "github"
}

// withRoundTrips adds round-trip records: GitHub's passed after its last check, GitLab's failed.
func withRoundTrips(d *config.Data) {
	withActive(d)
	d.Credentials["github"].LastDeep = &config.CheckRecord{At: fixedNow.Add(-2 * time.Minute), OK: true, Deep: true,
		User: "octocat", ExpiresAt: ptrTime(fixedNow.Add(89 * 24 * time.Hour))}
	d.Credentials["gitlab"].LastDeep = &config.CheckRecord{At: fixedNow.Add(-4 * time.Hour), OK: false, Deep: true, User: "jdoe"}
}

func withToken(tok string) func(d *config.Data) {
	return func(d *config.Data) {
		d.Credentials["github"] = stored("github", "https://github.com/", "acme", "octocat", tok, nil)
	}
}

func scenarios() []scenario {
	var out []scenario
	out = append(out,
		scenario{name: "picker_empty", empty: true, run: func(hs *harness) string { return hs.waitFor("not configured", "q quit") }},
		scenario{name: "picker_configured", store: configured, run: func(hs *harness) string { return hs.waitFor("last check FAILED") }},
		scenario{name: "picker_active", store: withActive, run: func(hs *harness) string { return hs.waitFor("✓ GitHub", "expires in 6 days") }},
		scenario{name: "picker_round_trips", store: withRoundTrips, run: func(hs *harness) string {
			return hs.waitFor("round trip passed 2 min ago", "round trip FAILED 4 h ago")
		}},
		// a second GitHub credential under GitHub's, the active one
		scenario{name: "picker_two_githubs", store: func(d *config.Data) { twoGitHubs(d); d.Active = "acme-infra" }, run: func(hs *harness) string {
			return hs.waitFor("✓ acme-infra (GitHub)", "Gitea / Forgejo")
		}},
		// more credentials than 80×24 holds: the list scrolls to the selected row
		scenario{name: "picker_scrolled", store: func(d *config.Data) { manyCredentials(d); d.Active = "ci-6" }, run: func(hs *harness) string {
			return hs.waitFor("✓ ci-6 (GitHub)")
		}},
		// adding a credential: its provider, then its name
		scenario{name: "add_1_provider", store: withActive, run: func(hs *harness) string {
			hs.waitFor("✓ GitHub")
			hs.key("n")
			return hs.waitFor("Step 1 of 3", "esc back to the list")
		}},
		scenario{name: "add_2_name", store: withActive, run: func(hs *harness) string {
			hs.waitFor("✓ GitHub")
			hs.key("n")
			hs.waitFor("Step 1 of 3")
			hs.key("enter")
			return hs.waitFor("Step 2 of 3", "github-2", "esc back to the provider")
		}},
	)
	for i, p := range providers.All() {
		out = append(out, scenario{name: "editor_" + string(p.ID), empty: true, run: func(hs *harness) string {
			hs.waitFor("not configured")
			for range i {
				hs.key("down")
			}
			hs.key("enter")
			return hs.waitFor(p.Name+" · new", "Live check", "Fill in the fields")
		}})
	}
	for _, pc := range []struct{ name, tok, want string }{
		{"panel_checking", tokBlock, "Checking https://github.com/"},
		{"panel_passing", tokPass, "All checks passed"},
		{"panel_missing_scopes", tokScopes, "1 check failed"},
		{"panel_network_error", tokNet, "Could not reach the provider"},
	} {
		out = append(out, scenario{name: pc.name, store: withToken(pc.tok), run: func(hs *harness) string {
			hs.waitFor("configured")
			hs.key("enter")
			return hs.waitFor(pc.want)
		}})
	}
	// The token field focused: its input line shows even at 80×24, under help cut to the room.
	out = append(out, scenario{name: "editor_token_focused", store: withToken(tokPass), run: func(hs *harness) string {
		hs.waitFor("configured")
		hs.key("enter")
		hs.waitFor("All checks passed")
		hs.tab() // org
		hs.tab() // username
		hs.tab() // token
		return hs.waitFor("Scopes to tick: repo", "> ******")
	}})
	for _, rc := range []struct{ name, tok, want string }{
		{"roundtrip_running", tokBlock, "deep:clone: cloning over HTTPS"},
		{"roundtrip_passed", tokPass, "recorded as GitHub's last round trip"},
		{"roundtrip_left_over", tokLeftOver, "recorded as GitHub's last round trip"},
	} {
		out = append(out, scenario{name: rc.name, store: withToken(rc.tok), run: func(hs *harness) string {
			hs.waitFor("configured")
			hs.key("r", "y") // r asks first: it creates and deletes a repository
			return hs.waitFor(rc.want)
		}})
	}
	out = append(out,
		scenario{name: "wizard_1_welcome", run: func(hs *harness) string { return hs.waitFor("Welcome to gitopscfg") }},
		scenario{name: "wizard_2_protection", run: func(hs *harness) string {
			hs.waitFor("Welcome to gitopscfg")
			hs.key("enter")
			return hs.waitFor("How should the store be protected?")
		}},
		scenario{name: "wizard_3_passphrase", run: func(hs *harness) string {
			hs.waitFor("Welcome to gitopscfg")
			hs.key("enter")
			hs.waitFor("How should the store be protected?")
			hs.key("down", "enter")
			hs.waitFor("New passphrase")
			hs.typ("Correct horse 42")
			return hs.waitFor("strength: strong")
		}},
		scenario{name: "wizard_4_provider", run: func(hs *harness) string {
			hs.waitFor("Welcome to gitopscfg")
			hs.key("enter")
			hs.waitFor("How should the store be protected?")
			hs.key("enter")
			return hs.waitFor("Which Git provider")
		}},
		scenario{name: "wizard_5_form", run: func(hs *harness) string {
			hs.waitFor("Welcome to gitopscfg")
			hs.key("enter")
			hs.waitFor("How should the store be protected?")
			hs.key("enter")
			hs.waitFor("Which Git provider")
			hs.key("enter")
			return hs.waitFor("step 3 of 3", "Live check")
		}},
	)
	return out
}

func TestGolden(t *testing.T) {
	t.Parallel()
	for _, sc := range scenarios() {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s/%dx%d", sc.name, sz.w, sz.h), func(t *testing.T) {
				t.Parallel()
				opts := Options{ConfigDir: "/nonexistent/gitopscfg-golden"}
				if sc.store != nil || sc.empty {
					_, s := newStore(t, sc.store)
					opts.Store = s
					opts.ConfigDir = s.Dir()
				}
				hs := start(t, opts, deps{}, sz.w, sz.h)
				sc.run(hs)
				teatest.RequireEqualOutput(t, ascii(hs.settle()))
			})
		}
	}
}
