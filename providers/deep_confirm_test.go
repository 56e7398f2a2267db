package providers_test

import (
	"context"
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// A passing round trip settles the scope warnings the live check could not confirm without
// writing; a failing one leaves them as warnings, and advisory scopes always stay warnings.
func TestRoundTripConfirmsUnconfirmedScopes(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	env := providers.NewEnv("test")
	cases := []struct {
		id       providers.ID
		token    string
		scope    string
		want     providers.Status
		msgStart string
	}{
		{providers.Bitbucket, fake.BitbucketTokenFull, "scope:write:repository:bitbucket", providers.Pass, "confirmed by the round trip"},
		{providers.Azure, fake.AzureTokenFull, "scope:vso.code_manage", providers.Pass, "confirmed by the round trip"},
		{providers.Azure, fake.AzureTokenPushDenied, "scope:vso.code_manage", providers.Warn, "unconfirmed"},
		{providers.GitHub, fake.GitHubTokenNoAdminOrg, "scope:admin:org", providers.Warn, "not granted"},
	}
	for _, c := range cases {
		r := providers.RunDeep(context.Background(), env, emu.Credentials(c.id, c.token), nil)
		got, ok := r.Find(c.scope)
		if !ok || got.Status != c.want || !strings.HasPrefix(got.Message, c.msgStart) {
			t.Errorf("%s %s: %s %q; want %s starting %q", c.id, c.scope, got.Status, got.Message, c.want, c.msgStart)
		}
	}
	for _, id := range providers.APIIDs() {
		for _, name := range emu.Repos(id) {
			if strings.HasPrefix(name, providers.RepoPrefix) {
				t.Errorf("%s: repository %s left behind", id, name)
			}
		}
	}
}
