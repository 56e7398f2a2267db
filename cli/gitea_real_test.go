package cli_test

import (
	"bytes"
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/giteatest"
)

// The command line and the SSH server against a real Gitea (GITOPSCFG_GITEA=1, make test-gitea):
// set (which checks live and saves only if the check passes), check, check --deep, and a round
// trip over SSH (e2e/gitea_ssh_test.go); no token in any output or file, no repository left behind.

func TestGiteaRealCommandLine(t *testing.T) {
	giteatest.Require(t)
	srv := giteatest.Start(t, "")
	srv.Setup(t)
	full := srv.Token(t, giteatest.Owner, "cli-full", "write:organization,write:repository,read:user")
	readOnly := srv.Token(t, giteatest.Owner, "cli-ro", "read:organization,read:repository,read:user")
	dir := initStore(t)
	var outputs []string
	record := func(r run) run { outputs = append(outputs, r.out, r.err); return r }

	set := []string{"set", "gitea", "--host", srv.URL, "--org", giteatest.Org, "--username", giteatest.Owner, "--token-stdin"}
	if r := record(gitopscfg(t, dir, full, nil, set...)); r.code != 0 {
		t.Fatalf("set gitea: exit %d\n%s%s", r.code, r.out, r.err)
	}
	r := record(gitopscfg(t, dir, "", nil, "check", "gitea", "--json"))
	if res := kit.GiteaResult(t, r.out); r.code != 0 || !res.OK || res.User != giteatest.Owner {
		t.Fatalf("check gitea: exit %d, %+v", r.code, res)
	}
	r = record(gitopscfg(t, dir, "", nil, "check", "gitea", "--deep", "--json"))
	res := kit.GiteaResult(t, r.out)
	for _, id := range providers.DeepStages {
		if c, _ := res.Find(id); c.Status != providers.Pass {
			t.Errorf("check --deep: %s is %s: %s", id, c.Status, c.Message)
		}
	}
	if r.code != 0 {
		t.Errorf("check --deep: exit %d", r.code)
	}

	// A read-only token: set refuses to save it; saved without the check, check and check --deep fail.
	if r := record(gitopscfg(t, dir, readOnly, nil, "set", "gitea", "--token-stdin")); r.code == 0 {
		t.Errorf("set with a read-only token saved it: %s", r.out)
	}
	record(mustRun(t, dir, readOnly, "set", "gitea", "--token-stdin", "--no-check"))
	r = record(gitopscfg(t, dir, "", nil, "check", "gitea"))
	if r.code != 1 || !strings.Contains(r.out, "scope:write:organization") || !strings.Contains(r.out, "missing") {
		t.Errorf("check with a read-only token: exit %d\n%s", r.code, r.out)
	}
	r = record(gitopscfg(t, dir, "", nil, "check", "gitea", "--deep", "--json"))
	roRes := kit.GiteaResult(t, r.out)
	if c, _ := roRes.Find(providers.CheckDeepCreate); r.code != 1 || c.Status != providers.Fail {
		t.Errorf("check --deep with a read-only token: exit %d, deep:create %s", r.code, c.Status)
	}
	record(mustRun(t, dir, "", "status"))

	for _, tok := range []string{full, readOnly} {
		for _, out := range outputs {
			if strings.Contains(out, tok) || strings.Contains(out, tok[8:36]) {
				t.Fatalf("a token shows in the output: %s", strings.ReplaceAll(out, tok, "[token]"))
			}
		}
		for name, raw := range readAll(t, dir) {
			if bytes.Contains(raw, []byte(tok)) {
				t.Fatalf("a token is in %s in clear", name)
			}
		}
	}
	if left := srv.Repos(t); len(left) > 0 {
		t.Errorf("repositories left behind: %v", left)
	}
}
