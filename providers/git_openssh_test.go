package providers_test

import (
	"encoding/json"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gitopscfg/forms"
	"gitopscfg/providers"
	"gitopscfg/providers/opensshtest"
)

// The generic provider over SSH against a real OpenSSH server with git-shell (make test-gitea):
// the host key as ssh-keygen shows it, Git's own check, the existing-repository round trip, a
// changed host key and a key the server does not know.

// sshCreds are generic-provider credentials for repoURL on srv with a new authorised key, trusting
// the host key the server shows at addr.
func sshCreds(t *testing.T, srv *opensshtest.Server, repoURL, addr string) providers.Credentials {
	t.Helper()
	priv, pub, err := providers.GenerateSSHKey("test")
	if err != nil {
		t.Fatal(err)
	}
	srv.Authorize(t, pub)
	hk, err := providers.ScanHostKey(testCtx(t), addr, "")
	if err != nil {
		t.Fatal(err)
	}
	c := providers.Credentials{Provider: providers.GitServer, Name: "mirror"}
	c.URL, c.Username, c.SSHKey, c.SSHHostKey = repoURL, srv.User, priv, providers.KnownHostsLine(addr, hk)
	norm, err := forms.Credentials(c)
	if err != nil {
		t.Fatalf("the forms refuse the credentials: %v", err)
	}
	return norm
}

// noKeyIn fails t when any line of c's private key shows in v (JSON-encoded).
func noKeyIn(t *testing.T, c providers.Credentials, v any) {
	t.Helper()
	b, _ := json.Marshal(v)
	for line := range strings.SplitSeq(c.SSHKey, "\n") {
		if len(line) >= 16 && !strings.HasPrefix(line, "-----") && strings.Contains(string(b), line) {
			t.Fatal("the SSH private key shows in the result")
		}
	}
}

func TestOpenSSHGenericProviderOverSSH(t *testing.T) {
	srv := opensshtest.Start(t)
	repo := srv.Repo(t, "acme/gitops.git")
	hk, err := providers.ScanHostKey(testCtx(t), srv.Addr, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := providers.Fingerprint(hk), srv.Fingerprint(t); got != want {
		t.Fatalf("fingerprint %s, ssh-keygen -lf shows %s", got, want)
	}
	c := sshCreds(t, srv, repo, srv.Addr)
	env := envWithTimeout(providers.DeepTimeout)

	r := providers.Run(testCtx(t), env, c)
	if !r.OK {
		t.Fatalf("live check over SSH:\n%s", dumpResult(r))
	}
	if ch, _ := r.Find(providers.CheckRead); !strings.Contains(ch.Message, "HEAD → main") {
		t.Errorf("read: %s", ch.Message)
	}
	noKeyIn(t, c, r)

	d := providers.RunDeep(testCtx(t), env, c, nil)
	for _, id := range providers.ExistingStages {
		if ch, ok := d.Find(id); !ok || ch.Status != providers.Pass {
			t.Errorf("%s: %s %s", id, ch.Status, ch.Message)
		}
	}
	if _, ok := d.Find(providers.CheckDeepCreate); ok {
		t.Error("the generic provider's round trip created a repository")
	}
	if b := srv.Branches(t, "acme/gitops.git"); !slices.Equal(b, []string{"main"}) {
		t.Errorf("branches left behind: %v", b)
	}
	noKeyIn(t, c, d)
}

// A server that shows another host key than the one trusted is refused, naming both fingerprints;
// a key the server does not know fails authentication.
func TestOpenSSHChangedHostKeyAndUnknownKey(t *testing.T) {
	srv := opensshtest.Start(t)
	repo := srv.Repo(t, "acme/gitops.git")
	c := sshCreds(t, srv, repo, srv.Addr)
	_, want, _ := providers.TrustedHostKey(c)

	other := filepath.Join(t.TempDir(), "other")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	pub, _ := exec.Command("ssh-keygen", "-y", "-f", other).Output()
	fake := strings.Fields(string(pub))
	changed := c
	changed.SSHHostKey = providers.KnownHostsName(srv.Addr) + " " + fake[0] + " " + fake[1]
	r := providers.Run(testCtx(t), envWithTimeout(providers.DefaultTimeout), changed)
	auth, _ := r.Find(providers.CheckAuth)
	_, trusted, _ := providers.TrustedHostKey(changed)
	if r.OK || auth.Status != providers.Fail || !strings.Contains(auth.Message, "CHANGED") ||
		!strings.Contains(auth.Message, providers.Fingerprint(trusted)) || !strings.Contains(auth.Message, providers.Fingerprint(want)) {
		t.Errorf("a changed host key:\n%s", dumpResult(r))
	}

	unknown := c
	unknown.SSHKey, _, _ = providers.GenerateSSHKey("stranger")
	r = providers.Run(testCtx(t), envWithTimeout(providers.DefaultTimeout), unknown)
	if auth, _ := r.Find(providers.CheckAuth); r.OK || !strings.Contains(auth.Message, "did not accept the key") {
		t.Errorf("an unknown key:\n%s", dumpResult(r))
	}
	noKeyIn(t, unknown, r)
}

// TestOpenSSHRoundTripFigures measures the generic provider's round trip over SSH against
// OpenSSH: the median of 5, and how many SSH connections one makes (through a counting proxy).
func TestOpenSSHRoundTripFigures(t *testing.T) {
	srv := opensshtest.Start(t)
	repo := srv.Repo(t, "acme/gitops.git")
	proxy, conns := sshCountingProxy(t, srv.Addr)
	c := sshCreds(t, srv, strings.Replace(repo, srv.Addr, proxy, 1), proxy)
	var times []time.Duration
	var perRun []int64
	for i := range 5 {
		before := conns.Load()
		start := time.Now()
		d := providers.RunDeep(testCtx(t), envWithTimeout(providers.DeepTimeout), c, nil)
		times = append(times, time.Since(start))
		perRun = append(perRun, conns.Load()-before)
		if !d.OK {
			t.Fatalf("round trip %d:\n%s", i, dumpResult(d))
		}
	}
	sorted := slices.Clone(times)
	slices.Sort(sorted)
	t.Logf("FIGURE generic provider, existing-repository round trip (live check included) over SSH against OpenSSH: median %v of 5 "+
		"(all: %v), SSH connections per run: %v", sorted[2].Round(time.Millisecond), times, perRun)
}

// sshCountingProxy forwards TCP connections to addr and counts them.
func sshCountingProxy(t *testing.T, addr string) (string, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			out, err := net.Dial("tcp", addr)
			if err != nil {
				_ = in.Close()
				continue
			}
			wg.Add(2)
			go func() { defer wg.Done(); _, _ = io.Copy(out, in); _ = out.(*net.TCPConn).CloseWrite() }()
			go func() { defer wg.Done(); _, _ = io.Copy(in, out); _ = in.Close() }()
		}
	}()
	return ln.Addr().String(), &n
}
