package providers_test

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gitopscfg/forms"
	"gitopscfg/providers"
	"gitopscfg/providers/giteatest"
)

// Git over SSH against the real Gitea's built-in SSH server (GITOPSCFG_GITEA=1, make test-gitea):
// the round trip with a key of the user, the existing-repository round trip with a deploy key of
// that repository, and a host key other than the one trusted.

// giteaSSHCreds are the Owner's Gitea credentials (token for the API) going to Git over SSH with
// priv, trusting the host key the server shows.
func giteaSSHCreds(t *testing.T, srv *giteatest.Server, tok, priv string) providers.Credentials {
	t.Helper()
	hk, err := providers.ScanHostKey(testCtx(t), srv.SSH, "")
	if err != nil {
		t.Fatal(err)
	}
	c := providers.Credentials{Provider: providers.Gitea, Name: "gitea"}
	c.Host, c.Org, c.Username, c.Token = srv.URL, giteatest.Org, giteatest.Owner, tok
	c.SSHKey, c.SSHURL, c.SSHHostKey = priv, "ssh://git@"+srv.SSH+"/", providers.KnownHostsLine(srv.SSH, hk)
	norm, err := forms.Credentials(c)
	if err != nil {
		t.Fatalf("the forms refuse the credentials: %v", err)
	}
	return norm
}

func newKey(t *testing.T) (priv, pub string) {
	t.Helper()
	priv, pub, err := providers.GenerateSSHKey("gitea-test")
	if err != nil {
		t.Fatal(err)
	}
	return priv, pub
}

func TestGiteaRealOverSSH(t *testing.T) {
	giteatest.Require(t)
	srv := giteatest.Start(t, "")
	srv.Setup(t)
	tok := srv.Token(t, giteatest.Owner, "ssh", "write:organization,write:repository,read:user")
	priv, pub := newKey(t)
	srv.API(t, http.MethodPost, "/admin/users/"+giteatest.Owner+"/keys", "", map[string]any{"title": "gitopscfg", "key": pub}, http.StatusCreated)
	c := giteaSSHCreds(t, srv, tok, priv)
	env := envWithTimeout(providers.DeepTimeout)

	t.Run("round trip with a key of the user", func(t *testing.T) {
		r := providers.RunDeep(testCtx(t), env, c, nil)
		if !r.OK {
			t.Fatalf("round trip over SSH:\n%s", dumpResult(r))
		}
		if ch, _ := r.Find(providers.CheckSSH); ch.Status != providers.Pass {
			t.Errorf("ssh: %s %s", ch.Status, ch.Message)
		}
		if ch, _ := r.Find(providers.CheckDeepClone); !strings.Contains(ch.Message, "ssh://git@"+srv.SSH+"/") {
			t.Errorf("the clone did not go over SSH: %s", ch.Message)
		}
		noKeyIn(t, c, r)
		if left := srv.Repos(t); len(left) > 0 {
			t.Errorf("repositories left behind: %v", left)
		}
	})

	t.Run("existing repository with a deploy key", func(t *testing.T) {
		srv.API(t, http.MethodPost, "/orgs/"+giteatest.Org+"/repos", "", map[string]any{"name": "gitops", "auto_init": true, "private": true}, http.StatusCreated)
		dpriv, dpub := newKey(t)
		srv.API(t, http.MethodPost, "/repos/"+giteatest.Org+"/gitops/keys", "", map[string]any{"title": "gitopscfg", "key": dpub, "read_only": false},
			http.StatusCreated)
		d := c
		d.SSHKey, d.Repo = dpriv, giteatest.Org+"/gitops"
		r := providers.RunDeep(testCtx(t), env, d, nil)
		for _, id := range providers.ExistingStages {
			if ch, ok := r.Find(id); !ok || ch.Status != providers.Pass {
				t.Errorf("%s: %s %s", id, ch.Status, ch.Message)
			}
		}
		var branches []struct {
			Name string `json:"name"`
		}
		_ = json.Unmarshal(srv.API(t, http.MethodGet, "/repos/"+giteatest.Org+"/gitops/branches", "", nil, http.StatusOK), &branches)
		if len(branches) != 1 || branches[0].Name != "main" {
			t.Errorf("branches after the round trip: %+v", branches)
		}
		noKeyIn(t, d, r)
	})

	t.Run("a host key other than the one trusted", func(t *testing.T) {
		other := filepath.Join(t.TempDir(), "other")
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other).CombinedOutput(); err != nil {
			t.Fatalf("%v %s", err, out)
		}
		raw, _ := exec.Command("ssh-keygen", "-y", "-f", other).Output()
		f := strings.Fields(string(raw))
		_, real, _ := providers.TrustedHostKey(c)
		changed := c
		changed.SSHHostKey = providers.KnownHostsName(srv.SSH) + " " + f[0] + " " + f[1]
		_, trusted, _ := providers.TrustedHostKey(changed)
		r := providers.Run(testCtx(t), env, changed)
		ch, _ := r.Find(providers.CheckSSH)
		if r.OK || ch.Status != providers.Fail || !strings.Contains(ch.Message, "CHANGED") ||
			!strings.Contains(ch.Message, providers.Fingerprint(trusted)) || !strings.Contains(ch.Message, providers.Fingerprint(real)) {
			t.Errorf("a changed host key:\n%s", dumpResult(r))
		}
		d := providers.RunDeep(testCtx(t), env, changed, nil)
		if cl, _ := d.Find(providers.CheckDeepClone); cl.Status == providers.Pass {
			t.Errorf("the round trip cloned from a server with another host key:\n%s", dumpResult(d))
		}
		if left := srv.Repos(t); len(left) > 1 { // gitops, from the deploy key's case
			t.Errorf("repositories left behind: %v", left)
		}
	})
}

// TestGiteaRealExistingSSHFigures measures the existing-repository round trip against a real
// Gitea over SSH (a deploy key): the median of 5, the API requests (through a counting HTTP proxy
// the server's ROOT_URL names) and the SSH connections (through a counting TCP proxy) per run.
func TestGiteaRealExistingSSHFigures(t *testing.T) {
	giteatest.Require(t)
	srv, proxyURL, proxy := countedGitea(t)
	srv.Setup(t)
	srv.CreateRepo(t, "gitops")
	sshAddr, conns := sshCountingProxy(t, srv.SSH)
	tok := srv.Token(t, giteatest.Owner, "figures-ssh", "write:organization,write:repository,read:user")
	priv, pub := newKey(t)
	srv.API(t, http.MethodPost, "/repos/"+giteatest.Org+"/gitops/keys", "", map[string]any{"title": "figures", "key": pub, "read_only": false},
		http.StatusCreated)
	hk, err := providers.ScanHostKey(testCtx(t), sshAddr, "")
	if err != nil {
		t.Fatal(err)
	}
	c := providers.Credentials{Provider: providers.Gitea, Name: "gitea"}
	c.Host, c.Org, c.Username, c.Token, c.Repo = proxyURL, giteatest.Org, giteatest.Owner, tok, giteatest.Org+"/gitops"
	c.SSHKey, c.SSHURL, c.SSHHostKey = priv, "ssh://git@"+sshAddr+"/", providers.KnownHostsLine(sshAddr, hk)
	var took []time.Duration
	var reqs, sshConns []int64
	for range 5 {
		r0, s0 := proxy.n.Load(), conns.Load()
		t0 := time.Now()
		r := providers.RunDeep(testCtx(t), envWithTimeout(60*time.Second), c, nil)
		took = append(took, time.Since(t0))
		reqs, sshConns = append(reqs, proxy.n.Load()-r0), append(sshConns, conns.Load()-s0)
		if !r.OK {
			t.Fatalf("the round trip over SSH failed:%s", dumpResult(r))
		}
	}
	sorted := slices.Clone(took)
	slices.Sort(sorted)
	t.Logf("FIGURE existing-repository round trip (live check included) against a real Gitea over SSH: median %v of 5 (all: %v), "+
		"API requests per run: %v, SSH connections per run: %v", sorted[2].Round(time.Millisecond), took, reqs, sshConns)
}
