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

// Every installation token the product mints is revoked when its work is done: after a live
// check, a round trip and a Git read check, the emulator holds no live installation token, and
// the revocation was DELETE /installation/token.
func TestGitHubAppTokensAreRevoked(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	if err := e.AddRepo(providers.GitHub, "gitops"); err != nil {
		t.Fatal(err)
	}
	key := fake.GitHubAppKey()
	env := envWithTimeout(30 * time.Second)
	c := appCreds(e, fake.GitHubAppFull, key)
	r := providers.Run(context.Background(), env, c)
	if live := e.LiveGitHubInstallTokens(); !r.OK || len(live) != 0 {
		t.Fatalf("after the live check (ok %v): %d installation tokens still live", r.OK, len(live))
	}
	if ch, ok := r.Find(providers.CheckExpiry); !ok || !strings.Contains(ch.Message, "revoked") {
		t.Errorf("the expiry check does not say the minted token was revoked: %+v", ch)
	}
	r = providers.RunDeep(context.Background(), env, c, nil)
	if live := e.LiveGitHubInstallTokens(); !r.OK || len(live) != 0 {
		t.Fatalf("after the round trip (ok %v, %+v): %d installation tokens still live", r.OK, r.Checks, len(live))
	}
	if ch := providers.CanRead(context.Background(), env, c, repoURL(t, c, "gitops")); ch.Status != providers.Pass {
		t.Fatalf("the App's read: %+v", ch)
	}
	if live := e.LiveGitHubInstallTokens(); len(live) != 0 {
		t.Fatalf("after the read check: %d installation tokens still live", len(live))
	}
	minted, deletes := len(e.GitHubInstallTokens()), 0
	for _, rq := range e.Requests(providers.GitHub) {
		if rq.Method == http.MethodDelete && rq.Path == "/api/v3/installation/token" {
			deletes++
		}
	}
	if minted < 3 || deletes != minted {
		t.Errorf("%d installation tokens minted, %d DELETE /installation/token sent", minted, deletes)
	}
	assertNoAppSecret(t, e, r, key)
}

// A revocation GitHub refuses is said as a warning (not a failure) naming the answer and when the
// token expires by itself; the check and the round trip still pass, and no token shows.
func TestGitHubAppRevocationFails(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	e.SetGitHubRevokeFault(http.StatusServiceUnavailable)
	key := fake.GitHubAppKey()
	env := envWithTimeout(30 * time.Second)
	c := appCreds(e, fake.GitHubAppFull, key)
	for name, r := range map[string]providers.Result{
		"check":      providers.Run(context.Background(), env, c),
		"round trip": providers.RunDeep(context.Background(), env, c, nil),
	} {
		assertNoAppSecret(t, e, r, key)
		ch, ok := r.Find(providers.CheckRevoke)
		if !r.OK || !ok || ch.Status != providers.Warn || !strings.Contains(ch.Message, "HTTP 503") ||
			!strings.Contains(ch.Message, "expires by itself at") || !strings.Contains(ch.Message, "DELETE /installation/token") {
			t.Errorf("%s: ok %v, revoke check %+v", name, r.OK, ch)
		}
	}
	if live := e.LiveGitHubInstallTokens(); len(live) == 0 {
		t.Errorf("the emulator's fault revoked the tokens anyway")
	}
}

// The emulator revokes as GitHub does: 204 with no body, and the token is then refused (401).
func TestEmulatorRevokesInstallationToken(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	c := appCreds(e, fake.GitHubAppFull, fake.GitHubAppKey())
	providers.Run(context.Background(), envWithTimeout(10*time.Second), c) // mints and revokes one
	toks := e.GitHubInstallTokens()
	if len(toks) != 1 {
		t.Fatalf("%d tokens minted", len(toks))
	}
	api := e.URL(providers.GitHub) + "/api/v3"
	req, _ := http.NewRequest(http.MethodGet, api+"/installation/repositories", nil)
	req.Header.Set("Authorization", "Bearer "+toks[0])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a revoked token read the installation's repositories: HTTP %d", resp.StatusCode)
	}
}
