package providers_test

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

func TestAzureRepoLifecycle(t *testing.T) {
	t.Parallel()
	emu := sharedEmulators(t)
	ctx := testCtx(t)
	api := repoAPI(t, emu.DemoCredentials(providers.Azure))
	name := repoName(t)

	r, err := api.Create(ctx, name)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	want := emu.URL(providers.Azure) + "/" + fake.AzureOrganisation + "/" + fake.AzureProject + "/_git/" + name
	if r.CloneURL != want {
		t.Errorf("clone URL %q, want %q (the API's remoteUrl without its userinfo)", r.CloneURL, want)
	}
	if u, err := url.Parse(r.CloneURL); err != nil || u.User != nil {
		t.Errorf("clone URL %q carries userinfo", r.CloneURL)
	}
	if r.ID == "" || r.ID == name || r.Name != name || r.FullName != fake.AzureProject+"/"+name || r.WebURL == "" {
		t.Errorf("repo %+v: want the repository GUID as ID, project/name as FullName and a web URL", r)
	}
	if !slices.Contains(emu.Repos(providers.Azure), name) {
		t.Fatalf("the emulator does not hold %s: %v", name, emu.Repos(providers.Azure))
	}
	if ok, err := api.Exists(ctx, r); !ok || err != nil {
		t.Errorf("exists = %v, %v after create", ok, err)
	}
	if _, err := api.Create(ctx, name); !errors.Is(err, providers.ErrNameTaken) {
		t.Errorf("second create: %v, want ErrNameTaken", err)
	} else {
		assertAPIError(t, err, http.StatusConflict, fake.AzureTokenFull, name, "TF400948")
	}
	if err := api.Delete(ctx, r); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if ok, err := api.Exists(ctx, r); ok || err != nil {
		t.Errorf("exists = %v, %v after delete", ok, err)
	}
	if err := api.Delete(ctx, r); err != nil {
		t.Errorf("deleting a deleted repository: %v, want nil (it is gone)", err)
	}
	assertGone(t, emu, providers.Azure, name)
}

func TestAzureRepoFailures(t *testing.T) {
	t.Parallel()
	emu := sharedEmulators(t)
	ctx := testCtx(t)
	tokenURL := emu.URL(providers.Azure) + "/" + fake.AzureOrganisation + "/_usersSettings/tokens"
	full := repoAPI(t, emu.DemoCredentials(providers.Azure))

	t.Run("create without Code manage", func(t *testing.T) {
		api := repoAPI(t, emu.Credentials(providers.Azure, fake.AzureTokenNoManage))
		name := repoName(t)
		_, err := api.Create(ctx, name)
		assertAPIError(t, err, http.StatusUnauthorized, fake.AzureTokenNoManage,
			"create repository", "Code: Read, write, & manage", "TF400813", tokenURL)
		assertGone(t, emu, providers.Azure, name)
	})
	t.Run("delete without the Delete repository permission", func(t *testing.T) {
		api := repoAPI(t, emu.Credentials(providers.Azure, fake.AzureTokenNoDelete))
		r, err := api.Create(ctx, repoName(t))
		if err != nil {
			t.Fatal(err)
		}
		deleteAtEnd(t, full, r)
		err = api.Delete(ctx, r)
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
