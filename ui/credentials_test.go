package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// infraLabel is how the UI names the second GitHub credential of twoGitHubs.
const infraLabel = "acme-infra (GitHub)"

// twoGitHubs is withActive (GitHub active and checked, GitLab failed, Azure DevOps checked) and
// acme-infra, a second GitHub credential for the organisation acme-infra, checked.
func twoGitHubs(d *config.Data) {
	withActive(d)
	d.Credentials["acme-infra"] = stored("github", "https://github.com/", "acme-infra", "octocat", tokPass,
		&config.CheckRecord{At: fixedNow.Add(-10 * time.Minute), OK: true, User: "octocat"})
}

// lineIndex is the number of the first line of screen that holds sub (-1: none).
func lineIndex(screen, sub string) int {
	for i, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, sub) {
			return i
		}
	}
	return -1
}

// TestPickerListsCredentialsUnderTheirProvider: a second GitHub credential has a row of its own
// right under GitHub's, before GitLab's, named with its provider, with its own place and checks;
// the ✓ goes with the active credential, and only with it.
func TestPickerListsCredentialsUnderTheirProvider(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, func(d *config.Data) {
		twoGitHubs(d)
		d.Active = "acme-infra"
	})
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40)
	scr := plainText(hs.waitFor(infraLabel))
	gh, infra, gl := lineIndex(scr, "GitHub   "), lineIndex(scr, infraLabel), lineIndex(scr, "GitLab   ")
	if gh < 0 || !(gh < infra && infra < gl) {
		t.Fatalf("the rows are not GitHub, %s, GitLab in that order (%d, %d, %d):\n%s", infraLabel, gh, infra, gl, scr)
	}
	lines := strings.Split(scr, "\n")
	if row := lines[infra]; !strings.Contains(row, "✓ "+infraLabel) || !strings.Contains(row, "active · configured") {
		t.Errorf("the active credential's row: %q", row)
	}
	if row := lines[gh]; strings.Contains(row, "✓") || strings.Contains(row, "active") {
		t.Errorf("GitHub's row, not the active credential: %q", row)
	}
	if where := lines[infra+1]; !strings.Contains(where, "organisation acme-infra") {
		t.Errorf("the second credential's place: %q", where)
	}
	if got := cursorLine(scr); got != infra {
		t.Errorf("the cursor is on line %d, not on the active credential's row (%d):\n%s", got, infra, scr)
	}
	if strings.Count(scr, "not configured") != 3 {
		t.Errorf("Bitbucket, Gitea and the generic provider keep their \"not configured\" rows:\n%s", scr)
	}
}

// TestPickerActsOnTheSelectedCredential: activate, re-test and remove act on the credential of
// the row selected, by name, never on the other credential of its provider.
func TestPickerActsOnTheSelectedCredential(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, twoGitHubs)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40)
	hs.waitFor(infraLabel)
	hs.key("down") // from GitHub (active) to acme-infra
	hs.waitUntil("the cursor on "+infraLabel, func(plain string) bool { return cursorOn(plain, infraLabel) })
	hs.key("a")
	hs.waitFor(infraLabel + " is now the active credential")
	if d := load(t, s); d.Active != "acme-infra" {
		t.Fatalf("active: %q", d.Active)
	}
	before := load(t, s).Credentials["github"].LastCheck
	hs.key("t")
	hs.waitFor(infraLabel + ": all checks passed")
	d := load(t, s)
	if r := d.Credentials["acme-infra"].LastCheck; r == nil || !r.At.Equal(fixedNow) {
		t.Errorf("acme-infra's re-test was not recorded as its last check: %+v", r)
	}
	if r := d.Credentials["github"].LastCheck; r == nil || !r.At.Equal(before.At) {
		t.Errorf("GitHub's last check changed with acme-infra's re-test: %+v", r)
	}
	hs.key("d")
	hs.waitFor("Remove " + infraLabel + " and its token from the store?")
	hs.key("y")
	hs.waitFor(infraLabel + " was removed. It was the active credential")
	d = load(t, s)
	if d.Credentials["acme-infra"] != nil || d.Credentials["github"] == nil {
		t.Fatalf("after removing acme-infra the store holds %v", usecaseNames(d))
	}
	if scr := plainText(hs.screen()); strings.Contains(scr, infraLabel+"   ") {
		t.Errorf("the removed credential's row stays:\n%s", scr)
	}
}

// TestPickerEditsTheSelectedCredential: enter on the second GitHub credential opens its own
// settings, named, and a save keeps them under its name.
func TestPickerEditsTheSelectedCredential(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, twoGitHubs)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40)
	hs.waitFor(infraLabel)
	hs.key("down")
	hs.waitUntil("the cursor on "+infraLabel, func(plain string) bool { return cursorOn(plain, infraLabel) })
	hs.key("enter")
	scr := hs.waitFor(infraLabel+" · editing", "acme-infra")
	if strings.Contains(plainText(scr), "GitHub · editing") {
		t.Fatalf("the editor is GitHub's:\n%s", plainText(scr))
	}
	hs.waitFor("All checks passed")
	hs.key("ctrl+s")
	hs.waitFor("Saved. Make " + infraLabel + " the active credential?")
	hs.key("n")
	hs.waitFor("Saved " + infraLabel)
	if d := load(t, s); d.Credentials["acme-infra"].Org != "acme-infra" || d.Credentials["github"].Org != "acme" {
		t.Fatalf("orgs after the save: acme-infra %q, github %q", d.Credentials["acme-infra"].Org, d.Credentials["github"].Org)
	}
	if scr := plainText(hs.screen()); cursorLine(scr) != lineIndex(scr, infraLabel) {
		t.Errorf("back on the list, the cursor left the credential edited:\n%s", scr)
	}
}

// cursorOn reports whether the picker's cursor is on the row of label.
func cursorOn(plain, label string) bool {
	i := cursorLine(plain)
	return i >= 0 && strings.Contains(strings.Split(plain, "\n")[i], label+"   ")
}

// cursorLine is the number of the line that starts with the picker's cursor (-1: none).
func cursorLine(plain string) int {
	for i, l := range strings.Split(plain, "\n") {
		if strings.HasPrefix(l, "›") {
			return i
		}
	}
	return -1
}

// usecaseNames lists d's credential names, for messages.
func usecaseNames(d *config.Data) []string {
	var out []string
	for _, e := range entries(d) {
		if e.name != "" {
			out = append(out, e.name)
		}
	}
	return out
}

// TestPickerRoundTripOfTheSelectedCredential: r on the second GitHub credential asks about its
// organisation and records the round trip as its own.
func TestPickerRoundTripOfTheSelectedCredential(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, twoGitHubs)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40)
	hs.waitFor(infraLabel)
	hs.key("down", "r")
	hs.waitFor("Round trip of " + infraLabel + ": it creates and deletes a private throw-away repository in organisation acme-infra")
	hs.key("y")
	hs.waitFor("recorded as " + infraLabel + "'s last round trip")
	hs.handled("the round trip recorded", 1, func(m tea.Msg) bool { r, ok := m.(deepRecordedMsg); return ok && r.err == nil })
	d := load(t, s)
	if d.Credentials["acme-infra"].LastDeep == nil || d.Credentials["github"].LastDeep != nil {
		t.Fatalf("round trips: acme-infra %v, github %v", d.Credentials["acme-infra"].LastDeep, d.Credentials["github"].LastDeep)
	}
}

// TestPickerShowsWhichCredentialDevtronHolds: Devtron holds one configuration per provider; each
// credential's row says whether it is the one held (in sync), or which other credential of its
// provider is held there. A push of the second GitHub credential says that it replaces the first
// there, and then the rows swap.
func TestPickerShowsWhichCredentialDevtronHolds(t *testing.T) {
	t.Parallel()
	r := newDevtronRig(t)
	if _, err := r.s.Update(t.Context(), "test", config.ActionSet, config.AnyRevision, func(d *config.Data) error {
		twoGitHubs(d)
		d.Active = "github"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	hs := start(t, Options{Store: r.s, ConfigDir: r.s.Dir()}, deps{}, 120, 40)
	hs.waitUntil("the comparison", func(plain string) bool { return strings.Count(plain, "Devtron: not there") == 4 })
	r.push(t, providers.GitHub, false) // the command line pushes GitHub meanwhile
	hs.tm.Send(tea.FocusMsg{})
	hs.waitUntil("GitHub held, acme-infra not", func(plain string) bool {
		return strings.Contains(rowOf(plain, "GitHub"), "Devtron: in sync, active there") &&
			strings.Contains(rowOf(plain, infraLabel), "Devtron: holds github")
	})
	hs.key("down", "p")
	waitForText(hs, "Push "+infraLabel+" to Devtron at "+r.url+"? Devtron holds one configuration per provider: the push replaces GitHub's there.")
	hs.key("y")
	waitForText(hs, infraLabel+": Devtron validated and saved the configuration")
	hs.waitUntil("acme-infra held, GitHub not", func(plain string) bool {
		return strings.Contains(rowOf(plain, infraLabel), "Devtron: in sync, active there") &&
			strings.Contains(rowOf(plain, "GitHub"), "Devtron: holds acme-infra")
	})
	if rows := r.dt.Rows(); len(rows) != 1 || rows[0].Provider != "GITHUB" || rows[0].GitHubOrgID != "acme-infra" {
		t.Fatalf("Devtron holds %+v", rows)
	}
	noTokenOnScreen(t, hs, devtronCanaryUI, tokPass)
}

// manyCredentials is withActive and six more GitHub credentials: more rows than 80×24 holds.
func manyCredentials(d *config.Data) {
	withActive(d)
	for _, n := range []string{"ci-1", "ci-2", "ci-3", "ci-4", "ci-5", "ci-6"} {
		d.Credentials[n] = stored("github", "https://github.com/", n, "octocat", tokPass, nil)
	}
}

// TestPickerScrollsAtEightyByTwentyFour: with more credentials than 80×24 holds, the list scrolls:
// the selected row always shows, whole, the hidden lines are counted above and below, the
// help stays, and no frame is taller than the terminal; pgdn and pgup move a window's height.
func TestPickerScrollsAtEightyByTwentyFour(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, manyCredentials)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 80, 24)
	scr := plainText(hs.waitFor("ci-1 (GitHub)", "q quit"))
	if !strings.Contains(scr, "more lines (pgdn)") || strings.Contains(scr, "(pgup)") {
		t.Fatalf("the list's top, with more below:\n%s", scr)
	}
	labels := []string{"GitHub", "ci-1 (GitHub)", "ci-2 (GitHub)", "ci-3 (GitHub)", "ci-4 (GitHub)", "ci-5 (GitHub)", "ci-6 (GitHub)",
		"GitLab", "Azure DevOps", "Bitbucket Cloud", "Gitea / Forgejo"}
	for _, label := range labels[1:] {
		hs.key("down")
		scr = plainText(hs.waitUntil("the cursor on "+label, func(plain string) bool { return cursorOn(plain, label) }))
		if label != "Bitbucket Cloud" && label != "Gitea / Forgejo" {
			// the selected row shows whole: its place under it
			if next := strings.Split(scr, "\n")[cursorLine(scr)+1]; !strings.Contains(next, "https://") {
				t.Fatalf("%s's row is cut off:\n%s", label, scr)
			}
		}
	}
	if !strings.Contains(scr, "more lines (pgup)") || strings.Contains(scr, "(pgdn)") || !strings.Contains(scr, "q quit") {
		t.Fatalf("the list's end, with more above:\n%s", scr)
	}
	hs.key("pgup") // from the last row, a window's height up: a GitHub credential's row
	hs.waitUntil("pgup moved the cursor", func(plain string) bool { return cursorOn(plain, "ci-3 (GitHub)") })
	for _, label := range []string{"ci-2 (GitHub)", "ci-1 (GitHub)", "GitHub"} {
		hs.key("up")
		hs.waitUntil("the cursor on "+label, func(plain string) bool { return cursorOn(plain, label) })
	}
	if scr = plainText(hs.screen()); strings.Contains(scr, "(pgup)") || !strings.Contains(scr, "(pgdn)") {
		t.Fatalf("back at the list's top:\n%s", scr)
	}
	hs.key("pgdown")
	hs.waitUntil("pgdn moved the cursor", func(plain string) bool { return cursorOn(plain, "GitLab") })
	fitsScreen(t, hs, 80, 24)
}

// TestPickerAddsAGitHubApp: a provider that takes other kinds of credential asks which beside
// the name; a GitHub App's form then asks for the App's ID and private key, not for a user and a
// token, and so does Azure DevOps's for a service principal.
func TestPickerAddsAGitHubApp(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		provider, down string
		want, never    []string
	}{
		{"GitHub", "", []string{"GitHub App ID", "GitHub App Private Key"}, []string{"Personal Access Token"}},
		{"Azure DevOps", "j", []string{"Tenant ID", "Client ID"}, []string{"Azure DevOps Access Token"}},
	} {
		t.Run(c.provider, func(t *testing.T) {
			t.Parallel()
			_, s := newStore(t, withActive)
			hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40)
			hs.waitFor("✓ GitHub", "n add")
			hs.key("n")
			hs.waitFor("Step 1 of 3")
			if c.down != "" {
				hs.key("j", "j") // Azure DevOps, two below GitHub
			}
			hs.key("enter")
			hs.waitFor("Step 2 of 3 · Name of the new " + c.provider + " credential")
			hs.typ("other")
			hs.move("enter") // to the kind
			hs.waitFor("Kind of credential")
			hs.key("down", "enter") // the kind after a token
			scr := plainText(hs.waitFor(append([]string{"other (" + c.provider + ") · new"}, c.want...)...))
			for _, n := range c.never {
				if strings.Contains(scr, n) {
					t.Errorf("the form of another kind asks for %q:\n%s", n, scr)
				}
			}
		})
	}
}

// TestPickerAddsASecondCredential: n asks for the provider (the selected row's first), then for
// the name (refusing a name taken, or another provider's), then opens the provider's form for
// the new credential, which saves it under that name beside the first; back on the list both
// rows show, the cursor on the new one.
func TestPickerAddsASecondCredential(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, withActive)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40)
	hs.waitFor("✓ GitHub", "n add")
	hs.key("n")
	hs.waitFor("Step 1 of 3", "GitHub  (1 credential stored)", "esc back to the list")
	hs.key("enter") // GitHub, the selected row's provider
	hs.waitFor("Step 2 of 3 · Name of the new GitHub credential", "github-2")
	hs.typ("github")
	hs.key("enter")
	hs.waitFor("GitHub exists already: edit it, or choose another name")
	for range "github" {
		hs.key("backspace")
	}
	hs.typ("bitbucket")
	hs.key("enter")
	hs.waitFor("bitbucket is the name of Bitbucket Cloud's own credential")
	for range "bitbucket" {
		hs.key("backspace")
	}
	hs.typ("Acme-Infra")
	hs.move("enter") // to the kind
	hs.waitFor("Kind of credential", "Token: a personal access token", "GitHub App: its ID and private key")
	hs.key("enter") // a token
	hs.waitFor(infraLabel+" · new", "Live check")
	fillGitHub(hs, tokPass)
	hs.waitFor("All checks passed")
	hs.key("ctrl+s")
	hs.waitFor("Saved. Make " + infraLabel + " the active credential?")
	hs.key("n")
	scr := plainText(hs.waitFor("Saved "+infraLabel, infraLabel+"   "))
	if !cursorOn(scr, infraLabel) || !strings.Contains(rowOf(scr, "GitHub"), "✓") {
		t.Fatalf("back on the list, both GitHub rows, the cursor on the new one:\n%s", scr)
	}
	d := load(t, s)
	if c := d.Credentials["acme-infra"]; c == nil || c.Provider != "github" || c.Token != tokPass || c.LastCheck == nil || d.Active != "github" {
		t.Fatalf("after the save: %v, active %q, acme-infra %+v", usecaseNames(d), d.Active, c)
	}
	if d.Credentials["github"].Org != "acme" {
		t.Fatal("adding acme-infra changed GitHub's credential")
	}
	noTokenOnScreen(t, hs, tokPass)
}

// TestPickerAddNamesAProvidersOwnCredentialFirst: for a provider with no credential, the name
// offered is the provider's id; esc goes back a step, and from the first step to the list,
// nothing added.
func TestPickerAddNamesAProvidersOwnCredentialFirst(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, withActive)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40)
	hs.waitFor("✓ GitHub")
	hs.key("n")
	hs.waitFor("Step 1 of 3")
	hs.key("down", "down", "down", "enter") // Bitbucket Cloud
	hs.waitUntil("the name offered: bitbucket", func(plain string) bool {
		return strings.Contains(plain, "Name of the new Bitbucket Cloud credential") && strings.HasSuffix(strings.TrimSpace(kit.LineOf(plain, "> ")), "> bitbucket")
	})
	hs.key("esc")
	hs.waitFor("Step 1 of 3")
	hs.key("esc")
	hs.waitFor("nothing was added", "✓ GitHub")
	if d := load(t, s); len(d.Credentials) != 3 {
		t.Fatalf("the store holds %v", usecaseNames(d))
	}
}

// TestPickerAsksAgainBeforeReplacing: when Devtron came to hold another credential of the
// provider after the comparison shown (the command line pushed it), the push of the second
// credential sends nothing and asks again, saying what it replaces; yes then replaces it.
func TestPickerAsksAgainBeforeReplacing(t *testing.T) {
	t.Parallel()
	r := newDevtronRig(t)
	if _, err := r.s.Update(t.Context(), "test", config.ActionSet, config.AnyRevision, func(d *config.Data) error {
		twoGitHubs(d)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	hs := start(t, Options{Store: r.s, ConfigDir: r.s.Dir()}, deps{}, 120, 40)
	hs.waitUntil("the comparison", func(plain string) bool { return strings.Count(plain, "Devtron: not there") == 4 })
	r.push(t, providers.GitHub, false) // the picker does not know yet
	writes := r.writes()
	hs.key("down", "p")
	waitForText(hs, "Push "+infraLabel+" to Devtron at "+r.url+"? Devtron validates it")
	hs.key("y")
	waitForText(hs, "the push replaces GitHub's there")
	if r.writes() != writes {
		t.Fatal("a push that would replace another credential was sent before the admin said yes")
	}
	hs.key("y")
	waitForText(hs, infraLabel+": Devtron validated and saved the configuration")
	if rows := r.dt.Rows(); len(rows) != 1 || rows[0].GitHubOrgID != "acme-infra" {
		t.Fatalf("Devtron holds %+v", rows)
	}
}

// TestPickerRotatesTheSelectedCredential: R on the second GitHub credential rotates that one, by
// name, in a screen that names it, and says so back on the list.
func TestPickerRotatesTheSelectedCredential(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, twoGitHubs)
	got := make(chan string, 1)
	rot := script(func(ctx context.Context, in usecase.RotateInput, ask usecase.RotateAsker) (usecase.Rotated, error) {
		got <- in.Credential
		in.Events(usecase.StepDone{Status: providers.Pass, Name: "check", Message: "the new token works"})
		return usecase.Rotated{}, nil
	})
	hs := startScripted(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40, rot)
	hs.waitFor(infraLabel)
	hs.key("down", "R")
	hs.waitFor(infraLabel + " · token rotation")
	if name := <-got; name != "acme-infra" {
		t.Fatalf("the rotation was of %q", name)
	}
	hs.waitFor(infraLabel + ": all checks passed")
}
