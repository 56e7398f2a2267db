package ui

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// TestGitLabRetestInOneWave: once a check remembered GitLab's user id, the picker's re-test and
// the editor's check of the stored credentials send the membership look-up with /user.
func TestGitLabRetestInOneWave(t *testing.T) {
	t.Parallel()
	h := kit.NewMembershipWatch()
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
	h.Arm()
	hs.key("t")
	hs.handled("the re-test recorded", 2, func(m tea.Msg) bool { _, ok := m.(retestMsg); return ok })
	if _, early := h.Lookups(); !early {
		t.Error("the picker's re-test sent the membership look-up after /user (two waves)")
	}
	h.Arm()
	hs.key("enter")
	hs.waitUntil("the editor's check passed", func(plain string) bool {
		return strings.Contains(plain, "ctrl+s") && strings.Contains(plain, "✓ auth")
	})
	if _, early := h.Lookups(); !early {
		t.Error("the editor's check of the stored credentials sent the membership look-up after /user (two waves)")
	}
}
