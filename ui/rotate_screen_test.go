package ui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"charm.land/bubbles/v2/cursor"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
	"gitopscfg/usecase"
)

// script is a scripted use case for the rotation screen: it does what usecase.Rotate does, through
// in.Events and ask, as the test says.
type script func(ctx context.Context, in usecase.RotateInput, ask usecase.RotateAsker) (usecase.Rotated, error)

func (f script) Rotate(ctx context.Context, in usecase.RotateInput, ask usecase.RotateAsker) (usecase.Rotated, error) {
	return f(ctx, in, ask)
}

// startScripted is start with the rotations run by rot.
func startScripted(t testing.TB, opts Options, d deps, w, h int, rot rotator) *harness {
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
	d.watch, d.debounce, d.still = -1, 20*time.Millisecond, true
	opts.Who = "tester (local)"
	if opts.Env == nil {
		opts.Env = providers.NewEnv("test")
	}
	m := newModel(opts, d)
	m.rotator = func(*common) rotator { return rot }
	noBlink := func(_ tea.Model, msg tea.Msg) tea.Msg {
		if _, ok := msg.(cursor.BlinkMsg); ok {
			return nil
		}
		return msg
	}
	hs.tm = teatest.NewTestModel(t, &observed{m: m, hs: hs}, teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii), tea.WithFilter(noBlink)))
	t.Cleanup(hs.stop)
	return hs
}

// Canaries: tokens that must never reach the screen unless the admin asks for the one unsaved.
const (
	canaryOld    = "glpat-CANARYoldToken0000000"
	canaryIssued = "glpat-CANARYissuedToken0001"
)

// gitLabCanaryStore is a store holding GitLab (active) with the canary token.
func gitLabCanaryStore(t *testing.T) *config.Store {
	t.Helper()
	_, s := newStore(t, func(d *config.Data) {
		d.Credentials["gitlab"] = stored("gitlab", "https://gitlab.example.com/", "acme/gitops", "jdoe", canaryOld, nil)
		d.Active = "gitlab"
	})
	return s
}

// issuedUnsaved scripts GitLab's rotation up to an issued token the store could not take; then
// unsaved decides what becomes of it.
func issuedUnsaved(unsaved func(in usecase.RotateInput, ask usecase.RotateAsker) (usecase.Rotated, error)) script {
	return func(ctx context.Context, in usecase.RotateInput, ask usecase.RotateAsker) (usecase.Rotated, error) {
		in.Events(usecase.StepDone{Status: providers.Pass, Name: "token",
			Message: `the stored token "gitops" (glpat-…0000) has the scopes api, write_repository and expires on 2027-10-03`})
		ok, err := ask.Confirm(usecase.IssuePlan{Provider: "GitLab", OldHint: "glpat-…0000", Expires: fixedNow.AddDate(1, 0, 0)})
		switch {
		case err != nil:
			return usecase.Rotated{}, err
		case !ok:
			in.Events(usecase.StepDone{Status: providers.Skip, Name: "rotate", Message: "not rotated: nothing changed"})
			return usecase.Rotated{}, usecase.ErrDeclined
		}
		in.Events(usecase.StepDone{Status: providers.Pass, Name: "rotate",
			Message: "GitLab issued the new token glpat-…0001 (expiring on 2027-11-25) and revoked the old one glpat-…0000"})
		in.Events(usecase.StepDone{Status: providers.Fail, Name: "save", Message: "the stored token was replaced while rotating"})
		in.Events(usecase.StepNote{Text: "The new token is NOT saved, and GitLab has revoked the old one glpat-…0000: GitOps stops working until a working token is stored."})
		return unsaved(in, ask)
	}
}

// noCanaryBefore fails when a frame before the first holding after held one of toks.
func noCanaryBefore(t *testing.T, hs *harness, after string, toks ...string) {
	t.Helper()
	hs.mu.Lock()
	defer hs.mu.Unlock()
	for _, frame := range hs.history {
		if strings.Contains(plainText(frame), after) {
			return
		}
		for _, tok := range toks {
			if strings.Contains(frame, tok) {
				t.Fatalf("a token reached the screen before %q:\n%s", after, plainText(frame))
			}
		}
	}
}

// TestRotationNeverShowsATokenUnlessAsked: neither the stored token nor an issued one reaches the
// screen; the issued token the store could not take shows only after s, and goes with the screen.
func TestRotationNeverShowsATokenUnlessAsked(t *testing.T) {
	t.Parallel()
	for _, show := range []bool{false, true} {
		name := "given up"
		if show {
			name = "shown on request"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := gitLabCanaryStore(t)
			rot := issuedUnsaved(func(in usecase.RotateInput, ask usecase.RotateAsker) (usecase.Rotated, error) {
				if ask.ShowUnsaved() { // today's use case: one question
					in.Events(usecase.StepNote{Text: "The new token, shown this once (store it with `gitopscfg set gitlab --token-stdin`, then clear the screen):"})
					in.Events(usecase.UnsavedToken{Token: canaryIssued})
				}
				return usecase.Rotated{}, usecase.ErrSaveFailed
			})
			hs := startScripted(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40, rot)
			hs.waitFor("GitLab")
			hs.key("R")
			hs.waitFor("(y/N)")
			hs.key("y")
			hs.waitFor("✗ save:", "s show the new token", "esc give it up")
			noTokenOnScreen(t, hs, canaryOld, canaryIssued)
			if !show {
				hs.key("esc")
				hs.waitFor("GitLab: the save step failed.", "esc back to the list")
				hs.key("esc")
				hs.waitFor("GitLab: the save step failed. The new token is NOT saved", "enter edit")
				noTokenOnScreen(t, hs, canaryOld, canaryIssued)
				return
			}
			hs.key("s")
			scr := plainText(hs.waitFor("The new token, shown because you asked", "esc back to the list"))
			if !strings.Contains(scr, canaryIssued) {
				t.Fatalf("the token asked for is not shown whole:\n%s", scr)
			}
			noCanaryBefore(t, hs, "The new token, shown because you asked", canaryIssued)
			noTokenOnScreen(t, hs, canaryOld)
			hs.key("esc")
			hs.waitFor("enter edit")
			if strings.Contains(hs.screen(), canaryIssued) {
				t.Fatal("the token stayed on screen after leaving the rotation")
			}
			hs.key("q")
			hs.tm.WaitFinished(t, teatestFinal())
			hs.done = true
			if hs.final(t).picker.rot != nil {
				t.Fatal("the rotation, and the token it showed, outlived the screen")
			}
		})
	}
}

// TestRotationScreenRetriesTheSave: once the use case asks (saveRetrier), R retries the save of an
// issued token, never the rotation; s shows the token meanwhile; the failed save makes way for its
// retry, and the token leaves the screen once it is saved.
func TestRotationScreenRetriesTheSave(t *testing.T) {
	t.Parallel()
	var rotations, saves atomic.Int32
	rot := issuedUnsaved(func(in usecase.RotateInput, ask usecase.RotateAsker) (usecase.Rotated, error) {
		rotations.Add(1)
		sr, ok := ask.(saveRetrier)
		if !ok {
			return usecase.Rotated{}, errors.New("the screen does not answer RetrySave")
		}
		retry, err := sr.RetrySave(errors.New("the stored token was replaced while rotating"), func() {
			in.Events(usecase.UnsavedToken{Token: canaryIssued})
		})
		if err != nil || !retry {
			return usecase.Rotated{}, usecase.ErrSaveFailed
		}
		saves.Add(1)
		in.Events(usecase.StepDone{Status: providers.Pass, Name: "save", Message: "the new token glpat-…0001 is in the store"})
		in.Events(usecase.StepDone{Status: providers.Pass, Name: "check", Message: "authenticated as jdoe, passed in 12 ms"})
		in.Events(usecase.StepDone{Status: providers.Pass, Name: "round trip", Message: "passed in 40 ms"})
		in.Events(usecase.StepDone{Status: providers.Skip, Name: "push", Message: "no Devtron instance is configured: nothing to push"})
		in.Events(usecase.StepDone{Status: providers.Pass, Name: "done", Message: "GitLab now uses glpat-…0001; GitLab revoked the old token itself, so there is nothing to revoke by hand"})
		return usecase.Rotated{Saved: true, NewHint: "glpat-…0001"}, nil
	})
	s := gitLabCanaryStore(t)
	hs := startScripted(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40, rot)
	hs.waitFor("GitLab")
	hs.key("R")
	hs.waitFor("(y/N)")
	hs.key("y")
	hs.waitFor("✗ save:", "R retry the save", "s show the new token")
	noTokenOnScreen(t, hs, canaryOld, canaryIssued)
	hs.key("s")
	hs.waitFor("The new token, shown because you asked", canaryIssued, "R retry the save", "q quit (keep the token shown)")
	hs.key("R")
	hs.waitFor("✓ save: the new token glpat-…0001 is in the store", "GitLab: all checks passed and the round trip too", "esc back to the list")
	if hs.sawScreen("✓ save:", "✗ save:") {
		t.Error("the failed save stayed beside its retry")
	}
	if hs.sawScreen("✓ save:", canaryIssued) {
		t.Error("the token stayed on screen once it was saved")
	}
	if rotations.Load() != 1 || saves.Load() != 1 {
		t.Fatalf("%d rotations, %d saves", rotations.Load(), saves.Load())
	}
	noTokenOnScreen(t, hs, canaryOld)
}

// TestRotationEscCancelsTheRoundTripAndDeletesItsRepository: esc while the new token's round trip
// runs cancels the rotation: the round trip still deletes its repository, nothing is saved, and
// the screen says which token the store holds.
func TestRotationEscCancelsTheRoundTripAndDeletesItsRepository(t *testing.T) {
	t.Parallel()
	const newTok = fake.GitHubTokenNoAdminOrg
	emu := kit.Emulators(t, fake.Options{})
	git := newHolder(t, isGit) // the clone waits: the repository exists
	s := rotationStoreOf(t, proxied(t, emu, providers.GitHub, fake.GitHubTokenFull, git.hook), nil)
	before := load(t, s)
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, realChecks, 80, 24)
	hs.waitFor("GitHub")
	hs.key("R")
	hs.waitFor("New token:")
	hs.typ(newTok)
	hs.key("enter")
	git.wait(t)
	hs.waitFor("✓ deep:create", "round trip: a throw-away repository", "esc cancel")
	if repos := emu.Repos(providers.GitHub); len(repos) != 1 {
		t.Fatalf("no repository was created: %v", repos)
	}
	hs.key("esc")
	hs.waitFor("– interrupted: nothing saved", "esc back to the list")
	if !hs.sawScreen("cancelling: deleting the round trip's repository…") {
		t.Error("the screen never said it was deleting the repository")
	}
	if repos := emu.Repos(providers.GitHub); len(repos) != 0 {
		t.Fatalf("esc left %v behind", repos)
	}
	if d := load(t, s); d.Revision != before.Revision || d.Credentials["github"].Token != fake.GitHubTokenFull {
		t.Fatalf("the store changed: revision %d → %d", before.Revision, d.Revision)
	}
	hs.key("esc")
	hs.waitFor("GitHub: interrupted: nothing saved", "enter edit")
	noTokenOnScreen(t, hs, fake.GitHubTokenFull, newTok)
}

// stepClock is a clock the test moves.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *stepClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestRotationShowsTheElapsedTimeOfTheStepRunning: the step on its way (here the round trip)
// shows how long it has run, and the next step starts from nothing.
func TestRotationShowsTheElapsedTimeOfTheStepRunning(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	git := newHolder(t, isGit)
	s := rotationStoreOf(t, proxied(t, emu, providers.GitHub, fake.GitHubTokenFull, git.hook), nil)
	clock := &stepClock{t: fixedNow}
	d := realChecks
	d.now = clock.now
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, d, 120, 40)
	hs.waitFor("GitHub")
	hs.key("R")
	hs.waitFor("New token:")
	hs.typ(fake.GitHubTokenNoAdminOrg)
	hs.key("enter")
	git.wait(t)
	hs.waitFor("round trip: a throw-away repository is created, cloned, pushed to, verified and deleted… 0 s")
	clock.add(75 * time.Second)
	hs.waitFor("verified and deleted… 1 min 15 s") // redrawn every second, with nothing else happening
	clock.add(time.Minute)
	hs.waitFor("verified and deleted… 2 min 15 s")
	git.let()
	hs.waitFor("✓ round trip: passed", "esc back to the list")
}

// TestRoundTripAsksOnce: r asks once before the round trip, which creates and deletes a
// repository (no: nothing runs); Options.SkipRoundTripConfirm starts it without asking.
func TestRoundTripAsksOnce(t *testing.T) {
	t.Parallel()
	for _, skip := range []bool{false, true} {
		name := "asks"
		if skip {
			name = "skipped in the options"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var runs atomic.Int32
			deep := func(ctx context.Context, env *providers.Env, c providers.Credentials, progress func(providers.Check)) providers.Result {
				runs.Add(1)
				return cannedDeep(ctx, env, c, progress)
			}
			_, s := newStore(t, withToken(tokPass))
			hs := start(t, Options{Store: s, ConfigDir: s.Dir(), SkipRoundTripConfirm: skip}, deps{deep: deep}, 120, 40)
			hs.waitFor("configured")
			const q = "Round trip of GitHub: it creates and deletes a private throw-away repository in organisation acme. Go on? (y/N)"
			if !skip {
				hs.key("r")
				hs.waitFor(q, "y yes · n/esc no")
				hs.key("n")
				hs.waitFor("no round trip: nothing was created")
				if n := runs.Load(); n != 0 {
					t.Fatalf("%d round trips after no", n)
				}
				hs.key("r")
				hs.waitFor(q)
				hs.key("y")
			} else {
				hs.key("r")
			}
			hs.waitFor("Round trip passed", "recorded as GitHub's last round trip")
			if n := runs.Load(); n != 1 {
				t.Fatalf("%d round trips, want 1", n)
			}
			if hs.sawScreen("(y/N)", "round-trip test") { // the round trip's own screen
				t.Error("the round trip asked again")
			}
			if skip && hs.sawScreen("(y/N)") {
				t.Error("asked although the options skip the question")
			}
		})
	}
}

// TestRotationQuitAtTheUnsavedQuestionIsPutOff: quitting while an issued token is being saved
// does not lose it when the save fails: the question comes first, and quitting waits for it.
func TestRotationQuitAtTheUnsavedQuestionIsPutOff(t *testing.T) {
	t.Parallel()
	saving := make(chan struct{})
	release := make(chan struct{})
	rot := script(func(ctx context.Context, in usecase.RotateInput, ask usecase.RotateAsker) (usecase.Rotated, error) {
		return issuedUnsaved(func(in usecase.RotateInput, ask usecase.RotateAsker) (usecase.Rotated, error) {
			if ask.ShowUnsaved() {
				in.Events(usecase.UnsavedToken{Token: canaryIssued})
			}
			return usecase.Rotated{}, usecase.ErrSaveFailed
		})(ctx, usecase.RotateInput{Events: func(e usecase.RotateEvent) {
			if s, ok := e.(usecase.StepDone); ok && s.Name == "rotate" {
				in.Events(e)
				close(saving)
				<-release // the save is on its way
				return
			}
			in.Events(e)
		}}, ask)
	})
	s := gitLabCanaryStore(t)
	hs := startScripted(t, Options{Store: s, ConfigDir: s.Dir()}, deps{}, 120, 40, rot)
	hs.waitFor("GitLab")
	hs.key("R")
	hs.waitFor("(y/N)")
	hs.key("y")
	<-saving
	hs.waitFor("saving the new token…")
	hs.key("q")
	hs.waitFor("the session ends once the new token is saved")
	close(release)
	hs.waitFor("Quitting was put off: the new token would be lost.", "s show the new token")
	hs.key("s")
	hs.waitFor(canaryIssued, "esc back to the list")
	hs.key("esc") // the session goes on until the admin quits again
	hs.waitFor("GitLab: the save step failed.", "enter edit")
	hs.key("q")
	hs.tm.WaitFinished(t, teatestFinal())
	hs.done = true
}
