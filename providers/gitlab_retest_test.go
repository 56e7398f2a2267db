package providers_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

func gitLabOn(srv *httptest.Server, token string) providers.Credentials {
	return providers.Credentials{Provider: providers.GitLab, Settings: config.Settings{Host: srv.URL + "/", APIURL: srv.URL + "/api/v4", Org: fake.GitLabGroupPath, Username: fake.GitLabUser, Token: token}}
}

func TestGitLabRetestInOneWave(t *testing.T) {
	t.Parallel()
	first := func() (providers.Result, []string) {
		w := kit.NewMembershipWatch()
		srv := httptest.NewServer(w)
		t.Cleanup(srv.Close)
		r := providers.Run(context.Background(), envWithTimeout(10*time.Second), gitLabOn(srv, fake.GitLabTokenMaintainer))
		ids, _ := w.Lookups()
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
			w := kit.NewMembershipWatch()
			w.Arm()
			srv := httptest.NewServer(w)
			t.Cleanup(srv.Close)
			ctx := providers.WithKnownUserID(context.Background(), c.known)
			r := providers.Run(ctx, envWithTimeout(10*time.Second), gitLabOn(srv, fake.GitLabTokenMaintainer))
			ids, early := w.Lookups()
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
