package cli_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// handshakeServer is an SSH server on loopback that shows a host key and accepts any public key,
// then refuses every channel: enough for set's host-key trust and the live check's ssh stage.
func handshakeServer(t *testing.T) (addr, fingerprint string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ServerConfig{PublicKeyCallback: func(ssh.ConnMetadata, ssh.PublicKey) (*ssh.Permissions, error) { return nil, nil }}
	cfg.AddHostKey(signer)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				sc, chans, reqs, err := ssh.NewServerConn(conn, cfg)
				if err != nil {
					return
				}
				defer sc.Close()
				go ssh.DiscardRequests(reqs)
				for ch := range chans {
					_ = ch.Reject(ssh.Prohibited, "no shell here")
				}
			}()
		}
	}()
	return ln.Addr().String(), ssh.FingerprintSHA256(signer.PublicKey())
}

// set --register-key against the GitLab and Bitbucket emulators: GitLab adds a deploy key with
// write access to --repo, Bitbucket a key of the token's account (its deploy keys are read-only,
// and set says so); remove deletes the key again. No token shows.
func TestSetRegisterKeyGitLabAndBitbucket(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	if err := e.AddRepo(providers.GitLab, "apps"); err != nil {
		t.Fatal(err)
	}
	addr, fp := handshakeServer(t)
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
		r2 := gitopscfg(t, dir, "", nil, "remove", string(tc.id))
		if r2.code != 0 || !strings.Contains(r2.out, "Deleted the ") || len(e.SSHKeys(tc.id)) != 0 {
			t.Errorf("%s: remove: exit %d, keys left %v\n%s%s", tc.id, r2.code, e.SSHKeys(tc.id), r2.out, r2.err)
		}
		if strings.Contains(r.out+r.err+r2.out+r2.err, tc.token) {
			t.Fatalf("%s: the token shows in the output", tc.id)
		}
	}
}
