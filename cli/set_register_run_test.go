package cli_test

import (
	"encoding/json"
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// set --register-key against the GitLab and Bitbucket emulators: GitLab adds a deploy key with
// write access to --repo, Bitbucket a key of the token's account (its deploy keys are read-only,
// and set says so); remove deletes the key again. No token shows.
func TestSetRegisterKeyGitLabAndBitbucket(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	if err := e.AddRepo(providers.GitLab, "apps"); err != nil {
		t.Fatal(err)
	}
	srv := kit.StartSSHServer(t, kit.AcceptKeys)
	addr, fp := srv.Addr, srv.Fingerprint()
	for _, tc := range []struct {
		id         providers.ID
		token      string
		repo, said string
	}{
		{providers.GitLab, fake.GitLabTokenFull, fake.GitLabGroupPath + "/apps", "as a deploy key with write access"},
		{providers.Bitbucket, fake.BitbucketTokenSSHKeys, fake.BitbucketWorkspace + "/gitops-bootstrap", "deploy keys are read-only"},
	} {
		c := e.Credentials(tc.id, tc.token)
		dir := initStore(t)
		args := []string{"set", string(tc.id), "--host", c.Host, "--org", c.Org, "--username", c.Username, "--token-stdin",
			"--repo", tc.repo, "--ssh-key-generate", "--register-key", "--ssh-url", "ssh://git@" + addr + "/", "--trust-host-key", fp}
		if c.APIURL != "" {
			args = append(args, "--api-url", c.APIURL)
		}
		r := gitopscfg(t, dir, tc.token, nil, args...)
		if r.code != 0 || !strings.Contains(r.out, tc.said) || len(e.SSHKeys(tc.id)) != 1 {
			t.Errorf("%s: set --register-key: exit %d, keys %v\n%s%s", tc.id, r.code, e.SSHKeys(tc.id), r.out, r.err)
			continue
		}
		statusShowsTheKeys(t, dir, tc.id, e.SSHKeys(tc.id)[0], addr, fp)
		r2 := gitopscfg(t, dir, "", nil, "remove", string(tc.id))
		if r2.code != 0 || !strings.Contains(r2.out, "Deleted the ") || len(e.SSHKeys(tc.id)) != 0 {
			t.Errorf("%s: remove: exit %d, keys left %v\n%s%s", tc.id, r2.code, e.SSHKeys(tc.id), r2.out, r2.err)
		}
		if strings.Contains(r.out+r.err+r2.out+r2.err, tc.token) {
			t.Fatalf("%s: the token shows in the output", tc.id)
		}
	}
}

// statusShowsTheKeys: status names the credential's public key (the one the server holds, with
// registered, the key's owner and the key) and the trusted host key, in text and in JSON, and
// never a piece of the private key.
func statusShowsTheKeys(t *testing.T, dir string, id providers.ID, registered, addr, fp string) {
	t.Helper()
	text := gitopscfg(t, dir, "", nil, "status")
	js := gitopscfg(t, dir, "", nil, "status", "--json")
	var doc struct {
		Providers []struct {
			Credential *string `json:"credential"`
			SSH        *struct {
				PublicKey string `json:"public_key"`
				HostKey   string `json:"host_key"`
				Host      string `json:"host"`
				KeyRef    string `json:"registered_key"`
			} `json:"ssh"`
		} `json:"providers"`
	}
	if err := json.Unmarshal([]byte(js.out), &doc); err != nil {
		t.Fatalf("status --json: %v\n%s", err, js.out)
	}
	var pub string
	for _, p := range doc.Providers {
		if p.Credential != nil && *p.Credential == string(id) && p.SSH != nil {
			pub = p.SSH.PublicKey
			if p.SSH.HostKey != fp || p.SSH.Host != "["+strings.Replace(addr, ":", "]:", 1) || p.SSH.KeyRef == "" {
				t.Errorf("%s: status --json ssh %+v; want host key %s of %s and a registered key", id, *p.SSH, fp, addr)
			}
		}
	}
	fields := strings.Fields(pub)
	if len(fields) < 2 || !strings.Contains(registered, fields[1]) {
		t.Fatalf("%s: status --json public key %q is not the registered one %q", id, pub, registered)
	}
	if !strings.Contains(text.out, pub) || !strings.Contains(text.out, "trusted: "+fp) {
		t.Errorf("%s: status lacks the public key or the host key:\n%s", id, text.out)
	}
	if all := text.out + text.err + js.out + js.err; strings.Contains(all, "PRIVATE KEY") {
		t.Fatalf("%s: status shows the private key", id)
	}
}
