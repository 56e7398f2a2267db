package providers_test

import (
	"net/http"
	"strings"
	"testing"

	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

func TestAzureRepoFailures(t *testing.T) {
	t.Parallel()
	emu := sharedEmulators(t)
	ctx := testCtx(t)
	tokenURL := emu.URL(providers.Azure) + "/" + fake.AzureOrganisation + "/_usersSettings/tokens"
	full := repoAPI(t, emu.DemoCredentials(providers.Azure))

	t.Run("create without Code manage", func(t *testing.T) {
		assertCreateRefused(t, emu, providers.Azure, fake.AzureTokenNoManage, http.StatusUnauthorized,
			"create repository", "Code: Read, write, & manage", "TF400813", tokenURL)
	})
	t.Run("delete without the Delete repository permission", func(t *testing.T) {
		api := repoAPI(t, emu.Credentials(providers.Azure, fake.AzureTokenNoDelete))
		r, err := deleteRefused(t, api, full)
		assertAPIError(t, err, http.StatusForbidden, fake.AzureTokenNoDelete,
			"delete repository", r.FullName, "Delete or disable repository", "TF401027", "Project settings")
		if p := api.DeletePermission(); !strings.Contains(p, "Code (read, write & manage)") || !strings.Contains(p, "Delete repository") {
			t.Errorf("DeletePermission = %q", p)
		}
	})
	t.Run("invalid token gets the sign-in page", func(t *testing.T) {
		api := repoAPI(t, emu.Credentials(providers.Azure, fake.AzureTokenInvalid))
		_, err := api.Create(ctx, repoName(t))
		assertAPIError(t, err, http.StatusNonAuthoritativeInfo, fake.AzureTokenInvalid, "sign-in page", tokenURL)
	})
	t.Run("unknown project", func(t *testing.T) {
		c := emu.DemoCredentials(providers.Azure)
		c.Org = "nope"
		_, err := repoAPI(t, c).Create(ctx, repoName(t))
		assertAPIError(t, err, http.StatusNotFound, c.Token, `"nope"`, "_projects")
	})
	t.Run("expired", func(t *testing.T) {
		api := repoAPI(t, emu.Credentials(providers.Azure, fake.AzureTokenExpired))
		_, err := api.Create(ctx, repoName(t))
		assertAPIError(t, err, http.StatusUnauthorized, fake.AzureTokenExpired, "expired", tokenURL)
	})
}

func TestAzureGitUsername(t *testing.T) {
	t.Parallel()
	emu := sharedEmulators(t)
	c := emu.DemoCredentials(providers.Azure)
	if u := repoAPI(t, c).GitUsername(); u != fake.AzureUser {
		t.Errorf("Git username %q, want the configured %q", u, fake.AzureUser)
	}
	c.Username = ""
	if u := repoAPI(t, c).GitUsername(); u == "" {
		t.Error("Git username is empty without a configured username; want any non-empty name")
	}
}
