package providers_test

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// Repository lifecycles driven directly, the same test for each provider that has them here.

// TestRepoLifecycle: a repository created is where the provider says, with a clone URL that
// carries no userinfo; it exists, its name is then taken, and once deleted (twice: the second
// time it is already gone) it neither exists nor stays on the emulator.
func TestRepoLifecycle(t *testing.T) {
	t.Parallel()
	emu := sharedEmulators(t)
	for _, tc := range []struct {
		id providers.ID
		// clone is the clone URL wanted for name, and cloneWhy what it is made of.
		clone    func(name string) string
		cloneWhy string
		// check checks the rest of the created repository r.
		check func(t *testing.T, r providers.Repo, name string)
	}{
		{providers.Azure, func(name string) string {
			return emu.URL(providers.Azure) + "/" + fake.AzureOrganisation + "/" + fake.AzureProject + "/_git/" + name
		}, "the API's remoteUrl without its userinfo", func(t *testing.T, r providers.Repo, name string) {
			if r.ID == "" || r.ID == name || r.Name != name || r.FullName != fake.AzureProject+"/"+name || r.WebURL == "" {
				t.Errorf("repo %+v: want the repository GUID as ID, project/name as FullName and a web URL", r)
			}
			if !slices.Contains(emu.Repos(providers.Azure), name) {
				t.Fatalf("the emulator does not hold %s: %v", name, emu.Repos(providers.Azure))
			}
		}},
		{providers.Bitbucket, func(name string) string {
			return emu.URL(providers.Bitbucket) + "/" + fake.BitbucketWorkspace + "/" + name + ".git"
		}, "links.clone https without its userinfo", func(t *testing.T, r providers.Repo, name string) {
			if r.ID != name || r.Name != name || r.FullName != fake.BitbucketWorkspace+"/"+name ||
				r.WebURL != emu.URL(providers.Bitbucket)+"/"+fake.BitbucketWorkspace+"/"+name {
				t.Errorf("repo %+v", r)
			}
			if got := bitbucketProjectOf(t, emu, name); got != fake.BitbucketProjectKey {
				t.Errorf("created in project %q, want the configured %q", got, fake.BitbucketProjectKey)
			}
		}},
	} {
		t.Run(string(tc.id), func(t *testing.T) {
			t.Parallel()
			ctx := testCtx(t)
			api := repoAPI(t, emu.DemoCredentials(tc.id))
			name := repoName(t)
			r, err := api.Create(ctx, name)
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			if want := tc.clone(name); r.CloneURL != want {
				t.Errorf("clone URL %q, want %q (%s)", r.CloneURL, want, tc.cloneWhy)
			}
			if u, err := url.Parse(r.CloneURL); err != nil || u.User != nil {
				t.Errorf("clone URL %q carries userinfo", r.CloneURL)
			}
			tc.check(t, r, name)
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
			if err := api.Delete(ctx, r); err != nil {
				t.Errorf("deleting a deleted repository: %v, want nil (it is gone)", err)
			}
			assertGone(t, emu, tc.id, name)
		})
	}
}

// TestRepoNameTaken: creating over an existing name is ErrNameTaken, with the provider's answer.
func TestRepoNameTaken(t *testing.T) {
	t.Parallel()
	emu := sharedEmulators(t)
	for _, tc := range []struct {
		id     providers.ID
		token  string
		status int
		words  func(name string) []string
	}{
		{providers.Azure, fake.AzureTokenFull, http.StatusConflict, func(name string) []string {
			return []string{"exists already", name, fake.AzureProject, "TF400948"}
		}},
		{providers.Bitbucket, fake.BitbucketTokenFull, http.StatusBadRequest, func(name string) []string {
			return []string{"exists already", fake.BitbucketWorkspace + "/" + name, "Repository with this Slug and Owner already exists."}
		}},
	} {
		t.Run(string(tc.id), func(t *testing.T) {
			t.Parallel()
			name := repoName(t)
			if err := emu.AddRepo(tc.id, name); err != nil {
				t.Fatal(err)
			}
			_, err := repoAPI(t, emu.DemoCredentials(tc.id)).Create(testCtx(t), name)
			if !errors.Is(err, providers.ErrNameTaken) {
				t.Fatalf("create over an existing name: %v, want ErrNameTaken", err)
			}
			assertAPIError(t, err, tc.status, tc.token, tc.words(name)...)
		})
	}
}

// TestRepoSlowToAppear: a repository the API shows only after some reads is missed that many
// times, then found, and deleted.
func TestRepoSlowToAppear(t *testing.T) {
	t.Parallel()
	emu := sharedEmulators(t)
	for _, tc := range []struct {
		id    providers.ID
		token string
		polls int
	}{
		{providers.Azure, fake.AzureTokenLaggy, fake.AzureLagPolls},
		{providers.Bitbucket, fake.BitbucketTokenLaggy, fake.BitbucketLagPolls},
	} {
		t.Run(string(tc.id), func(t *testing.T) {
			t.Parallel()
			ctx := testCtx(t)
			api := repoAPI(t, emu.Credentials(tc.id, tc.token))
			r, err := api.Create(ctx, repoName(t))
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := api.Delete(ctx, r); err != nil {
					t.Error(err)
				}
				assertGone(t, emu, tc.id, r.Name)
			}()
			for i := range tc.polls {
				if ok, err := api.Exists(ctx, r); ok || err != nil {
					t.Fatalf("read %d: exists = %v, %v; want a miss for the first %d reads", i+1, ok, err, tc.polls)
				}
			}
			if ok, err := api.Exists(ctx, r); !ok || err != nil {
				t.Fatalf("exists = %v, %v after %d misses", ok, err, tc.polls)
			}
		})
	}
}
