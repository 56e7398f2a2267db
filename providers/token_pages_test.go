package providers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// The expiry and rotation texts of a token that is not a personal one point at the page where
// that token is made: a group access token's group, a project access token's project (GitLab
// routes /groups/GROUP/-/settings/access_tokens and /PROJECT/-/settings/access_tokens), a GitHub
// App's settings page; never the personal-token page.
func TestGitLabBotTokenPages(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	web := e.URL(providers.GitLab)
	rot := providers.MustLookup(providers.GitLab).Rotation
	for _, tc := range []struct{ name, token, page string }{
		{"group access token", fake.GitLabTokenGroupBot, web + "/groups/" + fake.GitLabGroupPath + "/-/settings/access_tokens"},
		{"another group's access token", fake.GitLabTokenOtherGroupBot, web + "/groups/" + fake.GitLabOtherGroupPath + "/-/settings/access_tokens"},
		{"project access token", fake.GitLabTokenProjectBot, web + "/" + fake.GitLabBotProjectPath + "/-/settings/access_tokens"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := e.Credentials(providers.GitLab, tc.token)
			info, err := rot.Current(context.Background(), envWithTimeout(5*time.Second), c)
			if err != nil || info.Page != tc.page {
				t.Errorf("the rotation's page: %q (%v), want %q", info.Page, err, tc.page)
			}
			// A day before it expires (the emulator's bot tokens live 300 days), and after.
			for _, ahead := range []time.Duration{299 * 24 * time.Hour, 302 * 24 * time.Hour} {
				env := envWithTimeout(5 * time.Second)
				env.Now = func() time.Time { return time.Now().Add(ahead) }
				r := providers.Run(context.Background(), env, c)
				ch, _ := r.Find(providers.CheckExpiry)
				if !strings.Contains(ch.Message, tc.page) || strings.Contains(ch.Message, "personal_access_tokens") {
					t.Errorf("%v ahead, the expiry check does not point at %s: %+v", ahead, tc.page, ch)
				}
			}
		})
	}
}

func TestGitHubAppTokenPages(t *testing.T) {
	t.Parallel()
	e := sharedEmulators(t)
	web := strings.TrimRight(e.URL(providers.GitHub), "/")
	// A GitHub App's user access token (ghu_, eight hours): renewed by its App, not on the
	// personal-token page.
	r := runCheck(t, envWithTimeout(10*time.Second), e.Credentials(providers.GitHub, fake.GitHubTokenAppUser))
	ch, _ := r.Find(providers.CheckExpiry)
	if ch.Status != providers.Warn || !strings.Contains(ch.Message, web+"/organizations/acme/settings/apps") ||
		!strings.Contains(ch.Message, "--app-id ID --app-key FILE") || strings.Contains(ch.Message, "settings/tokens") {
		t.Errorf("the expiry of a ghu_ token: %+v", ch)
	}
	// The App itself: its private key is generated on the App's page, under its owner.
	r = providers.Run(context.Background(), envWithTimeout(10*time.Second), appCreds(e, fake.GitHubAppFull, fake.GitHubAppKey()))
	ch, _ = r.Find(providers.CheckExpiry)
	if want := web + "/organizations/acme/settings/apps/acme-gitops"; !strings.Contains(ch.Message, want) || strings.Contains(ch.Message, "settings/tokens") {
		t.Errorf("the App's expiry check does not name %s: %+v", want, ch)
	}
	c := appCreds(e, fake.GitHubAppFull, fake.GitHubAppKey())
	c.Host = "https://github.com/"
	if got, want := providers.GitHubAppKeyPage(c, "acme-gitops"), "https://github.com/organizations/acme/settings/apps/acme-gitops (https://github.com/settings/apps/acme-gitops when"; !strings.HasPrefix(got, want) {
		t.Errorf("GitHubAppKeyPage: %q, want it to start with %q", got, want)
	}
}
