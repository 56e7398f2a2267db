package providers_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// The existing-repository round trip against the emulators (real Git behind them): a throw-away
// branch in a repository the admin names, never a repository created or deleted.

// existingRepo is the repository the scenarios name, created and seeded before each run.
const existingRepo = "gitops"

// existingScenario is one run of the existing-repository mode against the Gitea emulator.
type existingScenario struct {
	name   string
	token  string
	repo   string              // "": acme/gitops
	empty  bool                // the repository holds no commit
	rule   *fake.ProtectRule   // a protected-branch rule of the repository
	branch string              // the throw-away branch's name ("": random)
	stages string              // deep:read push-branch verify delete-branch
	words  map[string][]string // words each stage's message holds
	left   []string            // the branches the repository holds afterwards
}

var existingScenarios = []existingScenario{
	{name: "may push, may not create", token: fake.GiteaTokenPusher, stages: "pass pass pass pass",
		words: map[string][]string{
			providers.CheckDeepRead:         {"the API returns acme/gitops (private)", "default branch main"},
			providers.CheckDeepPushBranch:   {"to the new branch " + providers.RepoPrefix, "main was not touched"},
			providers.CheckDeepVerify:       {"points at the pushed commit"},
			providers.CheckDeepDeleteBranch: {"confirmed it is gone", "nothing is left behind"},
		}},
	{name: "empty repository", token: fake.GiteaTokenPusher, empty: true, stages: "pass pass pass pass",
		words: map[string][]string{providers.CheckDeepRead: {"it is empty"}, providers.CheckDeepPushBranch: {"as the first commit"}}},
	{name: "owner", token: fake.GiteaTokenFull, stages: "pass pass pass pass"},
	{name: "protected branches refuse the push", token: fake.GiteaTokenPusher, stages: "pass fail skip pass",
		rule: &fake.ProtectRule{Pattern: "*", Push: true, Delete: true, Message: "Gitea: Not allowed to push to protected branch %s"},
		words: map[string][]string{
			providers.CheckDeepPushBranch:   {"a protected-branch rule of acme/gitops refuses pushing the throw-away branch", "Not allowed to push to protected branch", "exempt branches named " + providers.RepoPrefix},
			providers.CheckDeepDeleteBranch: {"created none, so nothing is left behind"},
		}},
	{name: "protected from deletion", token: fake.GiteaTokenPusher, stages: "pass pass pass fail",
		branch: providers.RepoPrefix + "left01", left: []string{providers.RepoPrefix + "left01", "main"},
		rule: &fake.ProtectRule{Pattern: providers.RepoPrefix + "*", Delete: true, Message: "Gitea: branch %s is protected from deletion"},
		words: map[string][]string{providers.CheckDeepDeleteBranch: {"protected-branch rule", "is protected from deletion", "LEFT BEHIND",
			"delete it with `git push http://127.0.0.1:", "/acme/gitops.git --delete " + providers.RepoPrefix + "left01`"}}},
	{name: "the default branch is refused", token: fake.GiteaTokenFull, branch: fake.GitDefaultBranch, stages: "pass fail skip skip",
		words: map[string][]string{providers.CheckDeepPushBranch: {`refusing to push to "main": it is the default branch of acme/gitops`}}},
	{name: "only throw-away branches", token: fake.GiteaTokenFull, branch: "release", stages: "pass fail skip skip",
		words: map[string][]string{providers.CheckDeepPushBranch: {`refusing to push to "release"`, "only to branches named " + providers.RepoPrefix}}},
	{name: "read only", token: fake.GiteaTokenViewer, stages: "pass fail skip pass",
		words: map[string][]string{providers.CheckDeepPushBranch: {"pre-receive hook declined", "User permission denied for writing",
			"needs write access to acme/gitops"}}},
	{name: "no such repository", token: fake.GiteaTokenPusher, repo: "acme/nowhere", stages: "fail skip skip skip",
		words: map[string][]string{providers.CheckDeepRead: {"acme/nowhere does not exist", "OWNER/REPO"}}},
}

func TestDeepExistingGitea(t *testing.T) {
	t.Parallel()
	for _, sc := range existingScenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			e := kit.Emulators(t, fake.Options{})
			if err := e.AddRepo(providers.Gitea, existingRepo); err != nil {
				t.Fatal(err)
			}
			if !sc.empty {
				if err := e.Seed(providers.Gitea, existingRepo); err != nil {
					t.Fatal(err)
				}
			}
			if sc.rule != nil {
				if err := e.Protect(providers.Gitea, existingRepo, *sc.rule); err != nil {
					t.Fatal(err)
				}
			}
			before, _ := e.Branches(providers.Gitea, existingRepo)
			c := e.Credentials(providers.Gitea, sc.token)
			c.Username = giteaUserOf[sc.token]
			c.Repo = cmpOr(sc.repo, fake.GiteaOrg+"/"+existingRepo)
			env := deepEnv()
			if sc.branch != "" {
				env = deepEnv(sc.branch)
			}
			r := runExisting(t, env, c)
			assertStages(t, r, sc.stages, sc.words)
			if got := e.Repos(providers.Gitea); !slices.Equal(got, []string{existingRepo}) {
				t.Errorf("repositories afterwards: %v, want only %s (none created, none deleted)", got, existingRepo)
			}
			want := sc.left
			if want == nil {
				want = before
			}
			if after, _ := e.Branches(providers.Gitea, existingRepo); !slices.Equal(after, want) {
				t.Errorf("branches afterwards: %v, want %v", after, want)
			}
			if got, _ := e.Branches(providers.Gitea, existingRepo); !sc.empty && !slices.Contains(got, fake.GitDefaultBranch) {
				t.Errorf("the default branch is gone: %v", got)
			}
		})
	}
}

var giteaUserOf = map[string]string{fake.GiteaTokenPusher: fake.GiteaPusher, fake.GiteaTokenFull: fake.GiteaUser,
	fake.GiteaTokenViewer: fake.GiteaViewer}

// runExisting runs the round trip and asserts what every run of this mode keeps: no token, the
// four stages once each with a duration, and none of the create-mode stages.
func runExisting(t *testing.T, env *providers.Env, c providers.Credentials) providers.Result {
	t.Helper()
	var events []providers.Check
	r := providers.RunDeep(context.Background(), env, c, func(ch providers.Check) { events = append(events, ch) })
	assertNoToken(t, r, c.Token)
	for _, id := range []string{providers.CheckDeepCreate, providers.CheckDeepClone, providers.CheckDeepPush, providers.CheckDeepDelete} {
		if _, ok := r.Find(id); ok {
			t.Errorf("the existing-repository mode reported %s:%s", id, dumpResult(r))
		}
	}
	for _, ch := range events {
		if strings.Contains(ch.Message, c.Token) {
			t.Fatalf("a progress event holds the token")
		}
	}
	var ends []string
	for i, ch := range events {
		if ch.Status == providers.Running {
			if i+1 >= len(events) || events[i+1].ID != ch.ID || events[i+1].Status == providers.Running {
				t.Errorf("%s started and did not end next", ch.ID)
			}
			continue
		}
		ends = append(ends, ch.ID)
	}
	if !slices.Equal(ends[len(ends)-len(providers.ExistingStages):], providers.ExistingStages) {
		t.Errorf("progress ends: %v, want the stages %v", ends, providers.ExistingStages)
	}
	return r
}

// assertStages asserts the statuses of the four stages, in order, and words of their messages.
func assertStages(t *testing.T, r providers.Result, stages string, words map[string][]string) {
	t.Helper()
	var got []string
	for _, id := range providers.ExistingStages {
		ch, ok := r.Find(id)
		if !ok {
			t.Fatalf("no %s:%s", id, dumpResult(r))
		}
		if ch.DurationMS == nil {
			t.Errorf("%s has no duration", id)
		}
		got = append(got, string(ch.Status))
		for _, w := range words[id] {
			if !strings.Contains(ch.Message, w) {
				t.Errorf("%s lacks %q: %s", id, w, ch.Message)
			}
		}
	}
	if strings.Join(got, " ") != stages {
		t.Fatalf("stages %q, want %q:%s", strings.Join(got, " "), stages, dumpResult(r))
	}
}

func cmpOr(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// The live check of a credential with a repository names, per right, whether this mode needs it:
// a right only creating or deleting repositories needs is "not needed", and no longer fails.
func TestLiveCheckSaysWhichRightsTheExistingModeNeeds(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	for _, tc := range []struct {
		name   string
		c      providers.Credentials
		id     string
		create providers.Status // without a repository
		want   []string         // with one: the check passes and holds these words
	}{
		{name: "github without delete_repo", c: e.Credentials(providers.GitHub, fake.GitHubTokenNoDeleteRepo),
			id: providers.ScopeCheckID("delete_repo"), create: providers.Fail,
			want: []string{"not granted: " + providers.NotNeeded, "needed to delete repositories"}},
		{name: "gitea, a team that may not create", c: giteaCreds(e, fake.GiteaTokenPusher, fake.GiteaPusher),
			id: providers.CheckOrg, create: providers.Fail,
			want: []string{"cannot create repositories in acme: " + providers.NotNeeded}},
		{name: "gitea, a team that may create but not delete", c: giteaCreds(e, fake.GiteaTokenDeployer, fake.GiteaDeployer),
			id: providers.CheckOrg, create: providers.Warn,
			want: []string{"cannot delete repositories in acme: " + providers.NotNeeded}},
		{name: "gitea's write:organization", c: giteaCreds(e, fake.GiteaTokenPusher, fake.GiteaPusher),
			id: providers.ScopeCheckID("write:organization"), create: providers.Pass,
			want: []string{"not needed in this mode"}},
		{name: "gitea's write:repository", c: giteaCreds(e, fake.GiteaTokenPusher, fake.GiteaPusher),
			id: providers.ScopeCheckID("write:repository"), create: providers.Pass,
			want: []string{"; needed in this mode"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			without := runCheck(t, envWithTimeout(10*time.Second), tc.c)
			if ch, _ := without.Find(tc.id); ch.Status != tc.create || strings.Contains(ch.Message, "needed in this mode") {
				t.Fatalf("without a repository, %s is %s (want %s), message %q", tc.id, ch.Status, tc.create, ch.Message)
			}
			tc.c.Repo = "acme/gitops"
			with := runCheck(t, envWithTimeout(10*time.Second), tc.c)
			ch, _ := with.Find(tc.id)
			if ch.Status != providers.Pass {
				t.Fatalf("with a repository, %s is %s:%s", tc.id, ch.Status, dumpResult(with))
			}
			for _, w := range tc.want {
				if !strings.Contains(ch.Message, w) {
					t.Errorf("%s lacks %q: %s", tc.id, w, ch.Message)
				}
			}
		})
	}
}

func giteaCreds(e *fake.Emulators, token, user string) providers.Credentials {
	c := e.Credentials(providers.Gitea, token)
	c.Username = user
	return c
}

func TestRepoPath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in     string
		nested bool
		want   string // "": refused
	}{
		{"acme/gitops", false, "acme/gitops"},
		{" /acme/gitops.git/ ", false, "acme/gitops"},
		{"acme/platform/gitops", true, "acme/platform/gitops"},
		{"acme/platform/gitops", false, ""},
		{"gitops", true, ""},
		{"acme//gitops", true, ""},
		{"acme/../gitops", true, ""},
		{"acme/git ops", false, ""},
		{"https://github.com/acme/gitops", false, ""},
	} {
		got, err := providers.RepoPath(tc.in, tc.nested)
		if (tc.want == "") != (err != nil) || got != tc.want {
			t.Errorf("RepoPath(%q, %v) = %q, %v; want %q", tc.in, tc.nested, got, err, tc.want)
		}
	}
}

// A protected-branch refusal is named as such in the servers' own words: GitHub, GitLab and Gitea
// (their sources: GitHub's GH006 and "protected branch hook declined"; GitLab's
// lib/gitlab/checks/branch_check.rb; Gitea's routers/private/hook_pre_receive.go).
func TestPushRefusalNamesProtectedBranches(t *testing.T) {
	t.Parallel()
	const b = providers.RepoPrefix + "abc123"
	for _, tc := range []struct {
		name, err, said, op string
		protected           bool
	}{
		{"github", "command error on refs/heads/" + b + ": protected branch hook declined",
			"error: GH006: Protected branch update failed for refs/heads/" + b + ".\n", "push", true},
		{"gitlab push", "command error on refs/heads/" + b + ": pre-receive hook declined",
			"GitLab: You are not allowed to push code to protected branches on this project.\n", "push", true},
		{"gitlab delete", "command error on refs/heads/" + b + ": pre-receive hook declined",
			"GitLab: You are not allowed to delete protected branches from this project.\n", "delete", true},
		{"gitea", "command error on refs/heads/" + b + ": pre-receive hook declined",
			"error:\nerror: Not allowed to push to protected branch " + b + "\nerror:\n", "push", true},
		{"gitea delete", "command error on refs/heads/" + b + ": pre-receive hook declined",
			"error:\nerror: branch " + b + " is protected from deletion\nerror:\n", "delete", true},
		{"gitlab, no write access", "command error on refs/heads/" + b + ": pre-receive hook declined",
			"GitLab: You are not allowed to push code to this project.\n", "push", false},
	} {
		got := providers.PushRefusal("acme/gitops", b, tc.err, tc.said, tc.op)
		if strings.Contains(got, "a protected-branch rule of acme/gitops refuses") != tc.protected {
			t.Errorf("%s: protected %v, got %q", tc.name, tc.protected, got)
		}
		if first := strings.TrimSpace(strings.Split(strings.TrimPrefix(strings.TrimSpace(tc.said), "error:"), "\n")[0]); first != "" &&
			!strings.Contains(got, strings.TrimPrefix(first, "error: ")) {
			t.Errorf("%s: the server's words %q are not quoted: %q", tc.name, first, got)
		}
	}
}
