package e2e

import (
	"bytes"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
	"gitopscfg/providers/giteatest"
)

// The SSH server against a real Gitea (GITOPSCFG_GITEA=1, make test-gitea): a round trip over
// SSH with no token in any output and no repository left behind.

// One round trip over the SSH server against the real Gitea.
func TestGiteaRealRoundTripOverSSH(t *testing.T) {
	giteatest.Require(t)
	srv := giteatest.Start(t, "")
	srv.Setup(t)
	tok := srv.Token(t, giteatest.Owner, "ssh-full", "write:organization,write:repository,read:user")
	emu := kit.Emulators(t, fake.Options{})
	s := startServe(t, emu)
	mustRun(t, s.dir, tok, "set", "gitea", "--host", srv.URL, "--org", giteatest.Org,
		"--username", giteatest.Owner, "--token-stdin", "--no-check")
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
	res := kit.GiteaResult(t, out.String())
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
