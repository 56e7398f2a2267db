package providers

import (
	"bytes"
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"gitopscfg/config"
)

// CheckClientCert is the check id of the client certificate's validity and expiry.
const CheckClientCert = "client-cert"

// ParseClientCert reads a PEM client certificate (its chain may follow) and its PEM key, and
// checks that the key is the certificate's. Errors never hold the key.
func ParseClientCert(certPEM, keyPEM string) (tls.Certificate, *x509.Certificate, error) {
	leaf, err := LeafCert(certPEM)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	if strings.TrimSpace(keyPEM) == "" {
		return tls.Certificate{}, nil, fmt.Errorf("the client certificate %s has no key: give its key with --client-key FILE", CertName(leaf))
	}
	if b, _ := pem.Decode([]byte(keyPEM)); b == nil || !strings.Contains(b.Type, "PRIVATE KEY") {
		return tls.Certificate{}, nil, errors.New("the client key is not a PEM private key (-----BEGIN PRIVATE KEY-----)")
	}
	pair, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
	if err != nil {
		if strings.Contains(err.Error(), "does not match") {
			return tls.Certificate{}, nil, fmt.Errorf("the client key does not match the client certificate %s: give the key the certificate was made for", CertName(leaf))
		}
		return tls.Certificate{}, nil, fmt.Errorf("the client key cannot be read (%s): give a PEM private key (PKCS#1, PKCS#8 or EC)", keyProblem(err))
	}
	pair.Leaf = leaf
	return pair, leaf, nil
}

// keyProblem is what tls said of a key, without any of its bytes.
func keyProblem(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "tls: "); i >= 0 {
		msg = msg[i+len("tls: "):]
	}
	if len(msg) > 120 {
		msg = msg[:120]
	}
	return msg
}

// LeafCert reads the first certificate of a PEM client certificate.
func LeafCert(certPEM string) (*x509.Certificate, error) {
	rest := []byte(certPEM)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil, errors.New("the client certificate holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
		}
		if b.Type == "CERTIFICATE" {
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("the client certificate cannot be read: %v", err)
			}
			return c, nil
		}
	}
}

// CertName names a certificate for messages: its subject.
func CertName(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return "CN=" + c.Subject.CommonName
	}
	return c.Subject.String()
}

// IssuerName names a certificate's issuer.
func IssuerName(c *x509.Certificate) string {
	if c.Issuer.CommonName != "" {
		return "CN=" + c.Issuer.CommonName
	}
	return c.Issuer.String()
}

// clientCert is a transport's client certificate (none when pair is nil) and what the last
// handshake learned: whether the server asked for one, and whether the one sent was outside the
// CAs the server named.
type clientCert struct {
	pair *tls.Certificate
	leaf *x509.Certificate
	// renew is what to do about an expired certificate (where it is kept).
	renew string

	mu         sync.Mutex
	asked      bool
	outsideCAs bool
}

// withClientCert makes conf send n's client certificate (its PEMs as read now: cert and key)
// whenever a server asks, even one whose issuer the server does not name among its acceptable
// CAs (Go's own choice would then send nothing, and the refusal would look like a missing
// certificate).
func withClientCert(conf *tls.Config, n config.Net, cert, key string) (*clientCert, error) {
	cc := &clientCert{renew: renewHint(n)}
	if n.HasClientCert() {
		pair, leaf, err := parseNetPEM(n, cert, key)
		if err != nil {
			return nil, err
		}
		cc.pair, cc.leaf = &pair, leaf
	}
	conf.GetClientCertificate = cc.get
	return cc, nil
}

func (cc *clientCert) get(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.asked = true
	if cc.pair == nil {
		return &tls.Certificate{}, nil
	}
	cc.outsideCAs = false
	if len(cri.AcceptableCAs) > 0 {
		cc.outsideCAs = true
		for _, ca := range cri.AcceptableCAs {
			if bytes.Equal(ca, cc.leaf.RawIssuer) {
				cc.outsideCAs = false
			}
		}
	}
	return cc.pair, nil
}

// transport wraps next so that a server's refusal of the client certificate, as a TLS alert or
// as nginx's HTTP 400 page, becomes a ClientCertError.
func (cc *clientCert) transport(next http.RoundTripper) http.RoundTripper {
	return certTransport{next: next, cc: cc}
}

type certTransport struct {
	next http.RoundTripper
	cc   *clientCert
}

func (t certTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		if kind, ok := tlsCertAlert(err); ok {
			return nil, t.cc.failure(kind, req.URL.Host, err)
		}
		return nil, err
	}
	if resp.StatusCode != http.StatusBadRequest {
		return resp, nil
	}
	head := make([]byte, 2048)
	n, _ := io.ReadFull(resp.Body, head)
	head = head[:n]
	resp.Body = readCloser{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
	switch {
	case bytes.Contains(head, []byte("No required SSL certificate was sent")):
		_ = resp.Body.Close()
		return nil, t.cc.failure(certNone, req.URL.Host, nil)
	case bytes.Contains(head, []byte("The SSL certificate error")):
		_ = resp.Body.Close()
		return nil, t.cc.failure(certRefused, req.URL.Host, nil)
	}
	return resp, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// tlsCertAlert reads a TLS alert the server sent about the client certificate.
func tlsCertAlert(err error) (certFailure, bool) {
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "remote error" {
		return 0, false
	}
	msg := op.Err.Error()
	switch {
	case strings.Contains(msg, "certificate required"):
		return certNone, true
	case strings.Contains(msg, "expired certificate"), strings.Contains(msg, "certificate expired"):
		return certRefused, true
	case strings.Contains(msg, "bad certificate"), strings.Contains(msg, "unknown certificate authority"),
		strings.Contains(msg, "unsupported certificate"), strings.Contains(msg, "certificate revoked"),
		strings.Contains(msg, "access denied"):
		return certRefused, true
	}
	return 0, false
}

type certFailure int

const (
	certNone certFailure = iota + 1
	certRefused
)

// failure describes the server's refusal with what the last handshake learned.
func (cc *clientCert) failure(kind certFailure, host string, err error) error {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	e := &ClientCertError{Host: host, None: kind == certNone, OutsideCAs: cc.outsideCAs, Err: err, Renew: cc.renew}
	if cc.leaf != nil {
		e.Subject, e.Issuer, e.NotAfter = CertName(cc.leaf), IssuerName(cc.leaf), cc.leaf.NotAfter
		e.Set = true
	}
	return e
}

// ClientCertError is a server's refusal of the client certificate (or of its absence).
type ClientCertError struct {
	Host string
	// None: the server says no certificate was sent. Set: one is set (Subject, Issuer, NotAfter).
	None, Set bool
	// OutsideCAs: the certificate was sent although the server did not name its issuer among
	// the CAs it accepts.
	OutsideCAs      bool
	Subject, Issuer string
	NotAfter        time.Time
	// Renew is what to do about an expired certificate ("": set it again).
	Renew string
	Err   error
}

func (e *ClientCertError) Unwrap() error { return e.Err }

func (e *ClientCertError) Error() string {
	switch {
	case !e.Set:
		return fmt.Sprintf("%s asks for a client certificate and none is set: set one with --client-cert FILE --client-key FILE (Client certificate under Advanced)", e.Host)
	case time.Now().After(e.NotAfter):
		return fmt.Sprintf("%s refused the client certificate %s: it expired on %s (%s ago); %s",
			e.Host, e.Subject, e.NotAfter.UTC().Format("2006-01-02 15:04 UTC"), agoText(time.Since(e.NotAfter)),
			cmp.Or(e.Renew, renewStored))
	}
	msg := fmt.Sprintf("%s refused the client certificate %s issued by %s", e.Host, e.Subject, e.Issuer)
	if e.None {
		msg = fmt.Sprintf("%s says it received no client certificate, though %s issued by %s is set", e.Host, e.Subject, e.Issuer)
	}
	if e.OutsideCAs {
		msg += " (it was sent although the server does not name " + e.Issuer + " among the CAs it accepts)"
	}
	return msg + ": use a certificate issued by a CA the server trusts"
}

// CertExpiryWarn is how long before its expiry a client certificate's check warns.
const CertExpiryWarn = 14 * 24 * time.Hour

// addClientCertCheck adds the client certificate's own check: it can be read and its key is
// its own, and when it expires (a failure once expired, a warning within CertExpiryWarn).
func addClientCertCheck(r *Result, s config.Settings, now time.Time) {
	r.Checks = append(r.Checks, ClientCertCheck(s.Net(), now))
}

// ClientCertCheck is the check of n's client certificate (set): it can be read, its key is its
// own, and when it expires. A certificate kept in place is read from its files now.
func ClientCertCheck(n config.Net, now time.Time) Check {
	_, leaf, err := LoadClientCert(n)
	if err != nil {
		return Check{ID: CheckClientCert, Status: Fail, Message: err.Error()}
	}
	exp := leaf.NotAfter.UTC()
	st, msg := ClientCertExpiry(n, leaf, now)
	if n.InPlace() && st != Fail {
		msg += " (read from " + n.ClientCertPath + ")"
	}
	return Check{ID: CheckClientCert, Status: st, Message: msg, ExpiresAt: &exp}
}

// renewStored is what to do about an expired client certificate kept in the store.
const renewStored = "renew it and set it again with --client-cert and --client-key"

// certExpiry says when the client certificate leaf expires, as of now: the status of its check
// and the sentence, with renew, what to do about an expired certificate.
func certExpiry(leaf *x509.Certificate, now time.Time, renew string) (Status, string) {
	const layout = "2006-01-02 15:04 UTC"
	who := fmt.Sprintf("the client certificate %s (issued by %s)", CertName(leaf), IssuerName(leaf))
	left := leaf.NotAfter.Sub(now)
	switch {
	case left <= 0:
		return Fail, fmt.Sprintf("%s expired on %s (%s ago): %s", who, leaf.NotAfter.UTC().Format(layout), agoText(-left), renew)
	case now.Before(leaf.NotBefore):
		return Fail, fmt.Sprintf("%s is not valid before %s: check this machine's clock, or the certificate", who, leaf.NotBefore.UTC().Format(layout))
	case left < CertExpiryWarn:
		return Warn, fmt.Sprintf("%s expires on %s (in %s): renew it soon", who, leaf.NotAfter.UTC().Format(layout), agoText(left))
	}
	return Pass, fmt.Sprintf("%s is valid until %s", who, leaf.NotAfter.UTC().Format(layout))
}
