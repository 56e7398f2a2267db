package providers

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"gitopscfg/config"
)

// isLoopbackHost reports whether host (a hostname or IP, without port) is a loopback address:
// localhost, 127.0.0.0/8 or ::1.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// RequireSafeURL refuses URLs a token must never be sent to: anything but https, except plain http
// to a loopback address. It is called before any request is made.
func RequireSafeURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL: write it as https://host/", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopbackHost(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("refusing plain http to %s: a token is sent only over https (plain http is allowed for loopback addresses only); use https://%s", u.Host, u.Host+u.Path)
	}
	return fmt.Errorf("%q uses scheme %q: use https://", raw, u.Scheme)
}

// Transport is how requests reach one server: a private CA's bundle, the proxy and the client
// certificate (see config.Net). It is comparable: the client pool keeps one client per Transport.
type Transport struct {
	CABundle string
	config.Net
}

// TransportOf is the transport of a credential's settings.
func TransportOf(s config.Settings) Transport { return Transport{CABundle: s.CABundle, Net: s.Net()} }

// Clients hands out one shared keep-alive HTTP client per transport, so every check of a process
// reuses connections. The zero value is not usable; use newClients.
type Clients struct {
	userAgent string
	env       envProxy
	mu        sync.Mutex
	byCA      map[poolKey]*pooled
}

// poolKey is a transport and, for a client certificate kept in place, its files' contents as
// read at this use: a renewal on disk makes a new client (see clientcert_file.go).
type poolKey struct {
	t     Transport
	files filesKey
}

// pooled is one transport's client for the APIs, and its round tripper for Git.
type pooled struct {
	api  *http.Client
	git  http.RoundTripper
	conn *http.Transport
}

// newClients returns a client pool whose requests carry User-Agent: gitopscfg/<version>, and go
// through the environment's proxy (read now) where a credential sets none.
func newClients(version string) *Clients {
	return &Clients{userAgent: "gitopscfg/" + version, env: proxyFromEnvironment(), byCA: map[poolKey]*pooled{}}
}

// UserAgent is the User-Agent header value every request carries.
func (c *Clients) UserAgent() string { return c.userAgent }

// For returns the client that trusts the system roots plus the PEM certificates in caBundle (if
// any), through the environment's proxy.
func (c *Clients) For(caBundle string) (*http.Client, error) {
	return c.ForTransport(Transport{CABundle: caBundle})
}

// ForTransport returns the client of transport t: its CA bundle, proxy and client certificate.
func (c *Clients) ForTransport(t Transport) (*http.Client, error) {
	p, err := c.pooled(t)
	if err != nil {
		return nil, err
	}
	return p.api, nil
}

// gitTransport is t's round tripper for Git over HTTP (go-git), without the API's answer limit.
func (c *Clients) gitTransport(t Transport) (http.RoundTripper, error) {
	p, err := c.pooled(t)
	if err != nil {
		return nil, err
	}
	return p.git, nil
}

// Proxy is the proxy a request to target (a URL) goes through with transport t, as
// scheme://host:port without credentials; "" when it goes directly.
func (c *Clients) Proxy(t Transport, target string) string { return proxyOf(t, c.env, target) }

// ProxyOf is Clients.Proxy with the environment as it is now.
func ProxyOf(t Transport, target string) string { return proxyOf(t, proxyFromEnvironment(), target) }

func proxyOf(t Transport, env envProxy, target string) string {
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return ""
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80"}[u.Scheme]
		if port == "" {
			port = "443"
		}
	}
	p, err := chooseProxy(t, env, net.JoinHostPort(u.Hostname(), port))
	if err != nil || p == nil {
		return ""
	}
	return p.URL.Scheme + "://" + p.URL.Host
}

func (c *Clients) pooled(t Transport) (*pooled, error) {
	cert, key, err := ClientPEM(t.Net) // the files kept in place, read at each use
	if err != nil {
		return nil, err
	}
	k := poolKey{t: t}
	if t.InPlace() {
		k.files = filesKeyOf(cert, key)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.byCA[k]; ok {
		return p, nil
	}
	p, err := c.newPooled(t, cert, key)
	if err != nil {
		return nil, err
	}
	for old, op := range c.byCA {
		if old.t == t { // the files were renewed: the old certificate's connections go
			op.conn.CloseIdleConnections()
			delete(c.byCA, old)
		}
	}
	c.byCA[k] = p
	return p, nil
}

// newPooled builds transport t's client, with the client certificate's PEMs read for it.
func (c *Clients) newPooled(t Transport, cert, key string) (*pooled, error) {
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if t.CABundle != "" {
		pool, err := loadCABundle(t.CABundle)
		if err != nil {
			return nil, err
		}
		tlsConf.RootCAs = pool
	}
	if t.Proxy != "" {
		if _, err := ProxyURL(t.Proxy); err != nil {
			return nil, err
		}
	}
	proxyTLS := tlsConf.Clone() // the client certificate is for the server, not for an https proxy
	mtls, err := withClientCert(tlsConf, t.Net, cert, key)
	if err != nil {
		return nil, err
	}
	dial := &tunnelDialer{t: t, env: c.env, proxyTLS: proxyTLS,
		dialer: &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}}
	tr := &http.Transport{
		DialContext:           dial.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		TLSClientConfig:       tlsConf,
	}
	front := mtls.transport(tr)
	hc := &http.Client{
		Transport: userAgentTransport{ua: c.userAgent, next: limitTransport{next: front, limit: MaxAnswerBytes}},
		// A redirect would carry the Authorization header to wherever it points; never follow one
		// off the API host, and report it instead.
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return http.ErrUseLastResponse
			}
			if req.URL.Host != via[0].URL.Host || (via[0].URL.Scheme == "https" && req.URL.Scheme != "https") {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
	return &pooled{api: hc, git: front, conn: tr}, nil
}

// loadCABundle returns the system roots plus the certificates of the PEM file at path (read by
// ReadCABundle).
func loadCABundle(path string) (*x509.CertPool, error) {
	pem, err := ReadCABundle(path)
	if err != nil {
		return nil, err
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("the CA bundle %s holds no PEM certificate", path)
	}
	return pool, nil
}

type userAgentTransport struct {
	ua   string
	next http.RoundTripper
}

func (t userAgentTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("User-Agent", t.ua)
	return t.next.RoundTrip(req)
}
