package providers

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"syscall"
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
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return fmt.Sprintf("%s did not answer in time (timeout): check the address and your network, or raise --timeout", host)
	case errors.Is(err, context.Canceled):
		return fmt.Sprintf("the request to %s was cancelled", host)
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("cannot resolve %s (unknown host): check the Git host address", host)
	case errors.As(err, &unknown), errors.As(err, &verify) && len(verify.UnverifiedCertificates) > 0 && !errors.As(err, &hostname):
		return fmt.Sprintf("the TLS certificate of %s is not signed by a trusted authority: if the server uses a private CA, set the provider's CA bundle option (--ca-bundle, or CA bundle under Advanced) to its PEM file", host)
	case errors.As(err, &hostname):
		return fmt.Sprintf("the TLS certificate of %s is not valid for that name: check the Git host address, or set the CA bundle option if the server uses a private CA", host)
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
