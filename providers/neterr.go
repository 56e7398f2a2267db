package providers

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// DescribeNetworkError turns a transport error into a sentence naming the host and what to do, or
// returns "" when err is not a network failure (e.g. an HTTP status error from a client library).
func DescribeNetworkError(err error, host string) string {
	if err == nil {
		return ""
	}
	var (
		dnsErr   *net.DNSError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
		opErr    *net.OpError
		urlErr   *url.Error
		tooLarge *AnswerTooLargeError
		proxyErr *ProxyError
		certErr  *ClientCertError
	)
	switch {
	case errors.As(err, &proxyErr):
		return proxyErr.Error()
	case errors.As(err, &certErr):
		return certErr.Error()
	case errors.As(err, &tooLarge):
		return tooLarge.Error()
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return fmt.Sprintf("%s did not answer in time (timeout): check the address and your network, or raise --timeout", host)
	case errors.Is(err, context.Canceled):
		return fmt.Sprintf("the request to %s was cancelled", host)
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("cannot resolve %s (unknown host): check the Git host address", host)
	case errors.As(err, &hostname):
		return describeHostnameMismatch(hostname, host)
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return describeExpired(invalid, host, time.Now())
	case errors.As(err, &unknown), errors.As(err, &verify) && len(verify.UnverifiedCertificates) > 0 && !errors.As(err, &invalid):
		return fmt.Sprintf("the TLS certificate of %s is not signed by a trusted authority: if the server uses a private CA, set the provider's CA bundle option (--ca-bundle, or CA bundle under Advanced) to its PEM file", host)
	case errors.As(err, &invalid):
		return fmt.Sprintf("the TLS certificate of %s is invalid (%s): check the server, or set the CA bundle option if it uses a private CA", host, invalid.Error())
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("connection to %s refused: nothing listens there; check the Git host address and port", host)
	case errors.Is(err, syscall.ECONNRESET):
		return fmt.Sprintf("the connection to %s was reset: a proxy or firewall may be in the way; try again", host)
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return fmt.Sprintf("%s is unreachable from here: check your network or proxy", host)
	case errors.As(err, &opErr), errors.As(err, &urlErr):
		return fmt.Sprintf("cannot reach %s: %s", host, rootCause(err))
	}
	return ""
}

// describeHostnameMismatch names a certificate issued for other names than the host: a wrong
// address or a misconfigured server, not a missing CA.
func describeHostnameMismatch(e x509.HostnameError, host string) string {
	var names []string
	if c := e.Certificate; c != nil {
		names = append(names, c.DNSNames...)
		for _, ip := range c.IPAddresses {
			names = append(names, ip.String())
		}
		if len(names) == 0 && c.Subject.CommonName != "" {
			names = append(names, c.Subject.CommonName)
		}
	}
	const most = 5
	valid := "no host name"
	if len(names) > 0 {
		more := ""
		if len(names) > most {
			more = fmt.Sprintf(" and %d more", len(names)-most)
			names = names[:most]
		}
		valid = strings.Join(names, ", ") + more
	}
	return fmt.Sprintf("the TLS certificate of %s does not match the host name: it is for %s, not for %s; check the Git host address "+
		"(a CA bundle does not help with a host-name mismatch)", host, valid, e.Host)
}

// describeExpired says which certificate expired, and when; or that it is not valid yet.
func describeExpired(e x509.CertificateInvalidError, host string, now time.Time) string {
	c := e.Cert
	if c == nil {
		return fmt.Sprintf("the TLS certificate of %s has expired or is not yet valid (%s): the server's certificate must be renewed, or this machine's clock is wrong", host, e.Detail)
	}
	which := "the TLS certificate of " + host
	if c.IsCA {
		which = fmt.Sprintf("the certificate of the CA %q that signed the certificate of %s", c.Subject.CommonName, host)
	}
	const layout = "2006-01-02 15:04 UTC"
	if now.Before(c.NotBefore) {
		return fmt.Sprintf("%s is not valid before %s (this machine's clock says %s): check the clock here, or the server's certificate",
			which, c.NotBefore.UTC().Format(layout), now.UTC().Format(layout))
	}
	return fmt.Sprintf("%s expired on %s (%s ago): the server's certificate must be renewed (or this machine's clock, %s, is wrong)",
		which, c.NotAfter.UTC().Format(layout), agoText(now.Sub(c.NotAfter)), now.UTC().Format(layout))
}

func agoText(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d/time.Hour))
	case d >= 2*time.Minute:
		return fmt.Sprintf("%d minutes", int(d/time.Minute))
	}
	return "moments"
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

func rootCause(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}
