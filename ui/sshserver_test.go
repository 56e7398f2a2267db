package ui

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"

	"gitopscfg/providers"
)

// hostKeyServer is an in-process SSH server that shows a host key (and authenticates nobody):
// enough for the UI's look at a server's host key. Its key can change, as a reinstalled
// server's does.
type hostKeyServer struct {
	addr string
	mu   sync.Mutex
	key  ssh.Signer
}

// startHostKeyServer listens on a free loopback port until t ends.
func startHostKeyServer(t testing.TB) *hostKeyServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &hostKeyServer{addr: ln.Addr().String()}
	s.changeKey(t)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			cfg := &ssh.ServerConfig{PublicKeyCallback: func(ssh.ConnMetadata, ssh.PublicKey) (*ssh.Permissions, error) {
				return nil, errors.New("nobody is authorised here")
			}}
			s.mu.Lock()
			cfg.AddHostKey(s.key)
			s.mu.Unlock()
			go func() {
				defer conn.Close()
				_, _, _, _ = ssh.NewServerConn(conn, cfg) // ends when the client stops after the host key
			}()
		}
	}()
	return s
}

// changeKey gives the server a new ed25519 host key and returns its fingerprint.
func (s *hostKeyServer) changeKey(t testing.TB) string {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.key = signer
	s.mu.Unlock()
	return ssh.FingerprintSHA256(signer.PublicKey())
}

// fingerprint is the fingerprint of the key the server shows now.
func (s *hostKeyServer) fingerprint() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ssh.FingerprintSHA256(s.key.PublicKey())
}

// knownHosts is the known_hosts line trusting the server's current key.
func (s *hostKeyServer) knownHosts() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return providers.KnownHostsLine(s.addr, s.key.PublicKey())
}

// url is the server's ssh:// address.
func (s *hostKeyServer) url() string { return "ssh://git@" + s.addr + "/" }
