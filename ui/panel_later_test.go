package ui

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// appStore stores a GitHub App credential of the emulators' GitHub, active.
func appStore(t *testing.T, emu *fake.Emulators) *config.Store {
	t.Helper()
	_, s := newStore(t, func(d *config.Data) {
		c := &config.Credential{Provider: string(providers.GitHub), UpdatedAt: fixedNow.Add(-time.Hour)}
		c.Settings = emu.Credentials(providers.GitHub, fake.GitHubAppKey()).Settings
		c.Username, c.Kind, c.AppID = "", config.CredentialGitHubApp, fake.GitHubAppFull
		d.Credentials["github"], d.Active = c, "github"
	})
	return s
}

// gatedChecks run the real live check, whose revocation waits until gate is closed; pending
// counts the revocations the checks left to do.
func gatedChecks(gate <-chan struct{}, pending *atomic.Int32) deps {
	later := func(ctx context.Context, env *providers.Env, c providers.Credentials) (providers.Result, providers.Pending) {
		r, p := providers.RunDeferred(ctx, env, c)
		if p == nil {
			return r, nil
		}
		pending.Add(1)
		return r, func(ctx context.Context) *providers.Check { <-gate; return p(ctx) }
	}
	return deps{check: providers.Run, checkLater: later, deep: providers.RunDeep}
}

// openApp opens the editor of the stored App credential and waits for its check's result.
func openApp(t *testing.T, s *config.Store, d deps) *harness {
	t.Helper()
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, d, 120, 40)
	t.Cleanup(hs.stop)
	hs.waitFor("GitHub")
	hs.key("enter")
	hs.waitUntil("the check's result", func(string) bool { return hs.sawScreen("GitHub · editing", "All checks passed") })
	return hs
}

// TestLiveCheckShowsItsResultBeforeTheRevocation: the editor's live check of a GitHub App shows
// its result while the installation token it minted is still being revoked (the revocation is held
// back here, and the token is live while the result shows); the revocation then ends in its own
// command, and no token stays live. Opening the editor runs one check: the App's key, shown on one
// line in the masked input, is no edit that would cancel it and start another.
func TestLiveCheckShowsItsResultBeforeTheRevocation(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	gate := make(chan struct{})
	var pending atomic.Int32
	hs := openApp(t, appStore(t, emu), gatedChecks(gate, &pending))
	if n := len(emu.LiveGitHubInstallTokens()); n == 0 || revokes(emu) != 0 {
		t.Fatalf("%d live installation tokens and %d revocations while the result shows: the result waited for the revocation",
			n, revokes(emu))
	}
	close(gate)
	hs.handled("the revocation's reply", 1, func(m tea.Msg) bool { _, ok := m.(revokedMsg); return ok })
	hs.mu.Lock()
	for _, m := range hs.msgs {
		if r, ok := m.(revokedMsg); ok && r.warn != nil {
			t.Errorf("a revocation failed: %s", r.warn.Message)
		}
	}
	hs.mu.Unlock()
	if n, live := pending.Load(), len(emu.LiveGitHubInstallTokens()); n != 1 || revokes(emu) != 1 || live != 0 {
		t.Fatalf("%d checks left a revocation, %d revocations sent, %d tokens still live: want 1, 1, 0", n, revokes(emu), live)
	}
	if strings.Contains(plainText(hs.screen()), "revoke the") {
		t.Fatalf("a warning shows after revocations that worked:\n%s", plainText(hs.screen()))
	}
}

// TestLiveCheckShowsARevocationWarning: a revocation GitHub refuses shows as a warning (in the
// checklist of the check that minted the token, or as a line of its own when another check has
// started since: the form may re-check the normalised draft), never showing a token.
func TestLiveCheckShowsARevocationWarning(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	emu.SetGitHubRevokeFault(http.StatusServiceUnavailable)
	gate := make(chan struct{})
	close(gate)
	hs := openApp(t, appStore(t, emu), gatedChecks(gate, new(atomic.Int32)))
	hs.waitFor("did not revoke the", "HTTP 503")
	hs.handled("a refused revocation's warning", 1, func(m tea.Msg) bool {
		r, ok := m.(revokedMsg)
		return ok && r.warn != nil && r.warn.Status == providers.Warn
	})
	for _, tok := range emu.GitHubInstallTokens() {
		if hs.sawScreen(tok) {
			t.Fatal("a screen showed the installation token")
		}
	}
}

// TestRevocationWarningAfterTheEditorClosed: a revocation that fails after its editor was closed
// is not lost: the picker's notice says it.
func TestRevocationWarningAfterTheEditorClosed(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	emu.SetGitHubRevokeFault(http.StatusServiceUnavailable)
	gate := make(chan struct{})
	hs := openApp(t, appStore(t, emu), gatedChecks(gate, new(atomic.Int32)))
	hs.key("esc") // the key's text, shown on one line in the masked input, is no edit
	hs.waitUntil("the picker", func(p string) bool { return !strings.Contains(p, "GitHub · editing") })
	close(gate)
	hs.waitFor("warning: ", "did not revoke the", "HTTP 503")
}

// TestSessionEndRunsPendingWork: what no command ran yet runs when the session ends (drain), once;
// a command that comes after runs nothing.
func TestSessionEndRunsPendingWork(t *testing.T) {
	t.Parallel()
	var ran atomic.Int32
	l := &laterWork{}
	id := l.add(func(context.Context) *providers.Check { ran.Add(1); return nil })
	l.drain(5 * time.Second)
	if ran.Load() != 1 {
		t.Fatalf("drain ran the pending work %d times", ran.Load())
	}
	if w := l.run(id); w != nil || ran.Load() != 1 {
		t.Fatalf("a command after the drain ran it again (%d)", ran.Load())
	}
	started, release := make(chan struct{}), make(chan struct{})
	id = l.add(func(context.Context) *providers.Check { close(started); <-release; ran.Add(1); return nil })
	go l.run(id)
	<-started
	drained := make(chan struct{})
	go func() { l.drain(5 * time.Second); close(drained) }()
	close(release)
	<-drained // drain waited for the command running
	if ran.Load() != 2 {
		t.Fatalf("drain did not wait for the running work (%d)", ran.Load())
	}
}

// revokes counts the DELETE /installation/token requests GitHub's emulator received.
func revokes(e *fake.Emulators) int {
	n := 0
	for _, rq := range e.Requests(providers.GitHub) {
		if rq.Method == http.MethodDelete && rq.Path == "/api/v3/installation/token" {
			n++
		}
	}
	return n
}
