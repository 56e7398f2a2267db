package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"gitopscfg/config"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// TestConfirmKeepsItsAnswers: a question wraps to the width; when it does not fit its lines, the
// text gives way ("…"), never its answers.
func TestConfirmKeepsItsAnswers(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("The check failed and these credentials will not work for the platform. ", 4) + "Save anyway?"
	push := "Push GitHub to Devtron at https://devtron.example.com? Devtron's active GitOps provider will change from azure to github."
	cases := []struct {
		name     string
		q        *confirm
		w, most  int
		lastLine string // the answers end the last line
		cut      bool   // the text was cut short
	}{
		{"fits", newConfirm(newConfirmKeys(), "Remove GitHub and its token from the store?"), 80, 4, "store? (y/N)", false},
		{"cut", newConfirm(newConfirmKeys(), long), 40, 3, "(y/N)", true},
		{"one line", newConfirm(newConfirmKeys(), long), 80, 1, "(y/N)", false},
		{"default yes", newConfirm(newConfirmKeys(), long).withDefaultYes(), 60, 2, "(Y/n)", true},
		{"answers described", newConfirm(newConfirmKeys(), push).meaning("push and switch", "nothing is pushed").
			or("k", "update it, keep azure active there"), 60, 3, "N: nothing is pushed)", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lines := c.q.lines(c.w, c.most)
			if len(lines) > c.most {
				t.Fatalf("%d lines, at most %d:\n%s", len(lines), c.most, strings.Join(lines, "\n"))
			}
			for _, l := range lines {
				if ansi.StringWidth(l) > c.w {
					t.Fatalf("a line is wider than %d: %q", c.w, l)
				}
			}
			all := strings.Join(lines, "\n")
			if !strings.HasSuffix(all, c.lastLine) {
				t.Fatalf("the answers do not end the question:\n%s", all)
			}
			if c.cut != strings.Contains(all, "…") {
				t.Fatalf("cut short: %v, want %v:\n%s", strings.Contains(all, "…"), c.cut, all)
			}
		})
	}
	y, n := newConfirm(newConfirmKeys(), "q?"), newConfirm(newConfirmKeys(), "q?").withDefaultYes()
	for _, k := range []string{"x", "enter", "q"} {
		if r, ok := y.answer(keyPress(k)); !ok || r != replyNo {
			t.Errorf("(y/N): %s answers %q, %v; want no", k, r, ok)
		}
	}
	if r, ok := n.answer(keyPress("enter")); !ok || r != replyYes {
		t.Errorf("(Y/n): enter answers %q, %v; want yes", r, ok)
	}
	if _, ok := n.answer(keyPress("x")); ok {
		t.Error("(Y/n): x answers")
	}
}

// questionScenario drives a session at 80×24 to a question; hint is how the question ends.
type questionScenario struct {
	name  string
	store func(d *config.Data)
	rot   rotator // nil: the use case
	run   func(hs *harness) string
	hint  string
	keys  []string // the key hints the help line shows
}

// gitLabIssue scripts GitLab's rotation up to its question (and no further).
var gitLabIssue = script(func(ctx context.Context, in usecase.RotateInput, ask usecase.RotateAsker) (usecase.Rotated, error) {
	in.Events(usecase.StepDone{Status: providers.Pass, Name: "token",
		Message: `the stored token "gitops" (glpat-…0000) has the scopes api, write_repository and expires on 2027-10-03`})
	_, err := ask.Confirm(usecase.IssuePlan{Provider: "GitLab", OldHint: "glpat-…0000", Expires: fixedNow.AddDate(1, 0, 0)})
	if err == nil {
		err = errNotRotated
	}
	return usecase.Rotated{}, err
})

func withGitLab(d *config.Data) {
	withActive(d)
	d.Credentials["gitlab"].Token = "glpat-cannedToken000000000"
}

func questionScenarios() []questionScenario {
	editTo := func(want string) func(hs *harness) string {
		return func(hs *harness) string {
			hs.waitFor("configured")
			hs.key("enter")
			return hs.waitFor(want)
		}
	}
	return []questionScenario{
		{name: "picker_remove", store: withActive, hint: "(y/N)", keys: []string{"y yes", "n/esc no"},
			run: func(hs *harness) string {
				hs.waitFor("✓ GitHub")
				hs.key("d")
				return hs.waitFor("Remove GitHub and its token from the store? (y/N)")
			}},
		{name: "picker_round_trip", store: withActive, hint: "(y/N)", keys: []string{"y yes", "n/esc no"},
			run: func(hs *harness) string {
				hs.waitFor("✓ GitHub")
				hs.key("r")
				return hs.waitFor("Round trip of GitHub", "(y/N)")
			}},
		{name: "editor_save_anyway", store: withToken(tokScopes), hint: "(y/N)", keys: []string{"y yes", "n/esc no"},
			run: func(hs *harness) string {
				editTo("1 check failed")(hs)
				hs.key("ctrl+s")
				return hs.waitFor("Save anyway? (y/N)")
			}},
		{name: "editor_discard", store: withToken(tokPass), hint: "(y/N)", keys: []string{"y yes", "n/esc no"},
			run: func(hs *harness) string {
				editTo("All checks passed")(hs)
				hs.tab()
				hs.typ("-x")
				hs.waitFor("acme-x")
				hs.key("esc")
				return hs.waitFor("Discard your unsaved changes to GitHub? (y/N)")
			}},
		{name: "editor_activate", store: withToken(tokPass), hint: "(Y/n)", keys: []string{"y/enter yes", "n/esc no"},
			run: func(hs *harness) string {
				editTo("All checks passed")(hs)
				hs.key("ctrl+s")
				return hs.waitFor("Saved. Make GitHub the active provider? (Y/n)")
			}},
		{name: "rotation_issue", store: withGitLab, rot: gitLabIssue, hint: "(y/N)", keys: []string{"y yes", "n/esc no"},
			run: func(hs *harness) string {
				hs.waitFor("✓ GitHub")
				hs.key("j", "R")
				return hs.waitFor("Rotate the GitLab token?", "(y/N)")
			}},
		{name: "rotation_unsaved", store: withGitLab, hint: "s shows it whole", keys: []string{"s show the new token", "esc give it up", "q quit"},
			rot: issuedUnsaved(func(in usecase.RotateInput, ask usecase.RotateAsker) (usecase.Rotated, error) {
				ask.ShowUnsaved()
				return usecase.Rotated{}, usecase.ErrSaveFailed
			}),
			run: func(hs *harness) string {
				hs.waitFor("✓ GitHub")
				hs.key("j", "R")
				hs.waitFor("(y/N)")
				hs.key("y")
				return hs.waitFor("s show the new token")
			}},
		{name: "rotation_retry", store: withGitLab, hint: "s shows it whole, once.", keys: []string{"R retry the save", "s show the new token", "esc give it up", "q quit"},
			rot: issuedUnsaved(func(in usecase.RotateInput, ask usecase.RotateAsker) (usecase.Rotated, error) {
				_, err := ask.(saveRetrier).RetrySave(errNotRotated, func() {})
				return usecase.Rotated{}, err
			}),
			run: func(hs *harness) string {
				hs.waitFor("✓ GitHub")
				hs.key("j", "R")
				hs.waitFor("(y/N)")
				hs.key("y")
				return hs.waitFor("R retry the save")
			}},
		{name: "rotation_token_input", store: withActive, hint: "New token:", keys: []string{"enter check it", "esc leave it"},
			run: func(hs *harness) string {
				hs.waitFor("✓ GitHub")
				hs.key("R")
				return hs.waitFor("New token:", "- repo:")
			}},
	}
}

// TestGoldenQuestions: every question, its answers and its key hints fit 80×24. Run with -update
// to regenerate testdata/TestGoldenQuestions/….golden.
func TestGoldenQuestions(t *testing.T) {
	t.Parallel()
	for _, sc := range questionScenarios() {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			_, s := newStore(t, sc.store)
			opts := Options{Store: s, ConfigDir: s.Dir()}
			var hs *harness
			if sc.rot != nil {
				hs = startScripted(t, opts, deps{}, 80, 24, sc.rot)
			} else {
				hs = start(t, opts, deps{}, 80, 24)
			}
			sc.run(hs)
			scr := hs.settle()
			plain := plainText(scr)
			lines := strings.Split(plain, "\n")
			if len(lines) > 24 {
				t.Fatalf("%d lines at 80×24:\n%s", len(lines), plain)
			}
			for _, l := range lines {
				if w := ansi.StringWidth(l); w > 80 {
					t.Fatalf("a line is %d cells wide at 80 columns: %q", w, l)
				}
			}
			if !strings.Contains(plain, sc.hint) {
				t.Fatalf("the question lost %q:\n%s", sc.hint, plain)
			}
			help := lines[len(lines)-1]
			for _, k := range sc.keys {
				if !strings.Contains(help, k) {
					t.Fatalf("the key hints lost %q: %q\n%s", k, help, plain)
				}
			}
			teatest.RequireEqualOutput(t, ascii(scr))
		})
	}
}
