package providers_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// anyGitLabSecret matches a whole GitLab token (the emulator issues glpat- and 20 characters).
var anyGitLabSecret = regexp.MustCompile(`glpat-[A-Za-z0-9_-]{20}`)

// rotateGateway is a gateway in front of a GitLab emulator that spoils the answers to
// POST …/personal_access_tokens/self/rotate as mode says, and counts those requests.
type rotateGateway struct {
	mode string // "502 after rotating", "502 without forwarding", "answer lost"

	mu     sync.Mutex
	posts  int
	issued []string // the tokens GitLab issued in answers the client never got
}

func (g *rotateGateway) count() (int, []string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.posts, append([]string(nil), g.issued...)
}

// start serves the gateway in front of e's GitLab emulator and returns its URL.
func (g *rotateGateway) start(t *testing.T, e *fake.Emulators) string {
	t.Helper()
	target, err := url.Parse(e.URL(providers.GitLab))
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/personal_access_tokens/self/rotate") {
			proxy.ServeHTTP(w, r)
			return
		}
		g.mu.Lock()
		g.posts++
		g.mu.Unlock()
		if g.mode != "502 without forwarding" {
			// GitLab gets the request and rotates; its answer stops here.
			rec := httptest.NewRecorder()
			proxy.ServeHTTP(rec, r)
			var body struct{ Token string }
			if json.Unmarshal(rec.Body.Bytes(), &body) == nil && body.Token != "" {
				g.mu.Lock()
				g.issued = append(g.issued, body.Token)
				g.mu.Unlock()
			}
		}
		if g.mode == "answer lost" {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				_ = conn.Close()
			}
			return
		}
		fake.WriteJSON(w, http.StatusBadGateway, map[string]any{"message": "502 Bad Gateway"})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestGitLabRotateIsNeverRetried: GitLab revokes the calling token the moment it rotates, and a
// second rotation with that token is reuse, after which GitLab revokes the new token too. So
// however the answer is spoiled (a gateway's 502 after GitLab rotated, a 502 from a gateway that
// never reached GitLab, a connection closed before the answer), the rotate request goes out
// exactly once, the error says the old token may already be revoked, the token GitLab issued
// still works, and no token is in the message.
func TestGitLabRotateIsNeverRetried(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		mode    string
		status  int
		rotated bool // GitLab got the request and issued a new token
		words   []string
	}{
		{"502 after rotating", http.StatusBadGateway, true, []string{"HTTP 502", "may or may not have rotated"}},
		{"502 without forwarding", http.StatusBadGateway, false, []string{"HTTP 502", "may or may not have rotated"}},
		{"answer lost", 0, true, []string{"may have rotated the token all the same", "the old one is revoked"}},
	} {
		t.Run(c.mode, func(t *testing.T) {
			t.Parallel()
			e := kit.Emulators(t, fake.Options{})
			g := &rotateGateway{mode: c.mode}
			base := g.start(t, e)
			creds := e.Credentials(providers.GitLab, fake.GitLabTokenFull)
			creds.Host, creds.APIURL = base+"/", base+"/api/v4"

			rot := providers.MustLookup(providers.GitLab).Rotation
			newTok, _, err := rot.Rotate(t.Context(), envWithTimeout(10*time.Second), creds, providers.TokenInfo{}, time.Time{}) // a personal token: no page of its own
			posts, issued := g.count()
			if posts != 1 {
				t.Fatalf("the rotate request went out %d times, want exactly once (a retry makes GitLab revoke the new token too)", posts)
			}
			if err == nil || newTok != "" {
				t.Fatalf("a spoiled rotation succeeded: token %q, error %v", providers.TokenHint(newTok), err)
			}
			var re *providers.RotateError
			if !errors.As(err, &re) {
				t.Fatalf("error %v (%T) is not a *RotateError", err, err)
			}
			if !re.MaybeRevoked || re.Status != c.status {
				t.Errorf("MaybeRevoked %v, status %d; want true, %d: %s", re.MaybeRevoked, re.Status, c.status, re.Msg)
			}
			for _, w := range append(c.words, base+"/-/user_settings/personal_access_tokens") {
				if !strings.Contains(re.Msg, w) {
					t.Errorf("message lacks %q: %s", w, re.Msg)
				}
			}
			for _, tok := range append(issued, fake.GitLabTokenFull) {
				if strings.Contains(re.Msg, tok) {
					t.Fatalf("a token is in the message: %s", re.Msg)
				}
			}
			if anyGitLabSecret.MatchString(re.Msg) {
				t.Fatalf("a whole token is in the message: %s", re.Msg)
			}
			if n := e.GitLabRotations(); (n == 1) != c.rotated || n > 1 {
				t.Fatalf("%d rotations at GitLab, want rotated %v", n, c.rotated)
			}
			if !c.rotated {
				return
			}
			if len(issued) != 1 {
				t.Fatalf("GitLab issued %d tokens, want 1", len(issued))
			}
			// The token GitLab issued is still alive: nothing rotated it a second time.
			r := runCheck(t, envWithTimeout(10*time.Second), e.Credentials(providers.GitLab, issued[0]))
			if a, _ := r.Find(providers.CheckAuth); a.Status != providers.Pass {
				t.Errorf("the token GitLab issued no longer works: %s", dumpResult(r))
			}
		})
	}
}
