package cli_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gitopscfg/cli"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/opensshtest"
)

// The command line against a real OpenSSH server with git-shell (make test-gitea): the generic
// provider over SSH, from set (which shows the host key's fingerprint and trusts it only when told)
// to check --deep and the exports; a changed host key exits 1 naming both fingerprints; the
// private key shows in no output and in no file in clear.

func scanFP(addr string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	k, err := providers.ScanHostKey(ctx, addr, "")
	if err != nil {
		return "", err
	}
	return providers.Fingerprint(k), nil
}

func TestOpenSSHCommandLine(t *testing.T) {
	srv := opensshtest.Start(t)
	repo := srv.Repo(t, "acme/gitops.git")
	keyFile := filepath.Join(t.TempDir(), "id_ed25519")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "cli", "-f", keyFile).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	pub, _ := os.ReadFile(keyFile + ".pub")
	srv.Authorize(t, string(pub))
	key, _ := os.ReadFile(keyFile)
	fp := srv.Fingerprint(t)
	dir := initStore(t)
	var outputs []string
	record := func(r run) run { outputs = append(outputs, r.out, r.err); return r }
	set := []string{"set", "mirror", "--provider", "git", "--url", repo, "--username", srv.User, "--ssh-key", keyFile}

	// Nobody at a terminal to ask: not saved, the fingerprint shown as ssh-keygen shows it.
	r := record(gitopscfg(t, dir, "", nil, set...))
	if r.code != 1 || !strings.Contains(r.err, fp) || !strings.Contains(r.err, "--trust-host-key "+fp) {
		t.Errorf("set without a trusted host key: exit %d\n%s%s", r.code, r.out, r.err)
	}
	r = record(gitopscfg(t, dir, "", nil, append(set, "--trust-host-key", "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")...))
	if r.code != 1 || !strings.Contains(r.err, fp) {
		t.Errorf("set trusting another fingerprint: exit %d\n%s%s", r.code, r.out, r.err)
	}
	// At a terminal, set shows the fingerprint and asks: no keeps nothing, yes trusts it.
	for _, answer := range []string{"n\n", "y\n"} {
		var out, errb bytes.Buffer
		code := cli.Main(append([]string{"--config-dir", dir}, set...), cli.Streams{In: strings.NewReader(answer), Out: &out, Err: &errb,
			IsTerm: true, InIsTerm: true}, "test")
		record(run{out.String(), errb.String(), code})
		asked := strings.Contains(out.String(), fp) && strings.Contains(out.String(), "Trust it for this credential? [y/N]")
		if want := map[string]int{"n\n": 1, "y\n": 0}[answer]; code != want || !asked {
			t.Errorf("answering %q at the terminal: exit %d, want %d\n%s%s", answer, code, want, out.String(), errb.String())
		}
	}
	record(mustRun(t, dir, "", append(set, "--trust-host-key", fp)...))

	r = record(gitopscfg(t, dir, "", nil, "check", "mirror", "--deep", "--json"))
	res := kit.GiteaResult(t, r.out)
	for _, id := range providers.ExistingStages {
		if c, _ := res.Find(id); c.Status != providers.Pass {
			t.Errorf("check --deep: %s is %s: %s", id, c.Status, c.Message)
		}
	}
	if r.code != 0 {
		t.Errorf("check --deep: exit %d\n%s%s", r.code, r.out, r.err)
	}
	argo := record(mustRun(t, dir, "", "export", "argocd", "mirror"))
	for _, want := range []string{"sshPrivateKey:", `url: "` + repo + `"`, "argocd-ssh-known-hosts-cm", "[127.0.0.1]:", "ssh-ed25519 "} {
		if !strings.Contains(argo.out, want) {
			t.Errorf("export argocd lacks %q:\n%s", want, argo.out)
		}
	}
	flux := record(mustRun(t, dir, "", "export", "flux", "mirror"))
	for _, want := range []string{"identity:", "identity.pub:", "known_hosts:"} {
		if !strings.Contains(flux.out, want) {
			t.Errorf("export flux lacks %q:\n%s", want, flux.out)
		}
	}

	old, changed := srv.ChangeHostKey(t, scanFP)
	r = record(gitopscfg(t, dir, "", nil, "check", "mirror"))
	if r.code != 1 || !strings.Contains(r.out, old) || !strings.Contains(r.out, changed) || !strings.Contains(r.out, "CHANGED") {
		t.Errorf("check after the host key changed: exit %d\n%s%s", r.code, r.out, r.err)
	}
	r = record(gitopscfg(t, dir, "", nil, "set", "mirror", "--username", srv.User))
	if all := r.out + r.err; r.code != 1 || !strings.Contains(all, old) || !strings.Contains(all, changed) {
		t.Errorf("set after the host key changed: exit %d\n%s%s", r.code, r.out, r.err)
	}
	record(mustRun(t, dir, "", "set", "mirror", "--trust-host-key", changed))

	for _, line := range strings.Split(string(key), "\n") {
		if len(line) < 16 || strings.HasPrefix(line, "-----") {
			continue
		}
		for i, out := range outputs {
			// The exports the admin asked for carry the key: that is their purpose.
			if strings.Contains(out, line) && out != argo.out && out != flux.out {
				t.Fatalf("the private key shows in output %d:\n%s", i, out)
			}
		}
		for name, raw := range readAll(t, dir) {
			if bytes.Contains(raw, []byte(line)) {
				t.Fatalf("the private key is in %s in clear", name)
			}
		}
	}
	if b := srv.Branches(t, "acme/gitops.git"); len(b) != 1 {
		t.Errorf("branches left behind: %v", b)
	}
}
