package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// wholeGitLabToken matches a whole GitLab token; output shows hints (glpat-…abcd) only.
var wholeGitLabToken = regexp.MustCompile(`glpat-[A-Za-z0-9_-]{20}`)

// lossyGitLab serves e's GitLab emulator behind a gateway that passes the rotate request on
// (GitLab rotates: the old token is revoked) and then spoils the answer: "lost" closes the
// connection, "502" answers 502 Bad Gateway. It returns the gateway's URL, and how many rotate
// requests it got with the tokens GitLab issued in the answers it swallowed.
func lossyGitLab(t *testing.T, e *fake.Emulators, mode string) (string, func() (int, []string)) {
	t.Helper()
	target, err := url.Parse(e.URL(providers.GitLab))
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	var mu sync.Mutex
	posts, issued := 0, []string(nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/personal_access_tokens/self/rotate") {
			proxy.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		proxy.ServeHTTP(rec, r)
		var body struct{ Token string }
		_ = json.Unmarshal(rec.Body.Bytes(), &body)
		mu.Lock()
		posts++
		if body.Token != "" {
			issued = append(issued, body.Token)
		}
		mu.Unlock()
		if mode == "lost" {
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				_ = conn.Close()
			}
			return
		}
		fake.WriteJSON(w, http.StatusBadGateway, map[string]any{"message": "502 Bad Gateway"})
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() (int, []string) {
		mu.Lock()
		defer mu.Unlock()
		return posts, append([]string(nil), issued...)
	}
}

// TestRotateWhoseAnswerWasLostSaysTheOldTokenMayBeRevoked: when GitLab may have rotated but its
// answer never arrived (the connection closed, or a gateway's 502 after GitLab got the request),
// rotate fails (exit 1) saying the stored old token may already be revoked — never that nothing
// changed and it still works — keeps the store as it was, sent the request once, and prints no
// token, neither the old one nor the one GitLab issued.
func TestRotateWhoseAnswerWasLostSaysTheOldTokenMayBeRevoked(t *testing.T) {
	t.Parallel()
	const old = fake.GitLabTokenFull
	for _, mode := range []string{"lost", "502"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			e := kit.Emulators(t, fake.Options{})
			base, sent := lossyGitLab(t, e, mode)
			s, err := config.Init(filepath.Join(t.TempDir(), "cfg"), "")
			if err != nil {
				t.Fatal(err)
			}
			creds := e.Credentials(providers.GitLab, old)
			creds.Host, creds.APIURL = base+"/", base+"/api/v4"
			if _, err := s.Set(context.Background(), "setup", config.Change{Credential: string(providers.GitLab), Base: config.AnyRevision,
				Settings: creds.Settings, Activate: true}); err != nil {
				t.Fatal(err)
			}
			before, err := s.Load()
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			pushed := false
			opts := &rotateOptions{
				runDeps: runDeps{
					IO:        Streams{In: strings.NewReader(""), Out: &out, Err: &out},
					OpenStore: func() (*config.Store, error) { return s, nil },
					Env: func(d time.Duration) *providers.Env {
						env := providers.NewEnv("test")
						env.Timeout = d
						return env
					},
					Now: func() time.Time { return time.Now().UTC() },
					Who: func() string { return "tester" },
				},
				PushDevtron: func(context.Context, *config.Data, string) (bool, error) {
					pushed = true
					return false, nil
				},
				Credential: "gitlab",
				Yes:        true,
				Timeout:    providers.DeepTimeout,
			}
			err = rotateRun(context.Background(), opts)
			text := out.String()
			if exitCode(err) != exitCheckFail {
				t.Fatalf("exit %d (%v), want 1\n%s", exitCode(err), err, text)
			}
			for _, w := range []string{"✗ rotate:", "The store still holds the old token " + providers.TokenHint(old) + ", which GitLab may have revoked."} {
				if !strings.Contains(text, w) {
					t.Errorf("output lacks %q:\n%s", w, text)
				}
			}
			for _, w := range []string{"Nothing changed", "which still works", "✓ rotate", "✓ save"} {
				if strings.Contains(text, w) {
					t.Errorf("output says %q after a rotation GitLab may have made:\n%s", w, text)
				}
			}
			n, issued := sent()
			if n != 1 || len(issued) != 1 || e.GitLabRotations() != 1 {
				t.Fatalf("%d rotate requests, %d tokens issued, %d rotations at GitLab; want 1 each", n, len(issued), e.GitLabRotations())
			}
			for _, tok := range append(issued, old) {
				if strings.Contains(text, tok) {
					t.Fatalf("a token is in the output:\n%s", text)
				}
			}
			if wholeGitLabToken.MatchString(text) {
				t.Fatalf("a whole token is in the output:\n%s", text)
			}
			after, err := s.Load()
			if err != nil {
				t.Fatal(err)
			}
			if after.Revision != before.Revision || after.Credentials["gitlab"].Token != old {
				t.Errorf("the store changed: revision %d → %d, token %s", before.Revision, after.Revision, providers.TokenHint(after.Credentials["gitlab"].Token))
			}
			if pushed {
				t.Error("a failed rotation pushed to Devtron")
			}
		})
	}
}
