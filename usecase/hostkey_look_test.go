package usecase_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net"
	"testing"

	"golang.org/x/crypto/ssh"

	"gitopscfg/config"
	"gitopscfg/providers"
	"gitopscfg/usecase"
)

// sshHostKeyServer serves SSH handshakes with a new ed25519 host key on a loopback port until t
// ends; it returns the address and the key.
func sshHostKeyServer(t *testing.T) (string, ssh.PublicKey) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	cfg := &ssh.ServerConfig{PublicKeyCallback: func(ssh.ConnMetadata, ssh.PublicKey) (*ssh.Permissions, error) {
		return nil, errors.New("nobody")
	}}
	cfg.AddHostKey(signer)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer conn.Close(); _, _, _, _ = ssh.NewServerConn(conn, cfg) }()
		}
	}()
	return ln.Addr().String(), signer.PublicKey()
}

// TestLookAtHostKey: a new server's key is shown, not trusted; the trusted key is recognised; a
// changed one is refused naming both fingerprints; a server that cannot be reached keeps the
// key trusted already, and is an error when none is.
func TestLookAtHostKey(t *testing.T) {
	t.Parallel()
	addr, key := sshHostKeyServer(t)
	_, other := sshHostKeyServer(t)
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
