package providers_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

func TestBitbucketRepoLifecycle(t *testing.T) {
	t.Parallel()
	emu := azbbEmulators(t)
	ctx := azbbCtx(t)
	api := azbbRepos(t, emu.DemoCredentials(providers.Bitbucket))
	name := azbbRepoName(t)

	r, err := api.Create(ctx, name)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	want := emu.URL(providers.Bitbucket) + "/" + fake.BitbucketWorkspace + "/" + name + ".git"
	if r.CloneURL != want {
		t.Errorf("clone URL %q, want %q (links.clone https without its userinfo)", r.CloneURL, want)
	}
	if u, err := url.Parse(r.CloneURL); err != nil || u.User != nil {
		t.Errorf("clone URL %q carries userinfo", r.CloneURL)
	}
	if r.ID != name || r.Name != name || r.FullName != fake.BitbucketWorkspace+"/"+name ||
		r.WebURL != emu.URL(providers.Bitbucket)+"/"+fake.BitbucketWorkspace+"/"+name {
		t.Errorf("repo %+v", r)
	}
	if got := azbbProjectOf(t, emu, name); got != fake.BitbucketProjectKey {
		t.Errorf("created in project %q, want the configured %q", got, fake.BitbucketProjectKey)
	}
	if ok, err := api.Exists(ctx, r); !ok || err != nil {
		t.Errorf("exists = %v, %v after create", ok, err)
	}
	if _, err := api.Create(ctx, name); !errors.Is(err, providers.ErrNameTaken) {
		t.Errorf("second create: %v, want ErrNameTaken", err)
	}
	if err := api.Delete(ctx, r); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if ok, err := api.Exists(ctx, r); ok || err != nil {
		t.Errorf("exists = %v, %v after delete", ok, err)
	}
	azbbGone(t, emu, providers.Bitbucket, name)
}

// azbbProjectOf reads the project key of a Bitbucket repository from the emulator's API.
func azbbProjectOf(t *testing.T, emu *fake.Emulators, slug string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, emu.URL(providers.Bitbucket)+"/2.0/repositories/"+fake.BitbucketWorkspace+"/"+slug, nil)
	req.SetBasicAuth(fake.BitbucketEmail, fake.BitbucketTokenFull)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var repo struct {
		Project struct {
			Key string `json:"key"`
		} `json:"project"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&repo); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET repository: HTTP %d, %v", resp.StatusCode, err)
	}
	return repo.Project.Key
}

func TestBitbucketRepoOldestProjectWithoutKey(t *testing.T) {
	t.Parallel()
	emu := azbbEmulators(t)
	ctx := azbbCtx(t)
	c := emu.DemoCredentials(providers.Bitbucket)
	c.ProjectKey = ""
	api := azbbRepos(t, c)
	r, err := api.Create(ctx, azbbRepoName(t))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := api.Delete(ctx, r); err != nil {
			t.Error(err)
		}
	}()
	if got := azbbProjectOf(t, emu, r.Name); got != fake.BitbucketOldestProjectKey {
		t.Errorf("created in project %q, want the workspace's oldest, %q", got, fake.BitbucketOldestProjectKey)
	}
}

func TestBitbucketRepoNameTaken(t *testing.T) {
	t.Parallel()
	emu := azbbEmulators(t)
	name := azbbRepoName(t)
	if err := emu.AddRepo(providers.Bitbucket, name); err != nil {
		t.Fatal(err)
	}
	_, err := azbbRepos(t, emu.DemoCredentials(providers.Bitbucket)).Create(azbbCtx(t), name)
	if !errors.Is(err, providers.ErrNameTaken) {
		t.Fatalf("create over an existing slug: %v, want ErrNameTaken", err)
	}
	azbbAPIError(t, err, http.StatusBadRequest, fake.BitbucketTokenFull, "exists already", fake.BitbucketWorkspace+"/"+name,
		"Repository with this Slug and Owner already exists.")
}

func TestBitbucketRepoFailures(t *testing.T) {
	t.Parallel()
	emu := azbbEmulators(t)
	ctx := azbbCtx(t)
	full := azbbRepos(t, emu.DemoCredentials(providers.Bitbucket))
	tokenURL := "https://id.atlassian.com/manage-profile/security/api-tokens"

	t.Run("create without admin:repository:bitbucket", func(t *testing.T) {
		api := azbbRepos(t, emu.Credentials(providers.Bitbucket, fake.BitbucketTokenNoAdminRepo))
		name := azbbRepoName(t)
		_, err := api.Create(ctx, name)
		azbbAPIError(t, err, http.StatusForbidden, fake.BitbucketTokenNoAdminRepo,
			"create repository", "admin:repository:bitbucket", "needed to create repositories", tokenURL)
		azbbGone(t, emu, providers.Bitbucket, name)
	})
	t.Run("delete without delete:repository:bitbucket", func(t *testing.T) {
		api := azbbRepos(t, emu.Credentials(providers.Bitbucket, fake.BitbucketTokenNoDeleteRepo))
		r, err := api.Create(ctx, azbbRepoName(t))
		if err != nil {
			t.Fatal(err)
		}
		azbbCleanup(t, full, r)
		err = api.Delete(ctx, r)
		azbbAPIError(t, err, http.StatusForbidden, fake.BitbucketTokenNoDeleteRepo,
			"delete repository", r.FullName, "delete:repository:bitbucket", tokenURL)
	})
	t.Run("access token without repository:delete", func(t *testing.T) {
		c := emu.Credentials(providers.Bitbucket, fake.BitbucketAccessTokenNoDelete)
		c.Username = ""
		api := azbbRepos(t, c)
		r, err := api.Create(ctx, azbbRepoName(t))
		if err != nil {
			t.Fatal(err)
		}
		azbbCleanup(t, full, r)
		err = api.Delete(ctx, r)
		azbbAPIError(t, err, http.StatusForbidden, fake.BitbucketAccessTokenNoDelete, "repository:delete", "create a new token")
	})
	t.Run("API token with the Bitbucket username instead of the e-mail", func(t *testing.T) {
		c := emu.DemoCredentials(providers.Bitbucket)
		c.Username = fake.BitbucketUsername
		_, err := azbbRepos(t, c).Create(ctx, azbbRepoName(t))
		azbbAPIError(t, err, http.StatusUnauthorized, c.Token, "e-mail")
	})
	t.Run("unknown project key", func(t *testing.T) {
		c := emu.DemoCredentials(providers.Bitbucket)
		c.ProjectKey = "NOPE"
		_, err := azbbRepos(t, c).Create(ctx, azbbRepoName(t))
		azbbAPIError(t, err, http.StatusBadRequest, c.Token, "NOPE")
	})
}

func TestBitbucketRepoSlowToAppear(t *testing.T) {
	t.Parallel()
	emu := azbbEmulators(t)
	ctx := azbbCtx(t)
	api := azbbRepos(t, emu.Credentials(providers.Bitbucket, fake.BitbucketTokenLaggy))
	r, err := api.Create(ctx, azbbRepoName(t))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := api.Delete(ctx, r); err != nil {
			t.Error(err)
		}
		azbbGone(t, emu, providers.Bitbucket, r.Name)
	}()
	for i := range fake.BitbucketLagPolls {
		if ok, err := api.Exists(ctx, r); ok || err != nil {
			t.Fatalf("read %d: exists = %v, %v; want a miss for the first %d reads", i+1, ok, err, fake.BitbucketLagPolls)
		}
	}
	if ok, err := api.Exists(ctx, r); !ok || err != nil {
		t.Fatalf("exists = %v, %v after %d misses", ok, err, fake.BitbucketLagPolls)
	}
}

func TestBitbucketGitUsername(t *testing.T) {
	t.Parallel()
	emu := azbbEmulators(t)
	api := emu.DemoCredentials(providers.Bitbucket)
	access := emu.Credentials(providers.Bitbucket, fake.BitbucketAccessToken)
	access.Username = ""
	for _, tc := range []struct {
		name string
		c    providers.Credentials
		want string
	}{
		{"API token (e-mail for REST)", api, "x-bitbucket-api-token-auth"},
		{"access token", access, "x-token-auth"},
	} {
		repos := azbbRepos(t, tc.c)
		if got := repos.GitUsername(); got != tc.want {
			t.Errorf("%s: Git username %q, want %q", tc.name, got, tc.want)
		}
		if p := repos.DeletePermission(); !strings.Contains(p, "delete:repository:bitbucket") {
			t.Errorf("DeletePermission = %q", p)
		}
	}
	if slices.Contains(emu.Repos(providers.Bitbucket), "") {
		t.Error("an unnamed repository")
	}
}
