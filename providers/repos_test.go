package providers_test

import (
	"errors"
	"net/http"
	"testing"

	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// Repository lifecycles driven directly, the same test for each provider that has them here.

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
			return []string{"exists already", name, fake.AzureProject}
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
