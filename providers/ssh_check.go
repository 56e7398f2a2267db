package providers

import (
	"context"
	"fmt"
	"net"
	"time"

	"golang.org/x/crypto/ssh"
)

// CheckSSH is the id of the live check of an SSH key: the server shows the trusted host key and
// accepts the key.
const CheckSSH = "ssh"

// checkSSHKey adds the ssh check for a credential whose transport is SSH: a handshake with the
// key against the trusted host key (nothing is run on the server).
func (s *session) checkSSHKey(ctx context.Context) {
	c := s.Creds
	signer, err := ParseSSHKey(c.SSHKey)
	if err == nil {
		err = CheckSSHKeyFor(c.Provider, c.SSHKey)
	}
	if err != nil {
		s.Add(CheckSSH, Fail, err.Error())
		return
	}
	user, hostport, err := SSHAddress(c)
	if err != nil {
		s.Add(CheckSSH, Fail, err.Error())
		return
	}
	cb, algos, err := hostKeyCheck(c)
	if err != nil {
		s.Add(CheckSSH, Fail, err.Error())
		return
	}
	cfg := &ssh.ClientConfig{User: user, Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)}, HostKeyCallback: cb, HostKeyAlgorithms: algos,
		Timeout: 10 * time.Second}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", hostport)
	if err != nil {
		s.Add(CheckSSH, Fail, "cannot reach the SSH server: "+describeOr(err, hostport))
		return
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	cc, chans, reqs, err := ssh.NewClientConn(conn, hostport, cfg)
	if err != nil {
		msg, _ := sshError(err, c, hostport, user, "authenticating")
		if msg == "" {
			msg = "the SSH handshake with " + hostport + " failed: " + firstLine(err.Error())
		}
		s.Add(CheckSSH, Fail, msg)
		return
	}
	_ = ssh.NewClient(cc, chans, reqs).Close()
	_, key, _ := TrustedHostKey(c)
	s.Add(CheckSSH, Pass, fmt.Sprintf("%s accepted the SSH key as %q (host key %s, as trusted)", hostport, user, Fingerprint(key)))
}

func describeOr(err error, host string) string {
	if msg := DescribeNetworkError(err, host); msg != "" {
		return msg
	}
	return err.Error()
}
