package kit

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// Proxy is a forward proxy for one test: it answers CONNECT by opening the tunnel, or with the
// canned answer Refuse gives, and keeps every request head it read (the request line and its
// headers), so a test can assert what a proxy sees.
type Proxy struct {
	// Addr is its loopback address, host:port.
	Addr string
	// Refuse, when it returns a status, answers CONNECT with it (and the header and body).
	Refuse func(r *http.Request) (status int, header http.Header, body string)
	// Hosts maps a CONNECT target (host:port) to the address the proxy dials instead: a host
	// name only the proxy can reach, as behind a corporate proxy. Set it before the first request.
	Hosts map[string]string

	ln     net.Listener
	mu     sync.Mutex
	heads  []string
	conns  []net.Conn
	scheme string
	// clientCerts counts the TLS handshakes in which the client sent a certificate (a TLS proxy
	// asks for one, and must never be given the one meant for the Git server).
	clientCerts int
}

// StartProxy starts a Proxy on a free loopback port, stopped when t ends.
func StartProxy(t testing.TB) *Proxy { return startProxy(t, nil) }

// StartTLSProxy starts a Proxy spoken to over TLS, with a server certificate of ca.
func StartTLSProxy(t testing.TB, ca *CA) *Proxy {
	t.Helper()
	p := startProxy(t, &tls.Config{Certificates: []tls.Certificate{ca.Server(t).TLS(t)}, ClientAuth: tls.RequestClientCert})
	p.scheme = "https"
	return p
}

func startProxy(t testing.TB, conf *tls.Config) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if conf != nil {
		ln = tls.NewListener(ln, conf)
	}
	p := &Proxy{Addr: ln.Addr().String(), ln: ln, scheme: "http"}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		_ = ln.Close()
		p.mu.Lock()
		for _, c := range p.conns {
			_ = c.Close()
		}
		p.mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			p.conns = append(p.conns, c)
			p.mu.Unlock()
			wg.Go(func() { p.serve(c) })
		}
	})
	return p
}

// URL is the proxy's address as http://host:port (https:// for a TLS proxy).
func (p *Proxy) URL() string { return p.scheme + "://" + p.Addr }

// ClientCerts is how many clients of a TLS proxy sent a client certificate when it asked.
func (p *Proxy) ClientCerts() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.clientCerts
}

// Heads are the request heads the proxy read, in order.
func (p *Proxy) Heads() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.heads...)
}

func (p *Proxy) serve(c net.Conn) {
	defer func() { _ = c.Close() }()
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	if tc, ok := c.(*tls.Conn); ok && len(tc.ConnectionState().PeerCertificates) > 0 {
		p.mu.Lock()
		p.clientCerts++
		p.mu.Unlock()
	}
	var head strings.Builder
	head.WriteString(req.Method + " " + req.RequestURI + " " + req.Proto + "\n")
	_ = req.Header.Write(&head)
	p.mu.Lock()
	p.heads = append(p.heads, head.String())
	p.mu.Unlock()
	if req.Method != http.MethodConnect {
		_, _ = io.WriteString(c, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
		return
	}
	if p.Refuse != nil {
		if status, h, body := p.Refuse(req); status != 0 {
			resp := &http.Response{StatusCode: status, ProtoMajor: 1, ProtoMinor: 1, Header: h,
				Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body))}
			if resp.Header == nil {
				resp.Header = http.Header{}
			}
			_ = resp.Write(c)
			return
		}
	}
	target := req.Host
	if a, ok := p.Hosts[target]; ok {
		target = a
	}
	up, err := net.Dial("tcp", target)
	if err != nil {
		_, _ = io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
		return
	}
	defer func() { _ = up.Close() }()
	_, _ = io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, br); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, up); done <- struct{}{} }()
	<-done
}

// Close stops the proxy listening (its tunnels end when the test does).
func (p *Proxy) Close() { _ = p.ln.Close() }
