package providers_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// ResolveOrg gives a GitLab group's numeric id and full path whichever of the two is stored, says
// what is wrong when GitLab does not show the group, never shows the token, and asks nothing of
// a provider whose organisation has one name.
func TestResolveOrg(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	env := envWithTimeout(10 * time.Second)
	ctx := context.Background()
	want := providers.Org{ID: strconv.Itoa(fake.GitLabGroupID), Path: fake.GitLabGroupPath}
	for _, org := range []string{fake.GitLabGroupPath, strconv.Itoa(fake.GitLabGroupID), " /" + fake.GitLabGroupPath + "/ "} {
		c := e.Credentials(providers.GitLab, fake.GitLabTokenFull)
		c.Org = org
		got, err := providers.ResolveOrg(ctx, env, c)
		if err != nil || got != want {
			t.Errorf("org %q: %+v, %v; want %+v", org, got, err, want)
		}
	}
	missing := e.Credentials(providers.GitLab, fake.GitLabTokenFull)
	missing.Org = "acme/no-such-group"
	if _, err := providers.ResolveOrg(ctx, env, missing); err == nil || !strings.Contains(err.Error(), "HTTP 404") {
		t.Errorf("a missing group: %v", err)
	}
	revoked := e.Credentials(providers.GitLab, fake.GitLabTokenRevoked)
	_, err := providers.ResolveOrg(ctx, env, revoked)
	if err == nil || !strings.Contains(err.Error(), "HTTP 401") || strings.Contains(err.Error(), fake.GitLabTokenRevoked) {
		t.Errorf("a revoked token: %v", err)
	}
	gh := providers.Credentials{Provider: providers.GitHub, Settings: config.Settings{Host: "http://127.0.0.1:1/", Org: " acme ", Token: fake.GitHubTokenFull}}
	if got, err := providers.ResolveOrg(ctx, env, gh); err != nil || got != (providers.Org{ID: "acme", Path: "acme"}) {
		t.Errorf("GitHub: %+v, %v (no request is made: the host is unreachable)", got, err)
	}
}
