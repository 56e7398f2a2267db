package cli_test

import (
	"slices"
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/giteatest"
)

// The existing-repository mode through the command line against a real Gitea: a user who may push
// but not create repositories saves its credential with --repo and --deep, check --deep runs this
// mode's stages, and --repo "" brings the creating round trip (which it may not run) back.
func TestGiteaRealExistingCommandLine(t *testing.T) {
	giteatest.Require(t)
	srv := giteatest.Start(t, "")
	srv.Setup(t)
	srv.CreateRepo(t, "gitops")
	tok := srv.Token(t, giteatest.Pusher, "cli-pusher", "write:organization,write:repository,read:user")
	dir := initStore(t)
	var outputs []string
	record := func(r run) run { outputs = append(outputs, r.out, r.err); return r }

	r := record(gitopscfg(t, dir, tok, nil, "set", "gitea", "--host", srv.URL, "--org", giteatest.Org, "--username", giteatest.Pusher,
		"--repo", giteatest.Org+"/gitops", "--token-stdin", "--deep"))
	if r.code != 0 || !strings.Contains(r.out, "deep:delete-branch") {
		t.Fatalf("set --repo --deep: exit %d\n%s%s", r.code, r.out, r.err)
	}
	r = record(gitopscfg(t, dir, "", nil, "check", "gitea", "--deep", "--json"))
	res := kit.GiteaResult(t, r.out)
	for _, id := range providers.ExistingStages {
		if c, _ := res.Find(id); c.Status != providers.Pass {
			t.Errorf("check --deep: %s is %s: %s", id, c.Status, c.Message)
		}
	}
	if c, _ := res.Find(providers.CheckOrg); c.Status != providers.Pass || !strings.Contains(c.Message, providers.NotNeeded) {
		t.Errorf("org: %s %s", c.Status, c.Message)
	}
	if r.code != 0 {
		t.Errorf("check --deep: exit %d", r.code)
	}
	record(mustRun(t, dir, "", "set", "gitea", "--repo", "", "--no-check"))
	if r := record(gitopscfg(t, dir, "", nil, "check", "gitea")); r.code != 1 || !strings.Contains(r.out, "may not create repositories") {
		t.Errorf("check without the repository: exit %d\n%s", r.code, r.out)
	}
	for _, out := range outputs {
		if strings.Contains(out, tok) || strings.Contains(out, tok[8:36]) {
			t.Fatalf("the token shows in the output")
		}
	}
	if got := srv.Branches(t, "gitops"); !slices.Equal(got, []string{"main"}) {
		t.Errorf("branches afterwards: %v", got)
	}
	if got := srv.Repos(t); !slices.Equal(got, []string{"gitops"}) {
		t.Errorf("repositories afterwards: %v", got)
	}
}
