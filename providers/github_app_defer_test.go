package providers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// revokes counts the DELETE /installation/token requests the emulator received.
func revokes(e *fake.Emulators) int {
	n := 0
	for _, rq := range e.Requests(providers.GitHub) {
		if rq.Method == http.MethodDelete && rq.Path == "/api/v3/installation/token" {
			n++
		}
	}
	return n
}

// RunDeferred returns a GitHub App's result before the revocation: the token is still live and
// no DELETE was sent; the expiry check says it is being revoked; pending then revokes it (once),
// and the emulator holds no live token. A token credential leaves nothing pending.
func TestGitHubAppRevocationDeferred(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	key := fake.GitHubAppKey()
	env := envWithTimeout(30 * time.Second)
	c := appCreds(e, fake.GitHubAppFull, key)
	r, pending := providers.RunDeferred(context.Background(), env, c)
	if !r.OK || pending == nil || len(e.LiveGitHubInstallTokens()) != 1 || revokes(e) != 0 {
		t.Fatalf("before pending: ok %v, pending %v, %d live tokens, %d revocations", r.OK, pending != nil, len(e.LiveGitHubInstallTokens()), revokes(e))
	}
	if ch, ok := r.Find(providers.CheckExpiry); !ok || !strings.Contains(ch.Message, "is revoked as the check ends") {
		t.Errorf("the expiry check does not say the token is being revoked: %+v", ch)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the revocation runs even when the caller's context has ended
	if w := pending(ctx); w != nil || len(e.LiveGitHubInstallTokens()) != 0 || revokes(e) != 1 {
		t.Fatalf("after pending: warning %+v, %d live tokens, %d revocations", w, len(e.LiveGitHubInstallTokens()), revokes(e))
	}
	if w := pending(ctx); w != nil || revokes(e) != 1 {
		t.Fatalf("a second call did something: %+v, %d revocations", w, revokes(e))
	}
	assertNoAppSecret(t, e, r, key)
	if _, p := providers.RunDeferred(context.Background(), env, e.Credentials(providers.GitHub, fake.GitHubTokenFull)); p != nil {
		t.Error("a token's check left something pending")
	}
}

// A deferred revocation GitHub refuses comes back from pending as the warning Run adds, naming
// the answer and when the token expires by itself, with no secret in it.
func TestGitHubAppDeferredRevocationFails(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	e.SetGitHubRevokeFault(http.StatusServiceUnavailable)
	key := fake.GitHubAppKey()
	c := appCreds(e, fake.GitHubAppFull, key)
	r, pending := providers.RunDeferred(context.Background(), envWithTimeout(30*time.Second), c)
	if !r.OK || pending == nil {
		t.Fatalf("ok %v, pending %v", r.OK, pending != nil)
	}
	w := pending(context.Background())
	if w == nil || w.ID != providers.CheckRevoke || w.Status != providers.Warn || !strings.Contains(w.Message, "HTTP 503") ||
		!strings.Contains(w.Message, "expires by itself at") {
		t.Fatalf("the warning: %+v", w)
	}
	r.Checks = append(r.Checks, *w)
	assertNoAppSecret(t, e, r, key)
	for _, tok := range e.GitHubInstallTokens() {
		if strings.Contains(w.Message, tok) {
			t.Fatal("the warning shows the installation token")
		}
	}
}

// A GitHub App's live check, 50 ms added to every request, until its result is known: Run waits
// for DELETE /installation/token (chain 4, found from the organisation), RunDeferred does not
// (chain 3); the revocation then runs outside the timer.
//
// go test ./providers -run '^$' -bench 'CheckGitHubAppFound' -benchtime 20x
func BenchmarkCheckGitHubAppFoundDeferred(b *testing.B) {
	e := kit.Emulators(b, fake.Options{Latency: benchLatency})
	c := appCreds(e, fake.GitHubAppFull, fake.GitHubAppKey())
	env := envWithTimeout(10 * time.Second)
	b.ReportAllocs()
	for b.Loop() {
		r, pending := providers.RunDeferred(context.Background(), env, c)
		b.StopTimer()
		if !r.OK || pending == nil {
			b.Fatalf("check failed or nothing pending: %s", dumpResult(r))
		}
		if w := pending(context.Background()); w != nil {
			b.Fatalf("revocation: %s", w.Message)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64((b.Elapsed() / time.Duration(b.N)).Milliseconds()), "ms/op")
}
