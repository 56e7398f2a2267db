package ui

import (
	"context"
	"strings"
	"testing"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// TestPanelHeadlineSaysPassedWithWarnings: the headline said "All checks passed" above a line
// "! scope:admin:org: missing"; it says how many warnings there are.
func TestPanelHeadlineSaysPassedWithWarnings(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, withToken(tokPass))
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{check: warnCheck}, 120, 40)
	hs.waitFor("configured")
	hs.key("enter")
	scr := plainText(hs.waitFor("Passed with 1 warning · octocat", "! scope:admin:org: missing"))
	if strings.Contains(scr, "All checks passed") {
		t.Fatalf("the headline says all passed above a warning:\n%s", scr)
	}
	// the save does not ask "save anyway?": the check passed
	hs.key("ctrl+s")
	hs.waitFor("Saved. Make GitHub the active provider?")
}

// TestPickerRetestSaysPassedWithWarnings: t on a provider that passes with a warning says so, and
// its row too.
func TestPickerRetestSaysPassedWithWarnings(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, withToken(tokPass))
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{check: warnCheck}, 120, 40)
	hs.waitFor("configured")
	hs.key("t")
	scr := plainText(hs.waitFor("GitHub: passed with 1 warning", "last check passed with 1 warning just now"))
	if strings.Contains(scr, "all checks passed") {
		t.Fatalf("the notice says all passed:\n%s", scr)
	}
}

// TestRoundTripSaysPassedWithWarnings: the round trip's live-check line, verdict and the notice
// after it name the warnings.
func TestRoundTripSaysPassedWithWarnings(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, withToken(tokPass))
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{deep: warnDeep}, 120, 40)
	hs.waitFor("configured")
	hs.roundTrip()
	scr := plainText(hs.waitFor("live check: passed with 1 warning: scope:admin:org", "Round trip passed with 1 warning in",
		"recorded as GitHub's last round trip"))
	if strings.Contains(scr, "Round trip passed in") {
		t.Fatalf("the verdict hides the warning:\n%s", scr)
	}
	hs.key("esc")
	hs.waitFor("GitHub: round trip passed with 1 warning", "round trip passed with 1 warning just now")
}

// warnDeep is cannedDeep whose live check warns about admin:org.
func warnDeep(ctx context.Context, env *providers.Env, c providers.Credentials, progress func(providers.Check)) providers.Result {
	r := cannedDeep(ctx, env, c, progress)
	for i, ch := range r.Checks {
		if ch.ID == "scope:admin:org" && r.OK {
			r.Checks[i].Status = providers.Warn
			r.Checks[i].Message = "missing: listed in the GitOps platform's documentation; no GitOps call needs it"
		}
	}
	r.Finish()
	return r
}

// TestRetestAllSummarisesEveryProvider: after T the notice named whichever provider finished last
// ("Azure DevOps: …, enter to see and fix") while the cursor was on another, so enter opened the
// wrong one. It sums up all of them, names the failures, and the cursor stays.
func TestRetestAllSummarisesEveryProvider(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, allFive)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{check: byProvider}, 120, 40)
	hs.waitFor("› ✓ GitHub")
	hs.key("down") // the cursor on GitLab, which fails
	hs.waitFor("›   GitLab")
	hs.key("T")
	const want = "5 re-tested: 3 passed, 1 passed with warnings, 1 failed (GitLab)"
	scr := plainText(hs.waitFor(want))
	if !strings.Contains(scr, "\n›   GitLab") {
		t.Errorf("the cursor moved from GitLab:\n%s", scr)
	}
	if n := strings.Count(scr, "last check passed just now"); n != 3 {
		t.Errorf("%d rows passed, want 3:\n%s", n, scr)
	}
	hs.mu.Lock()
	defer hs.mu.Unlock()
	for _, h := range hs.history {
		p := plainText(h)
		for _, single := range []string{"(enter to see", ": all checks passed", ": passed with"} {
			if strings.Contains(p, single) {
				t.Errorf("after T, a notice spoke of one provider (%q):\n%s", single, p)
			}
		}
	}
}

// TestRetestAllNoticeWhileRunning: while some re-tests of T still run, the notice counts them
// (never one provider's own notice).
func TestRetestAllNoticeWhileRunning(t *testing.T) {
	t.Parallel()
	d := config.NewData()
	for _, id := range []providers.ID{providers.GitHub, providers.GitLab, providers.Azure, providers.Gitea} {
		d.Credentials[string(id)] = &config.Credential{Provider: string(id)}
	}
	d.Credentials["acme-infra"] = &config.Credential{Provider: "github"}
	a := newRetestAll(map[string]int{"github": 1, "gitlab": 2, "azure": 3}, entries(d))
	pass := providers.Result{OK: true, Checks: []providers.Check{{ID: "auth", Status: providers.Pass}}}
	warn := providers.Result{OK: true, Checks: []providers.Check{{ID: "auth", Status: providers.Pass}, {ID: "x", Status: providers.Warn}}}
	fail := providers.Result{Checks: []providers.Check{{ID: "auth", Status: providers.Fail}}}
	steps := []struct {
		id    string
		r     providers.Result
		err   error
		want  string
		isErr bool
	}{
		{"azure", fail, nil, "re-testing 3 providers: 1 done (1 failed (Azure DevOps)), 2 running", true},
		{"github", pass, nil, "re-testing 3 providers: 2 done (1 passed, 1 failed (Azure DevOps)), 1 running", true},
		{"gitlab", warn, nil, "3 re-tested: 1 passed, 1 passed with warnings, 1 failed (Azure DevOps)", true},
	}
	for _, st := range steps {
		got, isErr, ok := a.tally(st.id, st.r, st.err)
		if !ok || got != st.want || isErr != st.isErr {
			t.Errorf("tally(%s) = %q, %v, %v; want %q, %v", st.id, got, isErr, ok, st.want, st.isErr)
		}
	}
	if _, _, ok := a.tally("github", pass, nil); ok {
		t.Error("a re-test after the tally ended (t) was counted in it")
	}
	var none *retestAll
	if _, _, ok := none.tally("github", pass, nil); ok {
		t.Error("no tally counted a re-test")
	}
	b := newRetestAll(map[string]int{"github": 1, "gitea": 2}, entries(d))
	b.tally("gitea", pass, errStale)
	if got, isErr, _ := b.tally("github", pass, nil); got != "2 re-tested: 1 passed, 1 not recorded (Gitea / Forgejo)" || !isErr {
		t.Errorf("a result not recorded: %q, %v", got, isErr)
	}
	// a credential not named after its provider: the tally counts credentials, and names it so
	c := newRetestAll(map[string]int{"github": 1, "acme-infra": 2}, entries(d))
	if got, _, _ := c.tally("acme-infra", fail, nil); got != "re-testing 2 credentials: 1 done (1 failed (acme-infra (GitHub))), 1 running" {
		t.Errorf("a second GitHub credential's re-test: %q", got)
	}
}
