package providers_test

import (
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// The existing-repository round trip of every provider against its emulator: a repository made
// by hand (seeded where the emulator keeps its repositories by name, else empty), a GitLab
// subgroup path, and tokens that may push but not create or delete repositories.
func TestDeepExistingEveryProvider(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		id     providers.ID
		token  string
		org    string // the repository's owner ("": the credential's organisation)
		seed   bool
		rule   *fake.ProtectRule
		stages string
		words  map[string][]string
	}{
		{name: "github", id: providers.GitHub, token: fake.GitHubTokenFull, seed: true, stages: "pass pass pass pass"},
		{name: "github without delete_repo", id: providers.GitHub, token: fake.GitHubTokenNoDeleteRepo, seed: true, stages: "pass pass pass pass",
			words: map[string][]string{providers.ScopeCheckID("delete_repo"): {"not granted: " + providers.NotNeeded}}},
		{name: "github, an organisation that forbids creating", id: providers.GitHub, token: fake.GitHubTokenCreateForbidden, seed: true,
			stages: "pass pass pass pass"},
		{name: "github, push rejected", id: providers.GitHub, token: fake.GitHubTokenPushRejected, seed: true, stages: "pass fail skip skip",
			words: map[string][]string{providers.CheckDeepPushBranch: {"(403)"}}},
		{name: "github, every branch protected", id: providers.GitHub, token: fake.GitHubTokenFull, seed: true, stages: "pass fail skip pass",
			rule:  &fake.ProtectRule{Pattern: "*", Push: true, Message: "error: GH006: Protected branch update failed for refs/heads/%s."},
			words: map[string][]string{providers.CheckDeepPushBranch: {"a protected-branch rule of acme/existing refuses pushing", "GH006"}}},
		{name: "gitlab, throw-away branches protected from deletion", id: providers.GitLab, token: fake.GitLabTokenFull, seed: true,
			stages: "pass pass pass fail",
			rule:   &fake.ProtectRule{Pattern: providers.RepoPrefix + "*", Delete: true, Message: "GitLab: You are not allowed to delete protected branches from this project."},
			words: map[string][]string{providers.CheckDeepDeleteBranch: {"a protected-branch rule of acme/gitops/existing refuses deleting",
				"You are not allowed to delete protected branches", "LEFT BEHIND", "--delete " + providers.RepoPrefix}}},
		{name: "gitlab subgroup path", id: providers.GitLab, token: fake.GitLabTokenFull, seed: true, stages: "pass pass pass pass",
			words: map[string][]string{providers.CheckDeepRead: {"the API returns acme/gitops/existing"}}},
		{name: "gitlab developer", id: providers.GitLab, token: fake.GitLabTokenDeveloper, seed: true, stages: "pass pass pass pass",
			words: map[string][]string{providers.CheckOrg: {"cannot create projects in acme/gitops: " + providers.NotNeeded}}},
		{name: "azure, empty repository", id: providers.Azure, token: fake.AzureTokenFull, stages: "pass pass pass pass",
			words: map[string][]string{providers.CheckDeepRead: {"it is empty"},
				providers.ScopeCheckID("vso.code_manage"): {"the part this mode needs, Code: Read & write (vso.code_write), is confirmed by the round trip", providers.NotNeeded}}},
		{name: "bitbucket, empty repository", id: providers.Bitbucket, token: fake.BitbucketTokenFull, stages: "pass pass pass pass"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := kit.Emulators(t, fake.Options{})
			c := e.Credentials(tc.id, tc.token)
			if err := e.AddRepo(tc.id, "existing"); err != nil {
				t.Fatal(err)
			}
			if tc.seed {
				if err := e.Seed(tc.id, "existing"); err != nil {
					t.Fatal(err)
				}
			}
			if tc.rule != nil {
				if err := e.Protect(tc.id, "existing", *tc.rule); err != nil {
					t.Fatal(err)
				}
			}
			c.Repo = c.Org + "/existing"
			before := e.Repos(tc.id)
			r := runExisting(t, deepEnv(), c)
			assertStages(t, r, tc.stages, tc.words)
			for id, words := range tc.words {
				ch, _ := r.Find(id)
				for _, w := range words {
					if !strings.Contains(ch.Message, w) {
						t.Errorf("%s lacks %q: %s", id, w, ch.Message)
					}
				}
			}
			if after := e.Repos(tc.id); len(after) != len(before) {
				t.Errorf("repositories before %v, after %v", before, after)
			}
		})
	}
}
