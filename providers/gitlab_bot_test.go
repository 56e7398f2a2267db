package providers_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// Group and project access tokens: the check names the token for what it is, shows its role and
// scopes, and says why a project token or another group's token cannot create the projects.
func TestCheckGitLabBotTokens(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	env := envWithTimeout(5 * time.Second)
	pass, fail := providers.Pass, providers.Fail
	groupPage := e.URL(providers.GitLab) + "/groups/" + fake.GitLabGroupPath + "/-/settings/access_tokens"
	tests := []struct {
		name  string
		token string
		ok    bool
		want  wants
	}{
		{name: "group access token", token: fake.GitLabTokenGroupBot, ok: true, want: wants{
			"auth": expect(pass, "authenticated as "+fake.GitLabGroupBotUser, fmt.Sprintf("group access token of group %d", fake.GitLabGroupID),
				`"argocd"`, "scopes api, write_repository", "any non-blank username"),
			"scope:api": expect(pass), "scope:write_repository": expect(pass),
			"org": expect(pass, "the token's role is Owner (50), so it may create and delete"),
		}},
		{name: "project access token", token: fake.GitLabTokenProjectBot, want: wants{
			"auth": expect(pass, fmt.Sprintf("project access token of project %d", fake.GitLabBotProjectID)),
			"org": expect(fail, fmt.Sprintf("project access token (project %d, role Maintainer (40) there)", fake.GitLabBotProjectID), "that project only",
				"group access token of "+fake.GitLabGroupPath, groupPage, "Owner role"),
		}},
		{name: "another group's access token", token: fake.GitLabTokenOtherGroupBot, want: wants{
			"org": expect(fail, fmt.Sprintf("group access token of group %d", fake.GitLabOtherGroupID), "neither group "+fake.GitLabGroupPath, groupPage),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := e.Credentials(providers.GitLab, tc.token)
			c.Username = "anything" // Git takes any non-blank name with these tokens: no warning
			r := runCheck(t, env, c)
			assertResult(t, r, tc.want)
			assertOK(t, r, tc.ok)
		})
	}
}

// A group access token passes the round trip (its bot is the group's Owner).
func TestRoundTripWithAGroupAccessToken(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	c := emu.Credentials(providers.GitLab, fake.GitLabTokenGroupBot)
	r, _ := deepRun(t, testCtx(t), deepEnv(), c, nil)
	deepWant(t, r, "pass pass pass pass pass", nil)
	if left := prefixedRepos(emu, providers.GitLab); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// A group access token rotates itself as a personal one does: its description names it, the new
// token works and keeps the bot; on a GitLab that rotates personal tokens only (405) nothing
// changes and the error says where such a token is rotated.
func TestGitLabRotatesAGroupAccessToken(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	env := envWithTimeout(5 * time.Second)
	rot := providers.MustLookup(providers.GitLab).Rotation
	ctx := context.Background()
	c := e.Credentials(providers.GitLab, fake.GitLabTokenGroupBot)
	info, err := rot.Current(ctx, env, c)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("group access token of group %d", fake.GitLabGroupID); info.Kind != want || !strings.HasSuffix(info.Page, "/groups/"+fake.GitLabGroupPath+"/-/settings/access_tokens") {
		t.Errorf("Current: kind %q, page %q; want %q and the group's Access tokens page", info.Kind, info.Page, want)
	}
	newTok, _, err := rot.Rotate(ctx, env, c, info, time.Now().AddDate(0, 0, 30))
	if err != nil {
		t.Fatal(err)
	}
	c.Token = newTok
	r := runCheck(t, env, c)
	assertResult(t, r, wants{"auth": expect(providers.Pass, fake.GitLabGroupBotUser, "group access token")})

	old := e.Credentials(providers.GitLab, fake.GitLabTokenGroupBotOldGitLab)
	oldInfo, err := rot.Current(ctx, env, old)
	if err != nil {
		t.Fatal(err)
	}
	before := e.GitLabRotations()
	_, _, err = rot.Rotate(ctx, env, old, oldInfo, time.Now().AddDate(0, 0, 30))
	var re *providers.RotateError
	if !errors.As(err, &re) || re.MaybeRevoked || re.Status != 405 ||
		!strings.Contains(re.Msg, "personal access tokens only") || !strings.Contains(re.Msg, "Settings > Access tokens") ||
		!strings.Contains(re.Msg, e.URL(providers.GitLab)+"/groups/"+fake.GitLabGroupPath+"/-/settings/access_tokens") {
		t.Fatalf("rotating on a GitLab that rotates personal tokens only: %v; want a 405 that changed nothing and says where to rotate", err)
	}
	if e.GitLabRotations() != before {
		t.Error("a refused rotation issued a token")
	}
	if _, err := rot.Current(ctx, env, old); err != nil {
		t.Errorf("the token no longer works after a refused rotation: %v", err)
	}
}
