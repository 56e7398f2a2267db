package providers_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// Round-trip (deep) tests: real HTTP and real Git (git http-backend behind the emulators).

func TestDeepFullSuccess(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	for _, tc := range []struct {
		id    providers.ID
		token string
	}{{providers.GitHub, fake.GitHubTokenFull}, {providers.GitLab, fake.GitLabTokenFull}} {
		t.Run(string(tc.id), func(t *testing.T) {
			t.Parallel()
			r, events := deepRun(t, context.Background(), deepEnv(), e.Credentials(tc.id, tc.token), nil)
			deepWant(t, r, "pass pass pass pass pass", map[string][]string{
				providers.CheckDeepCreate: {"created private repository ", providers.RepoPrefix},
				providers.CheckDeepVerify: {"points at the pushed commit"},
				providers.CheckDeepDelete: {"confirmed it is gone"},
			})
			if !r.OK {
				t.Fatalf("not OK:\n%s", dumpResult(r))
			}
			if left := e.Repos(tc.id); len(left) != 0 {
				t.Fatalf("left behind: %v", left)
			}
			if len(events) != 10 || events[0].Status != providers.Running || events[0].ID != providers.CheckDeepCreate {
				t.Fatalf("progress events: %+v", events)
			}
		})
	}
}

// deepScenario is one round-trip scenario: a token, what the five stages end as, words their
// messages must hold, and whether the emulator keeps a repository afterwards.
type deepScenario struct {
	name     string
	id       providers.ID
	token    string
	edit     func(*providers.Credentials) // nil: the emulator's credentials for token as they are
	stages   string
	words    map[string][]string
	leftOver bool
	// deleteLeftOver: the left-over repository must go with full-access credentials.
	deleteLeftOver bool
	// liveFails: the live check fails first (so the result is not OK without a failing stage).
	liveFails bool
}

var deepScenarios = []deepScenario{
	{name: "create forbidden", id: providers.GitHub, token: fake.GitHubTokenCreateForbidden,
		stages: "fail skip skip skip skip",
		words:  map[string][]string{providers.CheckDeepCreate: {"admin access to the organization", "member_privileges", "HTTP 403"}}},
	{name: "push rejected", id: providers.GitHub, token: fake.GitHubTokenPushRejected,
		stages: "pass pass fail skip pass",
		words: map[string][]string{providers.CheckDeepPush: {"push rejected", "403", "denied to octocat", "Contents: read and write", "/settings/tokens"},
			providers.CheckDeepDelete: {"confirmed it is gone"}}},
	{name: "delete forbidden", id: providers.GitHub, token: fake.GitHubTokenNoDeleteRepo,
		stages: "pass pass pass pass fail", leftOver: true,
		words: map[string][]string{providers.CheckDeepDelete: {"Must have admin rights to Repository.", "LEFT BEHIND",
			"acme/" + providers.RepoPrefix, "http://", "delete_repo scope"}}},
	{name: "slow to show", id: providers.GitHub, token: fake.GitHubTokenSlowVisibility,
		stages: "pass pass pass pass pass",
		words:  map[string][]string{providers.CheckDeepCreate: {fmt.Sprintf("after %d polls", fake.GitHubHiddenReads+1)}}},

	{name: "create forbidden", id: providers.GitLab, token: fake.GitLabTokenCreateForbidden,
		stages: "fail skip skip skip skip",
		words:  map[string][]string{providers.CheckDeepCreate: {"GitLab refused to create a project in group acme/gitops", "Roles allowed to create projects", "HTTP 403"}}},
	{name: "developer (org check fails first)", id: providers.GitLab, token: fake.GitLabTokenDeveloper,
		stages: "skip skip skip skip skip", liveFails: true,
		words: map[string][]string{providers.CheckDeepCreate: {"organisation check must pass first"}}},
	{name: "push rejected", id: providers.GitLab, token: fake.GitLabTokenPushRejected,
		stages: "pass pass fail skip pass",
		words: map[string][]string{providers.CheckDeepPush: {"push rejected", "403", "not allowed to push code", "write_repository", "Protected branches"},
			providers.CheckDeepDelete: {"confirmed it is gone"}}},
	{name: "delete forbidden (Maintainer)", id: providers.GitLab, token: fake.GitLabTokenMaintainer,
		stages: "pass pass pass pass fail", leftOver: true,
		words: map[string][]string{providers.CheckDeepDelete: {"403 Forbidden", "Owner role", "LEFT BEHIND", "acme/gitops/" + providers.RepoPrefix, "http://"}}},
	{name: "slow to show", id: providers.GitLab, token: fake.GitLabTokenSlowVisibility,
		stages: "pass pass pass pass pass",
		words:  map[string][]string{providers.CheckDeepCreate: {fmt.Sprintf("after %d polls", fake.GitLabHiddenReads+1)}}},
	{name: "immediate deletion not allowed", id: providers.GitLab, token: fake.GitLabTokenNoImmediateDeletion,
		stages: "pass pass pass pass warn", leftOver: true,
		words: map[string][]string{providers.CheckDeepDelete: {"marked for deletion", "deletion_scheduled", "retention period", "not allowed"}}},

	{name: "full success", id: providers.Azure, token: fake.AzureTokenFull, stages: "pass pass pass pass pass", words: allPassWords(nil)},
	{name: "create forbidden (no Code manage)", id: providers.Azure, token: fake.AzureTokenNoManage,
		stages: "fail skip skip skip skip",
		words:  createFailedWords("Code: Read, write, & manage", "TF400813", "_usersSettings/tokens")},
	{name: "push rejected (no Contribute)", id: providers.Azure, token: fake.AzureTokenPushDenied,
		stages: "pass pass fail skip pass",
		words: allPassWords(map[string][]string{providers.CheckDeepPush: {"push rejected", "403", "Contribute"},
			providers.CheckDeepVerify: {"earlier stage failed"}})},
	{name: "delete forbidden", id: providers.Azure, token: fake.AzureTokenNoDelete,
		stages: "pass pass pass pass fail", leftOver: true, deleteLeftOver: true,
		words: allPassWords(map[string][]string{providers.CheckDeepDelete: {"LEFT BEHIND", "TF401027", "Delete repository permission"}})},
	{name: "public project", id: providers.Azure, token: fake.AzureTokenFull,
		edit:   func(c *providers.Credentials) { c.Org = fake.AzurePublicProject },
		stages: "warn pass pass pass pass",
		words: allPassWords(map[string][]string{providers.CheckDeepCreate: {"which is public", "takes its project's visibility",
			`project "` + fake.AzurePublicProject + `" is public`, "Project settings > Overview > Visibility"}})},
	{name: "slow to show the repository", id: providers.Azure, token: fake.AzureTokenLaggy,
		stages: "pass pass pass pass pass",
		words:  allPassWords(map[string][]string{providers.CheckDeepCreate: {"after 3 polls"}})},

	// The username is the account e-mail (for REST), which Git refuses: this passes only because
	// the round trip gives Git x-bitbucket-api-token-auth (Devtron uses one name for both, and fails).
	{name: "full success, API token", id: providers.Bitbucket, token: fake.BitbucketTokenFull,
		stages: "pass pass pass pass pass", words: allPassWords(nil)},
	{name: "full success, access token", id: providers.Bitbucket, token: fake.BitbucketAccessToken,
		edit:   func(c *providers.Credentials) { c.Username = "" },
		stages: "pass pass pass pass pass", words: allPassWords(nil)},
	{name: "full success, oldest project", id: providers.Bitbucket, token: fake.BitbucketTokenFull,
		edit:   func(c *providers.Credentials) { c.ProjectKey = "" },
		stages: "pass pass pass pass pass", words: allPassWords(nil)},
	{name: "create forbidden (no admin:repository)", id: providers.Bitbucket, token: fake.BitbucketTokenNoAdminRepo,
		stages: "fail skip skip skip skip",
		words:  createFailedWords("admin:repository:bitbucket", "needed to create repositories")},
	{name: "push rejected (no write:repository)", id: providers.Bitbucket, token: fake.BitbucketTokenNoWriteRepo,
		stages: "pass pass fail skip pass",
		words: allPassWords(map[string][]string{providers.CheckDeepPush: {"push rejected", "403", "write:repository:bitbucket"},
			providers.CheckDeepVerify: {"earlier stage failed"}})},
	{name: "delete forbidden (no delete:repository)", id: providers.Bitbucket, token: fake.BitbucketTokenNoDeleteRepo,
		stages: "pass pass pass pass fail", leftOver: true, deleteLeftOver: true,
		words: allPassWords(map[string][]string{providers.CheckDeepDelete: {"LEFT BEHIND", "delete:repository:bitbucket", "admin rights on the repository"}})},
	// Bitbucket answers 400 (not 403) when the caller may not create repositories there.
	{name: "no privilege to create (400)", id: providers.Bitbucket, token: fake.BitbucketTokenNoCreatePrivilege,
		stages: "fail skip skip skip skip",
		words: createFailedWords("your account lacks the privilege to create repositories in workspace", "You do not have permission",
			"Create repositories permission on project "+fake.BitbucketProjectKey, "HTTP 400")},
	{name: "slow to show the repository", id: providers.Bitbucket, token: fake.BitbucketTokenLaggy,
		stages: "pass pass pass pass pass",
		words:  allPassWords(map[string][]string{providers.CheckDeepCreate: {"after 3 polls"}})},
}

// allPassWords are words the message of each stage holds when it passes, with overrides replacing
// those of some stages.
func allPassWords(overrides map[string][]string) map[string][]string {
	words := map[string][]string{
		providers.CheckDeepCreate: {"created private repository"},
		providers.CheckDeepClone:  {"cloned"},
		providers.CheckDeepPush:   {"pushed commit"},
		providers.CheckDeepVerify: {"points at the pushed commit"},
		providers.CheckDeepDelete: {"confirmed it is gone"},
	}
	for id, ws := range overrides {
		words[id] = ws
	}
	return words
}

// createFailedWords are the words of the stages when the creation failed with a message holding
// createWords.
func createFailedWords(createWords ...string) map[string][]string {
	skipped := []string{"earlier stage failed"}
	return map[string][]string{
		providers.CheckDeepCreate: createWords,
		providers.CheckDeepClone:  skipped, providers.CheckDeepPush: skipped, providers.CheckDeepVerify: skipped,
		providers.CheckDeepDelete: {"no repository was created"},
	}
}

// repoID is the id the provider's API deletes a repository by (Azure: its GUID).
func repoID(t *testing.T, emu *fake.Emulators, id providers.ID, name string) string {
	t.Helper()
	if id != providers.Azure {
		return name
	}
	var repo struct {
		ID string `json:"id"`
	}
	getJSON(t, emu.URL(providers.Azure)+"/"+fake.AzureOrganisation+"/"+fake.AzureProject+
		"/_apis/git/repositories/"+name+"?api-version=7.1", "x", fake.AzureTokenFull, &repo)
	return repo.ID
}

func TestDeepScenarios(t *testing.T) {
	t.Parallel()
	for _, sc := range deepScenarios {
		t.Run(string(sc.id)+"/"+sc.name, func(t *testing.T) {
			t.Parallel()
			e := kit.Emulators(t, fake.Options{})
			c := e.Credentials(sc.id, sc.token)
			if sc.edit != nil {
				sc.edit(&c)
			}
			r, _ := deepRun(t, context.Background(), deepEnv(), c, nil)
			t.Log("\n" + dumpResult(r))
			deepWant(t, r, sc.stages, sc.words)
			left := prefixedRepos(e, sc.id)
			switch {
			case !sc.leftOver && len(left) != 0:
				t.Fatalf("left behind: %v\n%s", left, dumpResult(r))
			case sc.leftOver && len(left) != 1:
				t.Fatalf("want exactly the one left-over repository, have %v", left)
			case sc.leftOver:
				del, _ := r.Find(providers.CheckDeepDelete)
				name := strings.SplitN(left[0], "-deletion_scheduled-", 2)[0]
				if !strings.Contains(del.Message, name) {
					t.Fatalf("the left-over %s is not named: %s", left[0], del.Message)
				}
				if sc.deleteLeftOver {
					full := repoAPI(t, e.DemoCredentials(sc.id))
					if err := full.Delete(context.Background(), providers.Repo{ID: repoID(t, e, sc.id, name), Name: name, FullName: name}); err != nil {
						t.Errorf("clean-up: %v", err)
					}
				}
			}
			if (strings.Contains(sc.stages, "fail") || sc.liveFails) == r.OK {
				t.Fatalf("OK = %v with stages %s", r.OK, sc.stages)
			}
		})
	}
}

// TestDeepNameTaken: the first name exists already, so the round trip picks another and goes on.
func TestDeepNameTaken(t *testing.T) {
	t.Parallel()
	for _, id := range providers.APIIDs() {
		t.Run(string(id), func(t *testing.T) {
			t.Parallel()
			e := kit.Emulators(t, fake.Options{})
			taken, fresh := repoName(t), repoName(t)
			if err := e.AddRepo(id, taken); err != nil {
				t.Fatal(err)
			}
			r, _ := deepRun(t, context.Background(), deepEnv(taken, fresh), e.DemoCredentials(id), nil)
			deepWant(t, r, "pass pass pass pass pass", allPassWords(map[string][]string{
				providers.CheckDeepCreate: {fresh, taken + " existed already"},
			}))
			if left := prefixedRepos(e, id); len(left) != 1 || left[0] != taken {
				t.Fatalf("repositories afterwards: %v, want only the pre-existing %s", left, taken)
			}
		})
	}
}

// TestDeepCancelStillDeletes cancels the check right after the repository is created (as Ctrl-C
// would): the remaining Git stages stop, and the repository is still deleted.
func TestDeepCancelStillDeletes(t *testing.T) {
	t.Parallel()
	for _, id := range providers.APIIDs() {
		t.Run(string(id), func(t *testing.T) {
			t.Parallel()
			e := kit.Emulators(t, fake.Options{})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			r, _ := deepRun(t, ctx, deepEnv(), e.DemoCredentials(id), func(ch providers.Check) {
				if ch.ID == providers.CheckDeepCreate && ch.Status == providers.Pass {
					cancel()
				}
			})
			deepWant(t, r, "pass fail skip skip pass", map[string][]string{
				providers.CheckDeepClone:  {"cancelled"},
				providers.CheckDeepDelete: {"confirmed it is gone"},
			})
			if left := prefixedRepos(e, id); len(left) != 0 {
				t.Fatalf("left behind after cancellation: %v", left)
			}
		})
	}
}

// TestDeepTokenLeavesNoTrace runs round trips with TMPDIR pointing at a fresh directory: the
// token is in no file there (the emulators' repositories and their Git configuration included),
// the client side creates no file at all (go-git works in memory), and the token never enters the
// process environment. Not parallel: it sets TMPDIR.
func TestDeepTokenLeavesNoTrace(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	e := kit.Emulators(t, fake.Options{})
	root := e.Root()
	if !strings.HasPrefix(root, tmp) {
		t.Fatalf("the emulators' root %s is not under TMPDIR %s", root, tmp)
	}
	tokens := []struct {
		id    providers.ID
		token string
	}{
		{providers.GitHub, fake.GitHubTokenFull}, {providers.GitHub, fake.GitHubTokenPushRejected},
		{providers.GitHub, fake.GitHubTokenNoDeleteRepo}, {providers.GitLab, fake.GitLabTokenFull},
		{providers.GitLab, fake.GitLabTokenPushRejected},
	}
	for _, tc := range tokens {
		deepRun(t, context.Background(), deepEnv(), e.Credentials(tc.id, tc.token), nil)
	}
	err := filepath.WalkDir(tmp, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !strings.HasPrefix(path, root) && path != tmp {
			t.Errorf("the round trip created %s outside the emulators' root", path)
		}
		if d.IsDir() {
			return nil
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, tc := range tokens {
			if bytes.Contains(raw, []byte(tc.token)) {
				t.Errorf("the token is in %s", path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range os.Environ() {
		for _, tc := range tokens {
			if strings.Contains(kv, tc.token) {
				t.Errorf("the token is in the environment")
			}
		}
	}
}

// TestDeepRepoNames: RepoPrefix + 6 random [a-z0-9].
func TestDeepRepoNames(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 200 {
		n := providers.RandomRepoName()
		suffix, ok := strings.CutPrefix(n, providers.RepoPrefix)
		if !ok || len(suffix) != 6 || strings.Trim(suffix, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
			t.Fatalf("bad name %q", n)
		}
		seen[n] = true
	}
	if len(seen) < 190 {
		t.Fatalf("names repeat too often: %d distinct of 200", len(seen))
	}
}

// TestDeepRepositoryNeverAppears: the API keeps answering that the new repository does not exist
// until the deadline. deep:create says so, with how many times it answered (as the emulator's
// request log counts them), rather than calling it a timeout of the API; the repository is still
// deleted.
func TestDeepRepositoryNeverAppears(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	env := deepEnv()
	env.Timeout = 3 * time.Second
	r, _ := deepRun(t, context.Background(), env, e.Credentials(providers.GitHub, fake.GitHubTokenNeverVisible), nil)
	deepWant(t, r, "fail skip skip skip pass", map[string][]string{
		providers.CheckDeepCreate: {"never appeared", "the API answered", "times within", "does not exist", "--timeout"},
	})
	create, _ := r.Find(providers.CheckDeepCreate)
	for _, w := range []string{"(timeout)", "did not answer in time"} {
		if strings.Contains(create.Message, w) {
			t.Errorf("deep:create calls an answering API a timeout: %s", create.Message)
		}
	}
	// The read-backs are the GETs of the repository before its DELETE; the last may have been cut
	// short by the deadline, unanswered.
	reads := 0
	for _, rq := range e.Requests(providers.GitHub) {
		if rq.Method == http.MethodDelete {
			break
		}
		if rq.Method == http.MethodGet && strings.HasPrefix(rq.Path, "/api/v3/repos/"+fake.GitHubOrg+"/"+providers.RepoPrefix) {
			reads++
		}
	}
	var n int
	if _, err := fmt.Sscanf(create.Message[strings.Index(create.Message, "answered ")+len("answered "):], "%d times", &n); err != nil ||
		n < 2 || n > reads || n < reads-1 {
		t.Errorf("deep:create counts %d answers (%v), the emulator logged %d reads: %s", n, err, reads, create.Message)
	}
	if left := prefixedRepos(e, providers.GitHub); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}
