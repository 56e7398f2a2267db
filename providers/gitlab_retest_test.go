package providers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// membershipWatch wraps the GitLab emulator: it records the user ids of the membership look-ups
// (GET /groups/:id/members/all/:user_id) and, when holdUser is set, holds GET /user until a
// membership look-up has arrived (at most 5 s), so a test can tell whether the look-up went out
// in the same wave as /user, without timing anything.
type membershipWatch struct {
	next     http.Handler
	holdUser bool

	mu      sync.Mutex
	ids     []string
	arrived chan struct{}
	once    sync.Once
	early   bool // a look-up arrived while /user was held
}

func newMembershipWatch(holdUser bool) *membershipWatch {
	return &membershipWatch{next: fake.GitLabHandler(), holdUser: holdUser, arrived: make(chan struct{})}
}

func (m *membershipWatch) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if i := strings.Index(p, "/members/all/"); i >= 0 {
		m.mu.Lock()
		m.ids = append(m.ids, p[i+len("/members/all/"):])
		m.mu.Unlock()
		m.once.Do(func() { close(m.arrived) })
	}
	if p == "/api/v4/user" && m.holdUser {
		select {
		case <-m.arrived:
			m.mu.Lock()
			m.early = true
			m.mu.Unlock()
		case <-time.After(5 * time.Second):
		}
	}
	m.next.ServeHTTP(w, r)
}

func (m *membershipWatch) lookups() ([]string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.ids...), m.early
}

func gitLabOn(srv *httptest.Server, token string) providers.Credentials {
	return providers.Credentials{Provider: providers.GitLab, Settings: config.Settings{Host: srv.URL + "/", APIURL: srv.URL + "/api/v4", Org: fake.GitLabGroupPath, Username: fake.GitLabUser, Token: token}}
}

func TestGitLabRetestInOneWave(t *testing.T) {
	t.Parallel()
	first := func() (providers.Result, []string) {
		w := newMembershipWatch(false)
		srv := httptest.NewServer(w)
		t.Cleanup(srv.Close)
		r := providers.Run(context.Background(), envWithTimeout(10*time.Second), gitLabOn(srv, fake.GitLabTokenMaintainer))
		ids, _ := w.lookups()
		return r, ids
	}
	base, ids := first()
	if !base.OK || base.UserID != fake.GitLabUserID || len(ids) != 1 {
		t.Fatalf("first check: ok %v, user id %d, look-ups %v\n%s", base.OK, base.UserID, ids, dumpResult(base))
	}
	cases := []struct {
		name  string
		known int64
		ids   []string
		early bool
	}{
		{"the remembered id is confirmed", fake.GitLabUserID, []string{"4242"}, true},
		{"the identity changed", 999, []string{"999", "4242"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			w := newMembershipWatch(true)
			srv := httptest.NewServer(w)
			t.Cleanup(srv.Close)
			ctx := providers.WithKnownUserID(context.Background(), c.known)
			r := providers.Run(ctx, envWithTimeout(10*time.Second), gitLabOn(srv, fake.GitLabTokenMaintainer))
			ids, early := w.lookups()
			if strings.Join(ids, ",") != strings.Join(c.ids, ",") || early != c.early {
				t.Fatalf("look-ups for %v (sent with /user: %v), want %v (%v)", ids, early, c.ids, c.early)
			}
			if r.UserID != fake.GitLabUserID || len(r.Checks) != len(base.Checks) {
				t.Fatalf("user id %d\n%s", r.UserID, dumpResult(r))
			}
			for i, want := range base.Checks {
				if got := r.Checks[i]; got.ID != want.ID || got.Status != want.Status || got.Message != want.Message {
					t.Errorf("check %d: %+v, the first check said %+v", i, got, want)
				}
			}
		})
	}
}
