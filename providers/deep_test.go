package providers_test

import (
	"context"
	"encoding/json"
	"fmt"
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
