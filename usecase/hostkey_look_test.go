package usecase_test

import (
	"context"
	"errors"
	"net"
	"testing"

	"golang.org/x/crypto/ssh"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// TestLookAtHostKey: a new server's key is shown, not trusted; the trusted key is recognised; a
// changed one is refused naming both fingerprints; a server that cannot be reached keeps the
// key trusted already, and is an error when none is.
func TestLookAtHostKey(t *testing.T) {
	t.Parallel()
	srv, otherSrv := kit.StartSSHServer(t, kit.RefuseKeys), kit.StartSSHServer(t, kit.RefuseKeys)
	addr, key, other := srv.Addr, srv.HostKey(), otherSrv.HostKey()
	b := usecase.New(nil, usecase.Options{})
	c := providers.Credentials{Provider: providers.Gitea, Name: "gitea", Settings: config.Settings{SSHURL: "ssh://git@" + addr + "/"}}
	seen, err := b.LookAtHostKey(context.Background(), c)
	if err != nil || seen.Trusted || seen.HostPort != addr || seen.KeyType != ssh.KeyAlgoED25519 || seen.Fingerprint != providers.Fingerprint(key) {
		t.Fatalf("a new server: %+v, %v", seen, err)
	}
	c.SSHHostKey = providers.KnownHostsLine(addr, key)
	if seen, err := b.LookAtHostKey(context.Background(), c); err != nil || !seen.Trusted || seen.Unreached != nil {
		t.Fatalf("the trusted key: %+v, %v", seen, err)
	}
	c.SSHHostKey = providers.KnownHostsLine(addr, other)
	var changed *providers.HostKeyChangedError
	if _, err := b.LookAtHostKey(context.Background(), c); !errors.As(err, &changed) ||
		changed.Trusted != providers.Fingerprint(other) || changed.Offered != providers.Fingerprint(key) {
		t.Fatalf("a changed key: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	_ = ln.Close()
	c.SSHURL, c.SSHHostKey = "ssh://git@"+closed+"/", providers.KnownHostsLine(closed, key)
	if seen, err := b.LookAtHostKey(context.Background(), c); err != nil || !seen.Trusted || seen.Unreached == nil {
		t.Fatalf("an unreachable server with a trusted key: %+v, %v", seen, err)
	}
	c.SSHHostKey = ""
	if _, err := b.LookAtHostKey(context.Background(), c); err == nil {
		t.Fatal("an unreachable server without a trusted key: no error")
	}
}
