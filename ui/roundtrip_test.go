package ui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// emulatedStore is a store holding provider id's credentials on the emulators with token tok.
func emulatedStore(t *testing.T, emu *fake.Emulators, id providers.ID, tok string) *config.Store {
	t.Helper()
	_, s := newStore(t, func(d *config.Data) {
		p := &config.Credential{Provider: string(id), UpdatedAt: fixedNow.Add(-time.Hour)}
		p.Settings = emu.Credentials(id, tok).Settings
		d.Credentials[string(id)] = p
	})
	return s
}

// realChecks runs the real live check and round trip (against the emulators).
var realChecks = deps{check: providers.Run, deep: providers.RunDeep}

func TestRoundTripFromPickerFillsInStagesAndIsRecorded(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	s := emulatedStore(t, emu, providers.GitHub, fake.GitHubTokenFull)
	before := load(t, s)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, realChecks, 120, 40)
	hs.waitFor("never checked")
	hs.key("r", "y") // r asks first: it creates and deletes a repository
	scr := hs.waitFor("Round trip passed", "recorded as GitHub's last round trip")
	for _, id := range providers.DeepStages {
		if !strings.Contains(plainText(scr), "✓ "+id+" (") {
			t.Errorf("%s did not pass with a duration:\n%s", id, plainText(scr))
		}
	}
	// the list filled in stage by stage: each stage was seen running, then passed with the later ones pending
	for i, id := range providers.DeepStages {
		if !hs.sawScreen("⋯ " + id + ": ") {
			t.Errorf("%s was never shown running", id)
		}
		if i+1 < len(providers.DeepStages) && !hs.sawScreen("✓ "+id+" (", "· "+providers.DeepStages[len(providers.DeepStages)-1]) {
			t.Errorf("%s was never shown passed while deep:delete was pending", id)
		}
	}
	if repos := emu.Repos(providers.GitHub); len(repos) != 0 {
		t.Fatalf("repositories left behind: %v", repos)
	}
	hs.key("esc")
	scr = hs.waitFor("GitHub: round trip passed", "round trip passed just now")
	if !strings.Contains(kit.LineOf(plainText(scr), "round trip passed just now"), "token ") {
		t.Errorf("the expiry is missing beside the round trip:\n%s", plainText(scr))
	}
	d := load(t, s)
	rec := d.Credentials["github"].LastDeep
	if rec == nil || !rec.OK || !rec.Deep || !rec.At.Equal(fixedNow) || len(rec.Checks) == 0 {
		t.Fatalf("round trip not recorded: %+v", rec)
	}
	if len(d.Audit) != len(before.Audit) {
		t.Fatalf("recording the round trip made audit entries: %+v", d.Audit[len(before.Audit):])
	}
}

func TestRoundTripFailuresShowTheStageAndSkipTheRest(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	for _, tc := range []struct {
		name, tok, failed string
		skipped           []string
		leftOver          bool
		want              []string
	}{
		{name: "push rejected", tok: fake.GitHubTokenPushRejected, failed: providers.CheckDeepPush,
			skipped: []string{providers.CheckDeepVerify}, want: []string{"✓ deep:delete (", "Round trip FAILED at deep:push"}},
		{name: "delete forbidden", tok: fake.GitHubTokenNoDeleteRepo, failed: providers.CheckDeepDelete, leftOver: true,
			want: []string{"LEFT BEHIND", "delete_repo", "Round trip FAILED and LEFT A REPOSITORY BEHIND"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := emulatedStore(t, emu, providers.GitHub, tc.tok)
			hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, realChecks, 120, 40)
			hs.waitFor("never checked")
			hs.key("r", "y") // r asks first: it creates and deletes a repository
			plain := plainText(hs.waitFor(append([]string{"recorded as GitHub's last round trip"}, tc.want...)...))
			line := kit.LineOf(plain, "✗ "+tc.failed+" (")
			if line == "" || len(strings.TrimSpace(line)) < len("✗ "+tc.failed+" (1 ms): x") {
				t.Fatalf("%s did not fail with a message:\n%s", tc.failed, plain)
			}
			for _, id := range tc.skipped {
				if !strings.Contains(plain, "– "+id+": skipped") {
					t.Errorf("%s was not skipped:\n%s", id, plain)
				}
			}
			repos := emu.Repos(providers.GitHub)
			if tc.leftOver {
				if len(repos) != 1 || !strings.Contains(strings.ReplaceAll(plain, "\n", ""), repos[0]) {
					t.Fatalf("the left-over repository %v is not named:\n%s", repos, plain)
				}
			} else if len(repos) != 0 {
				t.Fatalf("repositories left behind: %v", repos)
			}
			hs.key("esc")
			hs.waitFor("round trip FAILED just now")
			if rec := load(t, s).Credentials["github"].LastDeep; rec == nil || rec.OK {
				t.Fatalf("failure not recorded: %+v", rec)
			}
		})
	}
}

func TestRoundTripEscCancelsAndStillDeletes(t *testing.T) {
	t.Parallel()
	// every request takes a while, so that esc lands mid-way
	emu := kit.Emulators(t, fake.Options{Latency: 150 * time.Millisecond})
	s := emulatedStore(t, emu, providers.GitHub, fake.GitHubTokenFull)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, realChecks, 80, 24)
	hs.waitFor("never checked")
	hs.key("r", "y") // r asks first: it creates and deletes a repository
	hs.waitFor("✓ deep:create (", "⋯ deep:clone")
	if len(emu.Repos(providers.GitHub)) != 1 {
		t.Fatalf("no repository was created: %v", emu.Repos(providers.GitHub))
	}
	hs.key("esc")
	scr := plainText(hs.waitFor("Round trip cancelled", "✓ deep:delete (", "not recorded: the round trip was cancelled"))
	if !hs.sawScreen("cancelling: deleting the repository…") {
		t.Error("the view never said it was deleting the repository")
	}
	if repos := emu.Repos(providers.GitHub); len(repos) != 0 {
		t.Fatalf("repositories left behind after esc: %v\n%s", repos, scr)
	}
	hs.key("esc")
	hs.waitFor("GitHub: round trip cancelled; nothing was left behind")
	if rec := load(t, s).Credentials["github"].LastDeep; rec != nil {
		t.Fatalf("a cancelled round trip was recorded: %+v", rec)
	}
}

func TestQuitDuringRoundTripWaitsForTheCleanUp(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{Latency: 150 * time.Millisecond})
	s := emulatedStore(t, emu, providers.GitHub, fake.GitHubTokenFull)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, realChecks, 120, 40)
	hs.waitFor("never checked")
	hs.key("r", "y") // r asks first: it creates and deletes a repository
	hs.waitFor("✓ deep:create (", "⋯ deep:clone")
	hs.key("ctrl+c")
	hs.waitFor("quitting once the clean-up is over: deleting the repository…")
	hs.tm.WaitFinished(t, teatestFinal())
	hs.done = true
	if repos := emu.Repos(providers.GitHub); len(repos) != 0 {
		t.Fatalf("quitting left repositories behind: %v", repos)
	}
	if !hs.sawScreen("✓ deep:delete (") {
		t.Error("the session ended before deep:delete passed")
	}
}

func TestRoundTripRunsOnACopyOfTheEnvWithTheDeepTimeout(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen *providers.Env
	deep := func(ctx context.Context, env *providers.Env, c providers.Credentials, progress func(providers.Check)) providers.Result {
		mu.Lock()
		seen = env
		mu.Unlock()
		return cannedDeep(ctx, env, c, progress)
	}
	_, s := newStore(t, withToken(tokPass))
	env := providers.NewEnv("test")
	hs := start(t, Options{Store: s, ConfigDir: s.Dir(), Env: env}, deps{deep: deep}, 80, 24)
	hs.waitFor("configured")
	hs.key("r", "y") // r asks first: it creates and deletes a repository
	hs.waitFor("Round trip passed")
	mu.Lock()
	defer mu.Unlock()
	if seen == nil || seen == env || seen.Timeout != providers.DeepTimeout || seen.Clients != env.Clients {
		t.Fatalf("round trip env %+v, shared env %+v", seen, env)
	}
	if env.Timeout != providers.DefaultTimeout {
		t.Fatalf("the shared Env was changed: timeout %v", env.Timeout)
	}
}

func TestRoundTripOfUnsavedDraftIsStoredOnSave(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, nil)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40)
	hs.waitFor("not configured")
	hs.key("enter")
	hs.waitFor("GitHub · new")
	hs.key("ctrl+t")
	hs.waitFor("cannot run the round trip yet")
	fillGitHub(hs, tokPass)
	hs.waitFor("All checks passed")
	hs.settle() // the check of the whole token, not of a pause mid-way through typing it
	hs.key("ctrl+t")
	hs.waitFor("round-trip test of the unsaved draft", "Round trip passed", "not recorded yet")
	hs.key("esc")
	hs.waitFor("GitHub: round trip passed; ctrl+s saves these credentials with it", "All checks passed")
	hs.key("ctrl+s")
	hs.waitFor("Make GitHub the active provider?")
	hs.key("n")
	hs.waitFor("round trip passed just now")
	if rec := load(t, s).Credentials["github"].LastDeep; rec == nil || !rec.OK || !rec.At.Equal(fixedNow) {
		t.Fatalf("the draft's round trip was not saved with it: %+v", rec)
	}
}

func TestRoundTripOfAnotherDraftIsNotSaved(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, func(d *config.Data) {
		d.Credentials["github"] = stored("github", "https://github.com/", "acme", "octocat", tokPass, nil)
		d.Credentials["github"].LastDeep = &config.CheckRecord{At: fixedNow.Add(-time.Hour), OK: true, Deep: true}
	})
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40)
	hs.waitFor("round trip passed 1 h ago")
	hs.key("enter")
	hs.waitFor("All checks passed")
	hs.tab()
	hs.typ("-x")                              // org acme → acme-x
	hs.waitFor("acme-x", "All checks passed") // typing sets the panel waiting in the same frame
	hs.key("ctrl+t")
	hs.waitFor("Round trip passed", "not recorded yet")
	hs.key("esc")
	hs.waitFor("ctrl+s saves these credentials with it")
	hs.typ("y") // acme-xy: the round trip tested other credentials
	hs.waitFor("acme-xy", "All checks passed")
	hs.key("ctrl+s")
	hs.waitFor("Make GitHub the active provider?")
	hs.key("n")
	hs.waitFor("Saved GitHub")
	p := load(t, s).Credentials["github"]
	if p.Org != "acme-xy" || p.LastDeep != nil {
		t.Fatalf("org %q, last round trip %+v (of other credentials)", p.Org, p.LastDeep)
	}
}

func TestRoundTripDropsStaleReplies(t *testing.T) {
	t.Parallel()
	m := newModel(Options{ConfigDir: t.TempDir(), Env: providers.NewEnv("test"), Who: "test"},
		deps{now: func() time.Time { return fixedNow }, still: true, deep: cannedDeep})
	creds := providers.Credentials{Provider: providers.GitHub, Settings: config.Settings{Host: "https://github.com/", Org: "acme", Token: tokBlock}}
	m.update(roundTripMsg{creds: creds})
	rt := m.roundtrip
	stale := rt.seq + 1
	m.update(deepProgressMsg{seq: stale, check: providers.Check{ID: providers.CheckDeepCreate, Status: providers.Fail, Message: "STALE"}})
	m.update(deepDoneMsg{seq: stale, result: providers.Result{OK: true}})
	if rt.state != rtRunning || rt.stages[0].Status != "" {
		t.Fatalf("a stale reply was taken: state %v, create %+v", rt.state, rt.stages[0])
	}
	m.update(tea.KeyPressMsg{Code: tea.KeyEscape})
	if rt.state != rtCancelling {
		t.Fatalf("esc did not cancel: %v", rt.state)
	}
	m.update(tea.KeyPressMsg{Code: tea.KeyEscape}) // still cleaning up: esc does not leave
	if m.top != m.roundtrip {
		t.Fatal("esc left the view before the clean-up ended")
	}
}

// The editor behind the round-trip view keeps up with the terminal: back from the view after a
// resize, it is laid out for the new size.
func TestEditorBehindTheRoundTripFollowsAResize(t *testing.T) {
	t.Parallel()
	_, s := newStore(t, withToken(tokPass))
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40)
	hs.waitFor("configured")
	hs.key("enter")
	hs.waitFor("All checks passed")
	hs.key("ctrl+t")
	hs.waitFor("Round trip passed")
	hs.tm.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	hs.key("esc")
	scr := plainText(hs.waitUntil("the editor below 100 columns", func(p string) bool {
		return strings.HasPrefix(kit.LineOf(p, "Live check"), "│ Live check") && strings.Contains(p, "round trip passed")
	}))
	for _, l := range strings.Split(scr, "\n") {
		if w := len([]rune(l)); w > 80 {
			t.Fatalf("a line is %d cells wide at 80 columns: %q", w, l)
		}
	}
}
