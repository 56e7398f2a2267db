package providers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// Round-trip (deep) tests: real HTTP and real Git (git http-backend behind the emulators).

// deepRun runs the round trip, collects progress, and asserts the invariants every round trip
// keeps: no token anywhere in the result, every stage present once with a duration, no "running"
// in the result, and a start and an end reported for each stage that ran.
func deepRun(t *testing.T, ctx context.Context, env *providers.Env, c providers.Credentials, onProgress func(providers.Check)) (providers.Result, []providers.Check) {
	t.Helper()
	var mu sync.Mutex
	var events []providers.Check
	r := providers.RunDeep(ctx, env, c, func(ch providers.Check) {
		mu.Lock()
		events = append(events, ch)
		mu.Unlock()
		if onProgress != nil {
			onProgress(ch)
		}
	})
	raw, _ := json.Marshal(r)
	if strings.Contains(string(raw), c.Token) {
		t.Fatalf("the token leaked into the result: %s", raw)
	}
	for _, id := range providers.DeepStages {
		n := 0
		for _, ch := range r.Checks {
			if ch.ID == id {
				n++
				if ch.DurationMS == nil {
					t.Errorf("%s has no duration", id)
				}
				if ch.Status == providers.Running {
					t.Errorf("%s is still running in the final result", id)
				}
			}
		}
		if n != 1 {
			t.Errorf("%s appears %d times in %s", id, n, deepDump(r))
		}
	}
	for _, ev := range events {
		if strings.Contains(ev.Message, c.Token) {
			t.Fatalf("the token leaked into progress: %+v", ev)
		}
	}
	return r, events
}

// deepWant asserts the statuses of the five stages (in DeepStages order) and words in messages.
func deepWant(t *testing.T, r providers.Result, statuses string, words map[string][]string) {
	t.Helper()
	got := ""
	for _, id := range providers.DeepStages {
		ch, _ := r.Find(id)
		got += string(ch.Status) + " "
	}
	if strings.TrimSpace(got) != statuses {
		t.Fatalf("stages = %s, want %s\n%s", got, statuses, deepDump(r))
	}
	for id, ws := range words {
		ch, _ := r.Find(id)
		for _, w := range ws {
			if !strings.Contains(ch.Message, w) {
				t.Errorf("%s message %q lacks %q", id, ch.Message, w)
			}
		}
	}
}

func deepDump(r providers.Result) string {
	var b strings.Builder
	for _, ch := range r.Checks {
		d := int64(-1)
		if ch.DurationMS != nil {
			d = *ch.DurationMS
		}
		fmt.Fprintf(&b, "  %-12s %-5s %4dms %s\n", ch.ID, ch.Status, d, ch.Message)
	}
	return b.String()
}

func deepEnv() *providers.Env {
	env := providers.NewEnv("test")
	env.Timeout = 30 * time.Second
	return env
}

func TestDeepFullSuccess(t *testing.T) {
	t.Parallel()
	e := ghglEmulators(t, fake.Options{})
	for _, tc := range []struct {
		id    providers.ID
		token string
	}{{providers.GitHub, fake.GitHubTokenFull}, {providers.GitLab, fake.GitLabTokenFull}} {
		t.Run(string(tc.id), func(t *testing.T) {
			t.Parallel()
			r, events := deepRun(t, context.Background(), deepEnv(), e.Credentials(tc.id, tc.token), nil)
			deepWant(t, r, "pass pass pass pass pass", map[string][]string{
				providers.CheckDeepCreate: {providers.RepoPrefix},
				providers.CheckDeepVerify: {"points at the pushed commit"},
				providers.CheckDeepDelete: {"confirmed it is gone"},
			})
			if !r.OK {
				t.Fatalf("not OK:\n%s", deepDump(r))
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
	stages   string
	words    map[string][]string
	leftOver bool
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
}

func TestDeepScenarios(t *testing.T) {
	t.Parallel()
	for _, sc := range deepScenarios {
		t.Run(string(sc.id)+"/"+sc.name, func(t *testing.T) {
			t.Parallel()
			e := ghglEmulators(t, fake.Options{})
			r, _ := deepRun(t, context.Background(), deepEnv(), e.Credentials(sc.id, sc.token), nil)
			t.Log("\n" + deepDump(r))
			deepWant(t, r, sc.stages, sc.words)
			left := e.Repos(sc.id)
			switch {
			case !sc.leftOver && len(left) != 0:
				t.Fatalf("left behind: %v\n%s", left, deepDump(r))
			case sc.leftOver && len(left) != 1:
				t.Fatalf("want exactly the one left-over repository, have %v", left)
			case sc.leftOver:
				del, _ := r.Find(providers.CheckDeepDelete)
				name := strings.SplitN(left[0], "-deletion_scheduled-", 2)[0]
				if !strings.Contains(del.Message, name) {
					t.Fatalf("the left-over %s is not named: %s", left[0], del.Message)
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
	for _, tc := range []struct {
		id    providers.ID
		token string
	}{{providers.GitHub, fake.GitHubTokenFull}, {providers.GitLab, fake.GitLabTokenFull}} {
		t.Run(string(tc.id), func(t *testing.T) {
			t.Parallel()
			e := ghglEmulators(t, fake.Options{})
			taken := providers.RepoPrefix + "taken1"
			if err := e.AddRepo(tc.id, taken); err != nil {
				t.Fatal(err)
			}
			names := []string{taken, providers.RepoPrefix + "free01"}
			env := deepEnv()
			env.RepoNames = func() string { n := names[0]; names = names[1:]; return n }
			r, _ := deepRun(t, context.Background(), env, e.Credentials(tc.id, tc.token), nil)
			deepWant(t, r, "pass pass pass pass pass", map[string][]string{
				providers.CheckDeepCreate: {"free01", taken + " existed already"},
			})
			if left := e.Repos(tc.id); len(left) != 1 || left[0] != taken {
				t.Fatalf("repositories afterwards: %v, want only the pre-existing %s", left, taken)
			}
		})
	}
}

// TestDeepCancelStillDeletes cancels the check right after the repository is created (as Ctrl-C
// would): the remaining Git stages stop, and the repository is still deleted.
func TestDeepCancelStillDeletes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		id    providers.ID
		token string
	}{{providers.GitHub, fake.GitHubTokenFull}, {providers.GitLab, fake.GitLabTokenFull}} {
		t.Run(string(tc.id), func(t *testing.T) {
			t.Parallel()
			e := ghglEmulators(t, fake.Options{})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			r, _ := deepRun(t, ctx, deepEnv(), e.Credentials(tc.id, tc.token), func(ch providers.Check) {
				if ch.ID == providers.CheckDeepCreate && ch.Status == providers.Pass {
					cancel()
				}
			})
			deepWant(t, r, "pass fail skip skip pass", map[string][]string{
				providers.CheckDeepClone:  {"cancel"},
				providers.CheckDeepDelete: {"confirmed it is gone"},
			})
			if left := e.Repos(tc.id); len(left) != 0 {
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
	e := ghglEmulators(t, fake.Options{})
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
