package providers

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/http/httpproxy"
)

// Every request reaches its server through a CONNECT tunnel when a proxy serves its host, for
// https and for plain http alike (plain http goes only to loopback addresses): the proxy sees
// the host and port, never a request line, a header or a token. The tunnel is dialled here
// rather than by net/http so that the proxy's answer to CONNECT is read in full (net/http keeps
// only its status text) and every failure can say what failed.

// envProxy chooses the environment's proxy for an https URL (HTTPS_PROXY, NO_PROXY, as Go and
// Git read them; loopback hosts never go through it). It is read once per client pool.
type envProxy func(*url.URL) (*url.URL, error)

func proxyFromEnvironment() envProxy { return httpproxy.FromEnvironment().ProxyFunc() }

// proxyChoice is the proxy a request to addr goes through, nil for none.
type proxyChoice struct {
	URL *url.URL // with the proxy's credentials, when it has some
	// Source names where it was set: "the credential's proxy" or "HTTPS_PROXY".
	Source string
}

// Display is the proxy's address for messages: host:port, never its credentials.
func (p *proxyChoice) Display() string { return p.URL.Host }

// chooseProxy picks the proxy for a request to addr (host:port): the transport's own proxy unless
// its no-proxy list names the host, else the environment's.
func chooseProxy(t Transport, env envProxy, addr string) (*proxyChoice, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = addr, ""
	}
	if t.Proxy != "" {
		if noProxyMatch(t.NoProxy, host, port) {
			return nil, nil
		}
		u, err := ProxyURL(t.Proxy)
		if err != nil {
			return nil, err
		}
		if t.ProxyUsername != "" {
			u.User = url.UserPassword(t.ProxyUsername, t.ProxyPassword)
		}
		return &proxyChoice{URL: u, Source: "the proxy set for these credentials"}, nil
	}
	if env == nil {
		return nil, nil
	}
	u, err := env(&url.URL{Scheme: "https", Host: addr})
	if err != nil || u == nil {
		return nil, err
	}
	return &proxyChoice{URL: u, Source: "the proxy of the environment (HTTPS_PROXY)"}, nil
}

// ProxyURL parses a proxy's address: http://host:port or https://host:port (a bare host:port
// means http://), with a port (default 80 or 443).
func ProxyURL(raw string) (*url.URL, error) {
	s := strings.TrimSpace(raw)
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Hostname() == "" {
		return nil, errors.New("the proxy is not an address: write it as http://host:port")
	}
	switch u.Scheme {
	case "http", "https":
	default:
		return nil, fmt.Errorf("the proxy %s uses scheme %q: only http:// and https:// proxies are supported", u.Host, u.Scheme)
	}
	if u.Port() == "" {
		u.Host = net.JoinHostPort(u.Hostname(), map[string]string{"http": "80", "https": "443"}[u.Scheme])
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host, User: u.User}, nil
}

// noProxyMatch reports whether list (NO_PROXY's syntax: comma-separated host names, .domain
// suffixes, IP addresses, CIDR blocks, host:port, or *) names host (and port). Unlike Go's reading
// of NO_PROXY, a proxy set for the credentials serves loopback hosts too.
func noProxyMatch(list, host, port string) bool {
	host = strings.ToLower(strings.Trim(host, "[]"))
	ip := net.ParseIP(host)
	for _, e := range strings.Split(list, ",") {
		e = strings.ToLower(strings.TrimSpace(e))
		switch {
		case e == "":
			continue
		case e == "*":
			return true
		}
		if _, n, err := net.ParseCIDR(e); err == nil {
			if ip != nil && n.Contains(ip) {
				return true
			}
			continue
		}
		if h, p, err := net.SplitHostPort(e); err == nil {
			if p != port {
				continue
			}
			e = h
		}
		e = strings.Trim(e, "[]")
		if eip := net.ParseIP(e); eip != nil {
			if ip != nil && eip.Equal(ip) {
				return true
			}
			continue
		}
		d := strings.TrimPrefix(strings.TrimPrefix(e, "*"), ".")
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// tunnelDialer dials addr directly, or through a CONNECT tunnel of the proxy chooseProxy picks.
type tunnelDialer struct {
	t      Transport
	env    envProxy
	dialer *net.Dialer
	// proxyTLS is the TLS configuration towards an https proxy (the transport's roots).
	proxyTLS *tls.Config
}

func (d *tunnelDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	p, err := chooseProxy(d.t, d.env, addr)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return d.dialer.DialContext(ctx, network, addr)
	}
	return d.tunnel(ctx, p, addr)
}

// tunnel opens a CONNECT tunnel to addr through p and hands back the connection inside it.
func (d *tunnelDialer) tunnel(ctx context.Context, p *proxyChoice, addr string) (net.Conn, error) {
	fail := func(err error) error {
		return &ProxyError{Proxy: p.Display(), Source: p.Source, Target: addr, Err: err}
	}
	conn, err := d.dialer.DialContext(ctx, "tcp", p.URL.Host)
	if err != nil {
		return nil, fail(err)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	if p.URL.Scheme == "https" {
		conf := d.proxyTLS.Clone()
		conf.ServerName = p.URL.Hostname()
		tc := tls.Client(conn, conf)
		if err := tc.HandshakeContext(ctx); err != nil {
			stop()
			_ = conn.Close()
			return nil, fail(err)
		}
		conn = tc
	}
	req := &http.Request{Method: http.MethodConnect, URL: &url.URL{Opaque: addr}, Host: addr, Header: http.Header{}}
	if u := p.URL.User; u != nil {
		pw, _ := u.Password()
		req.Header.Set("Proxy-Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u.Username()+":"+pw)))
	}
	br := bufio.NewReader(conn)
	resp, err := writeConnect(conn, br, req)
	if err != nil {
		stop()
		_ = conn.Close()
		return nil, fail(ctxErr(ctx, err))
	}
	if resp.StatusCode != http.StatusOK {
		stop()
		_ = conn.Close()
		return nil, proxyAnswerError(p, addr, resp)
	}
	if br.Buffered() > 0 {
		stop()
		_ = conn.Close()
		return nil, fail(fmt.Errorf("the proxy sent data before the tunnel opened"))
	}
	if !stop() {
		_ = conn.Close()
		return nil, fail(ctx.Err())
	}
	_ = conn.SetDeadline(time.Time{})
	return conn, nil
}

// writeConnect sends the CONNECT request and reads the answer's head and at most 4 KiB of its body.
func writeConnect(conn net.Conn, br *bufio.Reader, req *http.Request) (*connectAnswer, error) {
	if err := req.Write(conn); err != nil {
		return nil, err
	}
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return nil, err
	}
	a := &connectAnswer{StatusCode: resp.StatusCode, Status: resp.Status, Header: resp.Header}
	if resp.StatusCode != http.StatusOK {
		buf := make([]byte, 4096)
		n, _ := io.ReadFull(resp.Body, buf)
		a.Body = string(buf[:n])
	}
	return a, nil
}

// connectAnswer is what a proxy answered to CONNECT.
type connectAnswer struct {
	StatusCode int
	Status     string
	Header     http.Header
	Body       string
}

// ctxErr prefers the context's error (a deadline) over the I/O error it caused.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
