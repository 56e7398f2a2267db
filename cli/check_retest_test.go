package cli_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"gitopscfg/providers/fake"
)

// heldUser wraps the GitLab emulator: once armed, GET /user waits (at most 5 s) for a membership
// look-up to arrive, and records whether one did, so the test sees whether a re-test sent it in
// the same wave as /user.
type heldUser struct {
	next http.Handler

	mu      sync.Mutex
	armed   bool
	arrived chan struct{}
	once    sync.Once
	early   bool
	ids     []string
}

func (h *heldUser) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	armed, arrived := h.armed, h.arrived
	h.mu.Unlock()
	if i := strings.Index(r.URL.Path, "/members/all/"); i >= 0 {
		h.mu.Lock()
		h.ids = append(h.ids, r.URL.Path[i+len("/members/all/"):])
		if armed {
			h.once.Do(func() { close(arrived) })
		}
		h.mu.Unlock()
	}
	if r.URL.Path == "/api/v4/user" && armed {
		select {
		case <-arrived:
			h.mu.Lock()
			h.early = true
			h.mu.Unlock()
		case <-time.After(5 * time.Second):
		}
	}
	h.next.ServeHTTP(w, r)
}

// TestCheckGitLabRetestUsesRememberedUser: the first check remembers the user id with its
// record, and the next check sends the membership look-up in the first wave.
func TestCheckGitLabRetestUsesRememberedUser(t *testing.T) {
	t.Parallel()
	h := &heldUser{next: fake.GitLabHandler()}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	dir := initStore(t)
	mustRun(t, dir, fake.GitLabTokenFull, "set", "gitlab", "--host", srv.URL+"/", "--api-url", srv.URL+"/api/v4",
		"--org", fake.GitLabGroupPath, "--username", fake.GitLabUser, "--token-stdin", "--no-check", "--activate")
	mustRun(t, dir, "", "check")
	h.mu.Lock()
	h.armed, h.arrived, h.ids = true, make(chan struct{}), nil
	h.mu.Unlock()
	r := mustRun(t, dir, "", "check")
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.early || strings.Join(h.ids, ",") != "4242" {
		t.Fatalf("the re-test's membership look-up went out with /user: %v, look-ups %v\n%s", h.early, h.ids, r.out)
	}
}
