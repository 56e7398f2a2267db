package providers_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// Round trips (RunDeep: real HTTP and real Git) against the Azure DevOps and Bitbucket emulators.

// azbbDeepEnv is an env whose round trips use the given names in turn, then random ones.
func azbbDeepEnv(names ...string) *providers.Env {
	env := azbbEnv(30 * time.Second)
	var mu sync.Mutex
	env.RepoNames = func() string {
		mu.Lock()
		defer mu.Unlock()
		if len(names) == 0 {
			return providers.RandomRepoName()
		}
		n := names[0]
		names = names[1:]
		return n
	}
	return env
}

// azbbDeep runs a round trip and returns its result and every progress report.
func azbbDeep(t *testing.T, ctx context.Context, env *providers.Env, c providers.Credentials, onProgress func(providers.Check)) (providers.Result, []providers.Check) {
	t.Helper()
	var seen []providers.Check
	r := providers.RunDeep(ctx, env, c, func(ch providers.Check) {
		seen = append(seen, ch)
		if onProgress != nil {
			onProgress(ch)
		}
	})
	return r, seen
}

// azbbNoCanary fails if the token appears in the result or in any progress report.
func azbbNoCanary(t *testing.T, r providers.Result, progress []providers.Check, token string) {
	t.Helper()
	azbbNoToken(t, r, token)
	raw, _ := json.Marshal(progress)
	if strings.Contains(string(raw), token) {
		t.Errorf("the token leaks into a progress report: %s", raw)
	}
}

// azbbDeepWant is the expected outcome of a round trip: the status of each stage and words of its
// message.
type azbbDeepWant map[string]azbbWant

var azbbAllPass = azbbDeepWant{
	providers.CheckDeepCreate: azbbW(providers.Pass, "created private repository"),
	providers.CheckDeepClone:  azbbW(providers.Pass, "cloned"),
	providers.CheckDeepPush:   azbbW(providers.Pass, "pushed commit"),
	providers.CheckDeepVerify: azbbW(providers.Pass, "points at the pushed commit"),
	providers.CheckDeepDelete: azbbW(providers.Pass, "confirmed it is gone"),
}

func (w azbbDeepWant) with(id string, want azbbWant) azbbDeepWant {
	out := azbbDeepWant{}
	for k, v := range w {
		out[k] = v
	}
	out[id] = want
	return out
}

func azbbDeepAssert(t *testing.T, r providers.Result, want azbbDeepWant) {
	t.Helper()
	for _, id := range providers.DeepStages {
		c, ok := r.Find(id)
		if !ok {
			t.Errorf("no %s check: %s", id, azbbDump(r))
			continue
		}
		if c.DurationMS == nil {
			t.Errorf("%s has no duration", id)
		}
		w, ok := want[id]
		if !ok {
			continue
		}
		if c.Status != w.status {
			t.Errorf("%s: %s, want %s: %s", id, c.Status, w.status, c.Message)
		}
		for _, word := range w.words {
			if !strings.Contains(c.Message, word) {
				t.Errorf("%s: message lacks %q: %s", id, word, c.Message)
			}
		}
		if c.Status == providers.Fail && len(c.Message) < 60 && !strings.Contains(c.Message, "cancelled") {
			t.Errorf("%s: failing message too terse to act on: %q", id, c.Message)
		}
	}
}

type azbbScenario struct {
	name   string
	creds  func(emu *fake.Emulators) providers.Credentials
	want   azbbDeepWant
	leftOK bool // the repository is left behind (delete forbidden)
}

func azbbScenarios(t *testing.T, id providers.ID, scenarios []azbbScenario) {
	emu := azbbEmulators(t)
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			c := sc.creds(emu)
			name := azbbRepoName(t)
			r, progress := azbbDeep(t, context.Background(), azbbDeepEnv(name), c, nil)
			azbbDeepAssert(t, r, sc.want)
			azbbNoCanary(t, r, progress, c.Token)
			left := slices.Contains(emu.Repos(id), name)
			switch {
			case sc.leftOK && !left:
				t.Errorf("the delete-forbidden repository %s is not on the emulator", name)
			case sc.leftOK:
				del, _ := r.Find(providers.CheckDeepDelete)
				if !strings.Contains(del.Message, name) {
					t.Errorf("deep:delete does not name the left-over repository %s: %s", name, del.Message)
				}
				full := azbbRepos(t, emu.DemoCredentials(id))
				if err := full.Delete(context.Background(), providers.Repo{ID: azbbRepoID(t, emu, id, name), Name: name, FullName: name}); err != nil {
					t.Errorf("clean-up: %v", err)
				}
			case left:
				t.Errorf("repository %s left behind: %v", name, emu.Repos(id))
			}
			wantOK := true
			for _, w := range sc.want {
				wantOK = wantOK && w.status != providers.Fail
			}
			if r.OK != wantOK {
				t.Errorf("OK = %v, want %v: %s", r.OK, wantOK, azbbDump(r))
			}
		})
	}
}

// azbbRepoID is the id the provider's API deletes a repository by (Azure: its GUID).
func azbbRepoID(t *testing.T, emu *fake.Emulators, id providers.ID, name string) string {
	t.Helper()
	if id != providers.Azure {
		return name
	}
	a := azbbSendJSON(t, emu.URL(providers.Azure)+"/"+fake.AzureOrganisation+"/"+fake.AzureProject+
		"/_apis/git/repositories/"+name+"?api-version=7.1", fake.AzureTokenFull)
	return a["id"].(string)
}

func TestDeepAzureScenarios(t *testing.T) {
	t.Parallel()
	token := func(tok string) func(*fake.Emulators) providers.Credentials {
		return func(emu *fake.Emulators) providers.Credentials { return emu.Credentials(providers.Azure, tok) }
	}
	skipped := azbbW(providers.Skip, "earlier stage failed")
	azbbScenarios(t, providers.Azure, []azbbScenario{
		{name: "full success", creds: token(fake.AzureTokenFull), want: azbbAllPass},
		{name: "create forbidden (no Code manage)", creds: token(fake.AzureTokenNoManage), want: azbbDeepWant{
			providers.CheckDeepCreate: azbbW(providers.Fail, "Code: Read, write, & manage", "TF400813", "_usersSettings/tokens"),
			providers.CheckDeepClone:  skipped, providers.CheckDeepPush: skipped, providers.CheckDeepVerify: skipped,
			providers.CheckDeepDelete: azbbW(providers.Skip, "no repository was created"),
		}},
		{name: "push rejected (no Contribute)", creds: token(fake.AzureTokenPushDenied), want: azbbAllPass.
			with(providers.CheckDeepPush, azbbW(providers.Fail, "push rejected", "403", "Contribute")).
			with(providers.CheckDeepVerify, skipped)},
		{name: "delete forbidden", creds: token(fake.AzureTokenNoDelete), leftOK: true, want: azbbAllPass.
			with(providers.CheckDeepDelete, azbbW(providers.Fail, "LEFT BEHIND", "TF401027", "Delete repository permission"))},
		{name: "slow to show the repository", creds: token(fake.AzureTokenLaggy), want: azbbAllPass.
			with(providers.CheckDeepCreate, azbbW(providers.Pass, "after 3 polls"))},
	})
}

func TestDeepBitbucketScenarios(t *testing.T) {
	t.Parallel()
	token := func(tok string) func(*fake.Emulators) providers.Credentials {
		return func(emu *fake.Emulators) providers.Credentials { return emu.Credentials(providers.Bitbucket, tok) }
	}
	skipped := azbbW(providers.Skip, "earlier stage failed")
	azbbScenarios(t, providers.Bitbucket, []azbbScenario{
		// The username is the account e-mail (for REST), which Git refuses: this passes only because
		// the round trip gives Git x-bitbucket-api-token-auth (Devtron uses one name for both, and fails).
		{name: "full success, API token", creds: token(fake.BitbucketTokenFull), want: azbbAllPass},
		{name: "full success, access token", creds: func(emu *fake.Emulators) providers.Credentials {
			c := emu.Credentials(providers.Bitbucket, fake.BitbucketAccessToken)
			c.Username = ""
			return c
		}, want: azbbAllPass},
		{name: "full success, oldest project", creds: func(emu *fake.Emulators) providers.Credentials {
			c := emu.DemoCredentials(providers.Bitbucket)
			c.ProjectKey = ""
			return c
		}, want: azbbAllPass},
		{name: "create forbidden (no admin:repository)", creds: token(fake.BitbucketTokenNoAdminRepo), want: azbbDeepWant{
			providers.CheckDeepCreate: azbbW(providers.Fail, "admin:repository:bitbucket", "needed to create repositories"),
			providers.CheckDeepClone:  skipped, providers.CheckDeepPush: skipped, providers.CheckDeepVerify: skipped,
			providers.CheckDeepDelete: azbbW(providers.Skip, "no repository was created"),
		}},
		{name: "push rejected (no write:repository)", creds: token(fake.BitbucketTokenNoWriteRepo), want: azbbAllPass.
			with(providers.CheckDeepPush, azbbW(providers.Fail, "push rejected", "403", "write:repository:bitbucket")).
			with(providers.CheckDeepVerify, skipped)},
		{name: "delete forbidden (no delete:repository)", creds: token(fake.BitbucketTokenNoDeleteRepo), leftOK: true, want: azbbAllPass.
			with(providers.CheckDeepDelete, azbbW(providers.Fail, "LEFT BEHIND", "delete:repository:bitbucket", "admin rights on the repository"))},
		{name: "slow to show the repository", creds: token(fake.BitbucketTokenLaggy), want: azbbAllPass.
			with(providers.CheckDeepCreate, azbbW(providers.Pass, "after 3 polls"))},
	})
}

// TestDeepAzbbNameTaken: the first name exists already; the round trip picks another and goes on.
func TestDeepAzbbNameTaken(t *testing.T) {
	t.Parallel()
	emu := azbbEmulators(t)
	for _, id := range []providers.ID{providers.Azure, providers.Bitbucket} {
		t.Run(string(id), func(t *testing.T) {
			t.Parallel()
			taken, fresh := azbbRepoName(t), azbbRepoName(t)
			if err := emu.AddRepo(id, taken); err != nil {
				t.Fatal(err)
			}
			c := emu.DemoCredentials(id)
			r, progress := azbbDeep(t, context.Background(), azbbDeepEnv(taken, fresh), c, nil)
			azbbDeepAssert(t, r, azbbAllPass.with(providers.CheckDeepCreate, azbbW(providers.Pass, fresh, taken+" existed already")))
			azbbNoCanary(t, r, progress, c.Token)
			if repos := emu.Repos(id); slices.Contains(repos, fresh) || !slices.Contains(repos, taken) {
				t.Errorf("repositories after the round trip: %v; want %s kept and %s gone", repos, taken, fresh)
			}
		})
	}
}

// TestDeepAzbbCancelAfterCreate: cancelling once the repository exists still deletes it.
func TestDeepAzbbCancelAfterCreate(t *testing.T) {
	t.Parallel()
	emu := azbbEmulators(t)
	for _, id := range []providers.ID{providers.Azure, providers.Bitbucket} {
		t.Run(string(id), func(t *testing.T) {
			t.Parallel()
			name := azbbRepoName(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			c := emu.DemoCredentials(id)
			r, progress := azbbDeep(t, ctx, azbbDeepEnv(name), c, func(ch providers.Check) {
				if ch.ID == providers.CheckDeepCreate && ch.Status == providers.Pass {
					cancel()
				}
			})
			azbbDeepAssert(t, r, azbbDeepWant{
				providers.CheckDeepCreate: azbbW(providers.Pass),
				providers.CheckDeepClone:  azbbW(providers.Fail, "cancelled"),
				providers.CheckDeepDelete: azbbW(providers.Pass, "confirmed it is gone"),
			})
			azbbNoCanary(t, r, progress, c.Token)
			if slices.Contains(emu.Repos(id), name) {
				t.Errorf("cancelled round trip left %s behind", name)
			}
		})
	}
}
