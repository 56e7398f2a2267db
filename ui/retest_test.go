package ui

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// heldUser wraps the GitLab emulator: once armed, GET /user waits (at most 5 s) for a membership
// look-up to arrive, and records whether one did, so the test sees whether a check sent it in the
// same wave as /user.
type heldUser struct {
	next http.Handler

	mu      sync.Mutex
	arrived chan struct{} // nil: not armed
	early   bool
}

func (h *heldUser) arm() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.arrived, h.early = make(chan struct{}), false
}

func (h *heldUser) wasEarly() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.early
}

func (h *heldUser) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	arrived := h.arrived
	if arrived != nil && strings.Contains(r.URL.Path, "/members/all/") {
		select {
		case <-arrived:
		default:
			close(arrived)
		}
	}
	h.mu.Unlock()
	if r.URL.Path == "/api/v4/user" && arrived != nil {
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

// TestGitLabRetestInOneWave: once a check remembered GitLab's user id, the picker's re-test and
// the editor's check of the stored credentials send the membership look-up with /user.
func TestGitLabRetestInOneWave(t *testing.T) {
	t.Parallel()
	h := &heldUser{next: fake.GitLabHandler()}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	_, s := newStore(t, func(d *config.Data) {
		p := &config.Credential{Provider: "gitlab", UpdatedAt: fixedNow.Add(-time.Hour)}
		p.Settings = providers.Credentials{Provider: providers.GitLab, Settings: config.Settings{Host: srv.URL + "/", APIURL: srv.URL + "/api/v4", Org: fake.GitLabGroupPath, Username: fake.GitLabUser, Token: fake.GitLabTokenFull}}.Settings
		d.Credentials[string(providers.GitLab)] = p
		d.Active = string(providers.GitLab)
	})
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, realChecks, 120, 40)
	hs.waitFor("never checked")
	hs.key("t")
	hs.waitFor("GitLab: all checks passed")
	if load(t, s).Credentials["gitlab"].LastCheck.UserID == 0 {
		t.Fatal("the check remembered no user id")
	}
	h.arm()
	hs.key("t")
	hs.handled("the re-test recorded", 2, func(m tea.Msg) bool { _, ok := m.(retestMsg); return ok })
	if !h.wasEarly() {
		t.Error("the picker's re-test sent the membership look-up after /user (two waves)")
	}
	h.arm()
	hs.key("enter")
	hs.waitUntil("the editor's check passed", func(plain string) bool {
		return strings.Contains(plain, "ctrl+s") && strings.Contains(plain, "✓ auth")
	})
	if !h.wasEarly() {
		t.Error("the editor's check of the stored credentials sent the membership look-up after /user (two waves)")
	}
}
