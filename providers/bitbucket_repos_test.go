package providers_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// bitbucketProjectOf reads the project key of a Bitbucket repository from the emulator's API.
func bitbucketProjectOf(t *testing.T, emu *fake.Emulators, slug string) string {
	t.Helper()
	var repo struct {
		Project struct {
			Key string `json:"key"`
		} `json:"project"`
	}
	getJSON(t, emu.URL(providers.Bitbucket)+"/2.0/repositories/"+fake.BitbucketWorkspace+"/"+slug, fake.BitbucketEmail, fake.BitbucketTokenFull, &repo)
	return repo.Project.Key
}

func TestBitbucketRepoOldestProjectWithoutKey(t *testing.T) {
	t.Parallel()
	emu := sharedEmulators(t)
	ctx := testCtx(t)
	c := emu.DemoCredentials(providers.Bitbucket)
	c.ProjectKey = ""
	api := repoAPI(t, c)
	r, err := api.Create(ctx, repoName(t))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := api.Delete(ctx, r); err != nil {
			t.Error(err)
		}
	}()
	if got := bitbucketProjectOf(t, emu, r.Name); got != fake.BitbucketOldestProjectKey {
		t.Errorf("created in project %q, want the workspace's oldest, %q", got, fake.BitbucketOldestProjectKey)
	}
}

func TestBitbucketRepoFailures(t *testing.T) {
	t.Parallel()
	emu := sharedEmulators(t)
	ctx := testCtx(t)
	full := repoAPI(t, emu.DemoCredentials(providers.Bitbucket))
	tokenURL := bitbucketTokenURL

	t.Run("create without admin:repository:bitbucket", func(t *testing.T) {
		assertCreateRefused(t, emu, providers.Bitbucket, fake.BitbucketTokenNoAdminRepo, http.StatusForbidden,
			"create repository", "admin:repository:bitbucket", "needed to create repositories", tokenURL)
	})
	t.Run("delete without delete:repository:bitbucket", func(t *testing.T) {
		api := repoAPI(t, emu.Credentials(providers.Bitbucket, fake.BitbucketTokenNoDeleteRepo))
		r, err := deleteRefused(t, api, full)
		assertAPIError(t, err, http.StatusForbidden, fake.BitbucketTokenNoDeleteRepo,
			"delete repository", r.FullName, "delete:repository:bitbucket", tokenURL)
	})
	t.Run("access token without repository:delete", func(t *testing.T) {
		c := emu.Credentials(providers.Bitbucket, fake.BitbucketAccessTokenNoDelete)
		c.Username = ""
		_, err := deleteRefused(t, repoAPI(t, c), full)
		assertAPIError(t, err, http.StatusForbidden, fake.BitbucketAccessTokenNoDelete, "repository:delete", "create a new token")
	})
	t.Run("API token with the Bitbucket username instead of the e-mail", func(t *testing.T) {
		c := emu.DemoCredentials(providers.Bitbucket)
		c.Username = fake.BitbucketUsername
		_, err := repoAPI(t, c).Create(ctx, repoName(t))
		assertAPIError(t, err, http.StatusUnauthorized, c.Token, "e-mail")
	})
	t.Run("unknown project key", func(t *testing.T) {
		c := emu.DemoCredentials(providers.Bitbucket)
		c.ProjectKey = "NOPE"
		_, err := repoAPI(t, c).Create(ctx, repoName(t))
		assertAPIError(t, err, http.StatusBadRequest, c.Token, "NOPE")
	})
}

func TestBitbucketGitUsername(t *testing.T) {
	t.Parallel()
	emu := sharedEmulators(t)
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
		repos := repoAPI(t, tc.c)
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

// TestBitbucketRepoReadsZuluTimes: the emulator answers created_on and updated_on as RFC 3339
// times ending in "Z" (valid per the API's description, not the layout go-bitbucket v0.10.0
// decodes): creating and reading the repository must not call it unreadable.
func TestBitbucketRepoReadsZuluTimes(t *testing.T) {
	t.Parallel()
	emu := sharedEmulators(t)
	ctx := testCtx(t)
	api := repoAPI(t, emu.DemoCredentials(providers.Bitbucket))
	r, err := api.Create(ctx, repoName(t))
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	defer func() {
		if err := api.Delete(ctx, r); err != nil {
			t.Error(err)
		}
	}()
	if r.CloneURL == "" || r.FullName != fake.BitbucketWorkspace+"/"+r.Name || r.Visibility != "private" {
		t.Errorf("created %+v: want its clone link, full name and private visibility", r)
	}
	var raw struct {
		CreatedOn string `json:"created_on"`
	}
	getJSON(t, emu.URL(providers.Bitbucket)+"/2.0/repositories/"+fake.BitbucketWorkspace+"/"+r.Name, fake.BitbucketEmail, fake.BitbucketTokenFull, &raw)
	if !strings.HasSuffix(raw.CreatedOn, "Z") {
		t.Fatalf("the emulator answered created_on %q: want an RFC 3339 time ending in Z", raw.CreatedOn)
	}
	found, ok, err := api.Find(ctx, r.Name)
	if err != nil || !ok || found.CloneURL != r.CloneURL {
		t.Errorf("Find(%s) = %+v, %v, %v: want the repository with its clone link", r.Name, found, ok, err)
	}
	if ok, err := api.Exists(ctx, r); err != nil || !ok {
		t.Errorf("Exists = %v, %v: want true", ok, err)
	}
}
