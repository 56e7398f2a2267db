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

// Clients hands out one shared keep-alive HTTP client per CA bundle, so every check of a process
// reuses connections. The zero value is not usable; use newClients.
type Clients struct {
	userAgent string
	mu        sync.Mutex
	byCA      map[string]*http.Client
}

// newClients returns a client pool whose requests carry User-Agent: gitopscfg/<version>.
func newClients(version string) *Clients {
	return &Clients{userAgent: "gitopscfg/" + version, byCA: map[string]*http.Client{}}
}

// UserAgent is the User-Agent header value every request carries.
func (c *Clients) UserAgent() string { return c.userAgent }

// For returns the client that trusts the system roots plus the PEM certificates in caBundle (if any).
func (c *Clients) For(caBundle string) (*http.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if hc, ok := c.byCA[caBundle]; ok {
		return hc, nil
	}
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if caBundle != "" {
		pool, err := loadCABundle(caBundle)
		if err != nil {
			return nil, err
		}
		tlsConf.RootCAs = pool
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		TLSClientConfig:       tlsConf,
	}
	hc := &http.Client{
		Transport: userAgentTransport{ua: c.userAgent, next: limitTransport{next: tr, limit: MaxAnswerBytes}},
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
	c.byCA[caBundle] = hc
	return hc, nil
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
