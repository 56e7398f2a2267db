package cli_test

import (
	"encoding/json"
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// TestDemoCheckDeep runs the round trip of every demo provider through the real binary and
// asserts it for GitHub and GitLab (the other providers are another change's to assert).
func TestDemoCheckDeep(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := gitopscfg(t, dir, "", nil, "--demo", "check", "--all", "--deep", "--json")
	var doc struct {
		Results []providers.Result `json:"results"`
	}
	if err := json.Unmarshal([]byte(r.out), &doc); err != nil {
		t.Fatalf("not JSON (%v): exit %d\n%s\n%s", err, r.code, r.out, r.err)
	}
	seen := 0
	for _, res := range doc.Results {
		if res.Provider != providers.GitHub && res.Provider != providers.GitLab {
			continue
		}
		seen++
		if !res.OK {
			t.Errorf("%s failed: %+v", res.Provider, res.Checks)
		}
		for _, id := range providers.DeepStages {
			c, ok := res.Find(id)
			if !ok || c.Status != providers.Pass || c.DurationMS == nil {
				t.Errorf("%s %s = %+v", res.Provider, id, c)
			}
		}
	}
	if seen != 2 {
		t.Fatalf("GitHub and GitLab results missing: %s", r.out)
	}
}

// TestSetDeep saves only after a passing round trip, records it as last_deep, and refuses
// --deep with --no-check.
func TestSetDeep(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	dir := initStore(t)
	set := func(token string, extra ...string) run {
		c := e.Credentials(providers.GitHub, token)
		args := append([]string{"set", "github", "--host", c.Host, "--api-url", c.APIURL, "--org", c.Org,
			"--username", c.Username, "--token-stdin", "--deep"}, extra...)
		return gitopscfg(t, dir, token, nil, args...)
	}
	if r := set(fake.GitHubTokenFull, "--no-check"); r.code != 2 {
		t.Fatalf("--deep --no-check: exit %d, want 2\n%s", r.code, r.err)
	}
	r := set(fake.GitHubTokenPushRejected)
	if r.code != 1 || !strings.Contains(r.out, "push rejected") || !strings.Contains(r.err, "not saved") {
		t.Fatalf("push rejected: exit %d\n%s\n%s", r.code, r.out, r.err)
	}
	if left := e.Repos(providers.GitHub); len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
	st := mustRun(t, dir, "", "status", "--json")
	if strings.Contains(st.out, `"configured": true`) || strings.Contains(st.out, `"configured":true`) {
		t.Fatalf("saved after a failed round trip: %s", st.out)
	}
	r = set(fake.GitHubTokenFull, "--activate")
	if r.code != 0 || !strings.Contains(r.out, "deep:delete") {
		t.Fatalf("full: exit %d\n%s\n%s", r.code, r.out, r.err)
	}
	for _, tok := range []string{fake.GitHubTokenFull, fake.GitHubTokenPushRejected} {
		if strings.Contains(r.out+r.err+st.out, tok) {
			t.Fatal("the token leaked into the output")
		}
	}
	var status struct {
		Providers []struct {
			Provider string `json:"provider"`
			LastDeep *struct {
				OK   bool `json:"ok"`
				Deep bool `json:"deep"`
			} `json:"last_deep"`
		} `json:"providers"`
	}
	st = mustRun(t, dir, "", "status", "--json")
	if err := json.Unmarshal([]byte(st.out), &status); err != nil {
		t.Fatal(err)
	}
	for _, p := range status.Providers {
		if p.Provider == "github" && (p.LastDeep == nil || !p.LastDeep.OK || !p.LastDeep.Deep) {
			t.Fatalf("last_deep not recorded: %s", st.out)
		}
	}
	// check --deep records last_deep too, and the default deadline allows the round trip.
	r = gitopscfg(t, dir, "", nil, "check", "github", "--deep")
	if r.code != 0 || !strings.Contains(r.out, "deep:verify") || !strings.Contains(r.out, " ms)") {
		t.Fatalf("check --deep: exit %d\n%s\n%s", r.code, r.out, r.err)
	}
	if left := e.Repos(providers.GitHub); len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
}
