package cli_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/giteatest"
)

// The command line against the real Gitea's built-in SSH server (GITOPSCFG_GITEA=1, make
// test-gitea): set generates a key, registers it as a deploy key of an existing repository and
// trusts the host key given; check --deep pushes a throw-away branch over SSH; remove deletes the
// deploy key again.
func TestGiteaRealDeployKeyOverSSH(t *testing.T) {
	giteatest.Require(t)
	srv := giteatest.Start(t, "")
	srv.Setup(t)
	tok := srv.Token(t, giteatest.Owner, "cli-ssh", "write:organization,write:repository,read:user")
	srv.API(t, http.MethodPost, "/orgs/"+giteatest.Org+"/repos", "", map[string]any{"name": "gitops", "auto_init": true, "private": true}, http.StatusCreated)
	fp, err := scanFP(srv.SSH)
	if err != nil {
		t.Fatal(err)
	}
	dir := initStore(t)
	r := mustRun(t, dir, tok, "set", "gitea", "--host", srv.URL, "--org", giteatest.Org, "--username", giteatest.Owner, "--token-stdin",
		"--repo", giteatest.Org+"/gitops", "--ssh-key-generate", "--register-key", "--ssh-url", "ssh://git@"+srv.SSH+"/", "--trust-host-key", fp)
	if !strings.Contains(r.out, "as a deploy key with write access") || !strings.Contains(r.out, "ssh-ed25519 ") {
		t.Errorf("set --register-key:\n%s", r.out)
	}
	keys := func() int {
		var list []json.RawMessage
		_ = json.Unmarshal(srv.API(t, http.MethodGet, "/repos/"+giteatest.Org+"/gitops/keys", "", nil, http.StatusOK), &list)
		return len(list)
	}
	if n := keys(); n != 1 {
		t.Fatalf("%d deploy keys after set, want 1", n)
	}
	r = gitopscfg(t, dir, "", nil, "check", "gitea", "--deep", "--json")
	res := kit.GiteaResult(t, r.out)
	for _, id := range append([]string{providers.CheckSSH}, providers.ExistingStages...) {
		if c, _ := res.Find(id); c.Status != providers.Pass {
			t.Errorf("check --deep: %s is %s: %s", id, c.Status, c.Message)
		}
	}
	if r.code != 0 || !strings.Contains(r.out, "ssh://git@"+srv.SSH+"/") {
		t.Errorf("check --deep over SSH: exit %d\n%s%s", r.code, r.out, r.err)
	}
	r = mustRun(t, dir, "", "remove", "gitea")
	if !strings.Contains(r.out, "Deleted the deploy key") || keys() != 0 {
		t.Errorf("remove did not delete the deploy key (%d left):\n%s", keys(), r.out)
	}
	if strings.Contains(r.out+r.err, tok) {
		t.Fatal("the token shows in the output")
	}
}
