package cli_test

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"gitopscfg/providers"
	"gitopscfg/providers/fake"
	"gitopscfg/providers/giteatest"
)

// The command line and the SSH server against a real Gitea (GITOPSCFG_GITEA=1, make test-gitea):
// set (which checks live and saves only if the check passes), check, check --deep, and a round
// trip over SSH; no token in any output or file, no repository left behind.

func giteaResult(t *testing.T, out string) providers.Result {
	t.Helper()
	var doc struct {
		Results []providers.Result `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Results) != 1 {
		t.Fatalf("not one JSON result (%v): %s", err, out)
	}
	return doc.Results[0]
}

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
	if res := giteaResult(t, r.out); r.code != 0 || !res.OK || res.User != giteatest.Owner {
		t.Fatalf("check gitea: exit %d, %+v", r.code, res)
	}
	r = record(gitopscfg(t, dir, "", nil, "check", "gitea", "--deep", "--json"))
	res := giteaResult(t, r.out)
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
	roRes := giteaResult(t, r.out)
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

// One round trip over the SSH server against the real Gitea.
func TestGiteaRealRoundTripOverSSH(t *testing.T) {
	giteatest.Require(t)
	srv := giteatest.Start(t, "")
	srv.Setup(t)
	tok := srv.Token(t, giteatest.Owner, "ssh-full", "write:organization,write:repository,read:user")
	emu, err := fake.Start(fake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	s := startServe(t, emu)
	set := exec.Command(binary, "--config-dir", s.dir, "set", "gitea", "--host", srv.URL, "--org", giteatest.Org,
		"--username", giteatest.Owner, "--token-stdin", "--no-check")
	set.Stdin = strings.NewReader(tok)
	if out, err := set.CombinedOutput(); err != nil {
		t.Fatalf("set gitea: %v %s", err, out)
	}
	c := s.dial(t)
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	var out, errb bytes.Buffer
	sess.Stdout, sess.Stderr = &out, &errb
	err = sess.Run("check gitea --deep --json")
	if ee, ok := err.(*gossh.ExitError); ok {
		t.Errorf("check gitea --deep over SSH: exit %d\n%s%s", ee.ExitStatus(), out.String(), errb.String())
	} else if err != nil {
		t.Fatal(err)
	}
	res := giteaResult(t, out.String())
	for _, id := range providers.DeepStages {
		if ch, _ := res.Find(id); ch.Status != providers.Pass {
			t.Errorf("over SSH: %s is %s: %s", id, ch.Status, ch.Message)
		}
	}
	if strings.Contains(out.String()+errb.String(), tok) {
		t.Fatal("the token shows in the SSH output")
	}
	if left := srv.Repos(t); len(left) > 0 {
		t.Errorf("repositories left behind: %v", left)
	}
}
