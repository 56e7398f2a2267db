package providers

import (
	"fmt"
	"net/http"
	"strings"

	"gitopscfg/config/safe"
)

// ProxyFailure says what went wrong at a proxy.
type ProxyFailure int

// The ways a proxy fails a request.
const (
	// ProxyUnreachable: the proxy itself could not be reached (or its TLS failed).
	ProxyUnreachable ProxyFailure = iota
	// ProxyWantsCredentials: 407 to a request without credentials.
	ProxyWantsCredentials
	// ProxyRefusedCredentials: 407 (or 401, as tinyproxy answers) to the credentials given.
	ProxyRefusedCredentials
	// ProxyHostUnreachable: the proxy could not connect to the host (500, 502, 503, 504).
	ProxyHostUnreachable
	// ProxyDNS: the proxy could not resolve the host.
	ProxyDNS
	// ProxyRefusedTunnel: the proxy refused to open the tunnel (403, 405, …).
	ProxyRefusedTunnel
)

// ProxyError is a failure at a proxy: which proxy (host:port, never its credentials), where it
// was set, the host the tunnel was for, and the proxy's answer or the error reaching it.
type ProxyError struct {
	Kind   ProxyFailure
	Proxy  string
	Source string
	Target string
	// Status is the proxy's answer to CONNECT ("407 Proxy Authentication Required"), "" when it
	// gave none.
	Status string
	// User is the proxy username sent, "" when none.
	User string
	Err  error
}

func (e *ProxyError) Unwrap() error { return e.Err }

func (e *ProxyError) Error() string {
	p, answer := e.Proxy, safe.Text(e.Status)
	switch e.Kind {
	case ProxyWantsCredentials:
		return fmt.Sprintf("the proxy %s wants credentials (%s): set its username (--proxy-username) and password (GITOPSCFG_PROXY_PASSWORD, "+
			"or the prompt), or Proxy username and password under Advanced", p, answer)
	case ProxyRefusedCredentials:
		return fmt.Sprintf("the proxy %s refused the credentials of %s (%s): check the proxy username and password", p, safe.Text(e.User), answer)
	case ProxyHostUnreachable:
		return fmt.Sprintf("the proxy %s could not reach %s (%s): check the host address and port, or ask whoever runs the proxy whether it may connect there", p, e.Target, answer)
	case ProxyDNS:
		return fmt.Sprintf("the proxy %s could not resolve the host of %s (DNS failed at the proxy: %s): check the host name", p, e.Target, answer)
	case ProxyRefusedTunnel:
		return fmt.Sprintf("the proxy %s refused to open a tunnel (CONNECT) to %s (%s): ask whoever runs the proxy to allow CONNECT to that host and port", p, e.Target, answer)
	}
	why := "no answer"
	if e.Err != nil {
		why = rootCause(e.Err)
	}
	return fmt.Sprintf("cannot reach the proxy %s (%s; %s): check its address, or set no proxy for this host (--no-proxy)", p, why, e.Source)
}

// proxyAnswerError reads a proxy's refusal to CONNECT: what failed, from its status, headers
// and page.
func proxyAnswerError(p *proxyChoice, addr string, a *connectAnswer) error {
	e := &ProxyError{Proxy: p.Display(), Source: p.Source, Target: addr, Status: a.Status}
	if u := p.URL.User; u != nil {
		e.User = u.Username()
	}
	switch code := a.StatusCode; {
	case (code == http.StatusProxyAuthRequired || code == http.StatusUnauthorized) && e.User != "":
		e.Kind = ProxyRefusedCredentials
	case code == http.StatusProxyAuthRequired || code == http.StatusUnauthorized:
		e.Kind = ProxyWantsCredentials
	case dnsAnswer(a):
		e.Kind = ProxyDNS
	case code >= 500:
		e.Kind = ProxyHostUnreachable
	default:
		e.Kind = ProxyRefusedTunnel
	}
	return e
}

// dnsAnswer reports whether a proxy's error page says the host could not be resolved (Squid's
// X-Squid-Error: ERR_DNS_FAIL, Privoxy's "No such domain", resolver messages).
func dnsAnswer(a *connectAnswer) bool {
	if strings.Contains(strings.ToUpper(a.Header.Get("X-Squid-Error")), "DNS") {
		return true
	}
	text := strings.ToLower(a.Status + " " + a.Body)
	for _, w := range []string{"dns", "no such domain", "name or service not known", "could not resolve", "unable to resolve",
		"cannot resolve", "unknown host", "name resolution", "nxdomain"} {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}
