package providers_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
	"gitopscfg/providers/giteatest"
)

// The existing-repository round trip against Gitea: the emulator always, a real Gitea 1.27.3 with
// GITOPSCFG_GITEA=1 (make test-gitea), with the same expectations. Each scenario has a repository
// of its own, made by hand (initialised on main), and a branch protection rule or none.

// existingGitea is where a scenario runs: a host, a token per user, and the repository's admin.
type existingGitea struct {
	host       string
	token      func(user string) string
	createRepo func(t *testing.T, name string)
	protect    func(t *testing.T, repo, pattern string, canPush bool)
	unprotect  func(t *testing.T, repo, pattern string)
	branches   func(t *testing.T, repo string) []string
	dropBranch func(t *testing.T, repo, branch string)
}

type giteaExistingScenario struct {
	name    string
	user    string
	pattern string // a protection rule's pattern ("": none)
	canPush bool   // the rule lets writers push (it refuses deletions all the same)
	stages  string
	words   map[string][]string
	leaves  bool // a throw-away branch is left behind (the rule refuses its deletion)
}

var giteaExistingScenarios = []giteaExistingScenario{
	{name: "may push, may not create", user: fake.GiteaPusher, stages: "pass pass pass pass",
		words: map[string][]string{providers.CheckOrg: {"cannot create repositories in acme: " + providers.NotNeeded},
			"scope:write:organization": {"not needed in this mode"}, providers.CheckDeepDeleteBranch: {"nothing is left behind"}}},
	{name: "protected default branch", user: fake.GiteaPusher, pattern: "main", stages: "pass pass pass pass",
		words: map[string][]string{providers.CheckDeepPushBranch: {"main was not touched"}}},
	{name: "every branch protected", user: fake.GiteaPusher, pattern: "*", stages: "pass fail skip pass",
		words: map[string][]string{providers.CheckDeepPushBranch: {"a protected-branch rule of acme/", "Not allowed to push to protected branch gitopscfg-check-"},
			providers.CheckDeepDeleteBranch: {"created none"}}},
	{name: "throw-away branches protected from deletion", user: fake.GiteaPusher, pattern: "gitopscfg-check-*", canPush: true,
		stages: "pass pass pass fail", leaves: true,
		words: map[string][]string{providers.CheckDeepDeleteBranch: {"a protected-branch rule of acme/", "is protected from deletion",
			"LEFT BEHIND", "delete it with `git push http://127.0.0.1:", ".git --delete gitopscfg-check-"}}},
	{name: "read access only", user: fake.GiteaViewer, stages: "pass fail skip pass",
		words: map[string][]string{providers.CheckDeepPushBranch: {"User permission denied for writing", "needs write access to acme/"}}},
}

func runGiteaExisting(t *testing.T, g *existingGitea) {
	for i, sc := range giteaExistingScenarios {
		t.Run(sc.name, func(t *testing.T) {
			repo := fmt.Sprintf("gitops-%d", i)
			g.createRepo(t, repo)
			if sc.pattern != "" {
				g.protect(t, repo, sc.pattern, sc.canPush)
			}
			c := providers.Credentials{Provider: providers.Gitea, Settings: config.Settings{Host: g.host, Org: fake.GiteaOrg,
				Username: sc.user, Token: g.token(sc.user), Repo: fake.GiteaOrg + "/" + repo}}
			r := runExisting(t, envWithTimeout(60*time.Second), c)
			assertStages(t, r, sc.stages, sc.words)
			for id, words := range sc.words {
				ch, _ := r.Find(id)
				for _, w := range words {
					if !strings.Contains(ch.Message, w) {
						t.Errorf("%s lacks %q: %s", id, w, ch.Message)
					}
				}
			}
			left := g.branches(t, repo)
			var extra []string
			for _, b := range left {
				if b != "main" {
					extra = append(extra, b)
				}
			}
			switch {
			case !slices.Contains(left, "main"):
				t.Errorf("main is gone: %v", left)
			case sc.leaves && len(extra) != 1:
				t.Errorf("branches %v, want main and the one left behind", left)
			case !sc.leaves && len(extra) != 0:
				t.Errorf("branches left behind: %v", extra)
			}
			if sc.leaves && len(extra) == 1 {
				g.unprotect(t, repo, sc.pattern)
				g.dropBranch(t, repo, extra[0])
			}
		})
	}
}

func TestGiteaExistingEmulator(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	tokens := map[string]string{fake.GiteaPusher: fake.GiteaTokenPusher, fake.GiteaViewer: fake.GiteaTokenViewer}
	runGiteaExisting(t, &existingGitea{
		host:  e.URL(providers.Gitea) + "/",
		token: func(user string) string { return tokens[user] },
		createRepo: func(t *testing.T, name string) {
			if err := e.AddRepo(providers.Gitea, name); err != nil {
				t.Fatal(err)
			}
			if err := e.Seed(providers.Gitea, name); err != nil {
				t.Fatal(err)
			}
		},
		protect: func(t *testing.T, repo, pattern string, canPush bool) {
			// Gitea's own words (routers/private/hook_pre_receive.go), as its hook prints them.
			rule := fake.ProtectRule{Pattern: pattern, Push: !canPush, Delete: true,
				Message:       "error:\nerror: Not allowed to push to protected branch %s\nerror:",
				DeleteMessage: "error:\nerror: branch %s is protected from deletion\nerror:"}
			if err := e.Protect(providers.Gitea, repo, rule); err != nil {
				t.Fatal(err)
			}
		},
		unprotect: func(t *testing.T, repo, _ string) {
			if err := e.Protect(providers.Gitea, repo, fake.ProtectRule{Pattern: "no-branch-is-named-so"}); err != nil {
				t.Fatal(err)
			}
		},
		branches: func(t *testing.T, repo string) []string {
			b, err := e.Branches(providers.Gitea, repo)
			if err != nil {
				t.Fatal(err)
			}
			return b
		},
		dropBranch: func(*testing.T, string, string) {}, // the emulator goes with the test
	})
}

// TestGiteaRealExisting runs the scenarios against a real Gitea: a user who may push but not
// create repositories, a protected default branch, rules that refuse the throw-away branch's push
// or its deletion, and a read-only user.
func TestGiteaRealExisting(t *testing.T) {
	giteatest.Require(t)
	srv := giteatest.Start(t, "")
	srv.Setup(t)
	tokens := map[string]string{}
	for _, u := range []string{giteatest.Pusher, giteatest.Viewer} {
		tokens[u] = srv.Token(t, u, "existing", giteaFull)
	}
	runGiteaExisting(t, &existingGitea{
		host:       srv.URL,
		token:      func(user string) string { return tokens[user] },
		createRepo: func(t *testing.T, name string) { srv.CreateRepo(t, name) },
		protect:    func(t *testing.T, repo, pattern string, canPush bool) { srv.Protect(t, repo, pattern, canPush) },
		unprotect:  func(t *testing.T, repo, pattern string) { srv.Unprotect(t, repo, pattern) },
		branches:   func(t *testing.T, repo string) []string { return srv.Branches(t, repo) },
		dropBranch: func(t *testing.T, repo, branch string) { srv.DeleteBranch(t, repo, branch) },
	})
	if got := srv.Repos(t); len(got) != len(giteaExistingScenarios) {
		t.Errorf("repositories afterwards: %v, want only the %d made by hand", got, len(giteaExistingScenarios))
	}
}
