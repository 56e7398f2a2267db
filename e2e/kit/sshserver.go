package kit

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

// SSHServer is an in-process SSH server on a free loopback port, for the tests that need a server's
// host key and handshake but no Git: it shows an ed25519 host key (which can change, as a
// reinstalled server's does), then accepts any client key (AcceptKeys) or none, and refuses every
// channel.
type SSHServer struct {
	Addr string
	mu   sync.Mutex
	key  ssh.Signer
}

// AcceptKeys and RefuseKeys say whether StartSSHServer's server takes any client key.
const (
	AcceptKeys = true
	RefuseKeys = false
)

// StartSSHServer serves until t ends.
func StartSSHServer(t testing.TB, acceptKeys bool) *SSHServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &SSHServer{Addr: ln.Addr().String()}
	s.ChangeKey(t)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			cfg := &ssh.ServerConfig{PublicKeyCallback: func(ssh.ConnMetadata, ssh.PublicKey) (*ssh.Permissions, error) {
				if acceptKeys {
					return nil, nil
				}
				return nil, errors.New("nobody is authorised here")
			}}
			s.mu.Lock()
			cfg.AddHostKey(s.key)
			s.mu.Unlock()
			go serveSSHConn(conn, cfg)
		}
	}()
	return s
}

// serveSSHConn completes one handshake (or ends when the client stops after the host key) and
// refuses the channels asked for.
func serveSSHConn(conn net.Conn, cfg *ssh.ServerConfig) {
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
}

// ChangeKey gives the server a new ed25519 host key and returns its fingerprint.
func (s *SSHServer) ChangeKey(t testing.TB) string {
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

// HostKey is the host key the server shows now.
func (s *SSHServer) HostKey() ssh.PublicKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.key.PublicKey()
}

// Fingerprint is the SHA256 fingerprint of the host key the server shows now.
func (s *SSHServer) Fingerprint() string { return ssh.FingerprintSHA256(s.HostKey()) }

// KnownHosts is the known_hosts line trusting the server's current host key.
func (s *SSHServer) KnownHosts() string { return providers.KnownHostsLine(s.Addr, s.HostKey()) }

// URL is the server's ssh:// address.
func (s *SSHServer) URL() string { return "ssh://git@" + s.Addr + "/" }
