package kit

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// CA is a certificate authority made by a test (never a committed key): it issues server and
// client certificates.
type CA struct {
	Cert *x509.Certificate
	key  *ecdsa.PrivateKey
	// PEM is its certificate.
	PEM string
}

// NewCA makes a CA named cn, valid from an hour ago for a year.
func NewCA(t testing.TB, cn string) *CA {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{SerialNumber: serial(t), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &CA{Cert: cert, key: key, PEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))}
}

// File writes the CA's certificate to a file of t's and returns its path (a CA bundle).
func (ca *CA) File(t testing.TB) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(p, []byte(ca.PEM), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Pool is a pool holding the CA alone.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// Issued is a certificate and its key, PEM.
type Issued struct {
	CertPEM, KeyPEM string
}

// TLS is the pair for a tls.Config.
func (i Issued) TLS(t testing.TB) tls.Certificate {
	t.Helper()
	c, err := tls.X509KeyPair([]byte(i.CertPEM), []byte(i.KeyPEM))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Client issues a client certificate for cn, valid from notBefore to notAfter.
func (ca *CA) Client(t testing.TB, cn string, notBefore, notAfter time.Time) Issued {
	t.Helper()
	return ca.issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: cn}, NotBefore: notBefore, NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
}

// Server issues a server certificate for 127.0.0.1 and localhost, valid for a year.
func (ca *CA) Server(t testing.TB) Issued {
	t.Helper()
	return ca.issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "127.0.0.1"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(365 * 24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"}})
}

// ServerFor issues a server certificate for name (an IP address or a DNS name), valid from
// notBefore to notAfter: an expired one, one not valid yet, one for another host.
func (ca *CA) ServerFor(t testing.TB, name string, notBefore, notAfter time.Time) Issued {
	t.Helper()
	tmpl := &x509.Certificate{Subject: pkix.Name{CommonName: name}, NotBefore: notBefore, NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	if ip := net.ParseIP(name); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{name}
	}
	return ca.issue(t, tmpl)
}

func (ca *CA) issue(t testing.TB, tmpl *x509.Certificate) Issued {
	t.Helper()
	key := newKey(t)
	tmpl.SerialNumber = serial(t)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return Issued{CertPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		KeyPEM: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}))}
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func serial(t testing.TB) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// MTLSServer serves h over TLS with a server certificate of serverCA, demanding a client
// certificate that clientCA signed; it stops when t ends.
func MTLSServer(t testing.TB, h http.Handler, serverCA, clientCA *CA) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{serverCA.Server(t).TLS(t)}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: clientCA.Pool()}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// WriteFiles writes the certificate and key to files of t's and returns their paths.
func (i Issued) WriteFiles(t testing.TB) (cert, key string) {
	t.Helper()
	dir := t.TempDir()
	cert, key = filepath.Join(dir, "client.crt"), filepath.Join(dir, "client.key")
	for p, b := range map[string]string{cert: i.CertPEM, key: i.KeyPEM} {
		if err := os.WriteFile(p, []byte(b), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return cert, key
}

// CertParts splits the PEM of a certificate and its key into the key's block and the
// certificate's SHA-1 thumbprint in upper-case hex (as the Azure portal shows it), computed from
// the DER bytes.
func CertParts(t testing.TB, pemText string) (keyPEM, thumbprint string) {
	t.Helper()
	for rest := []byte(pemText); ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		switch {
		case b.Type == "CERTIFICATE" && thumbprint == "":
			sum := sha1.Sum(b.Bytes)
			thumbprint = strings.ToUpper(hex.EncodeToString(sum[:]))
		case strings.HasSuffix(b.Type, "PRIVATE KEY"):
			keyPEM = string(pem.EncodeToMemory(b))
		}
	}
	if keyPEM == "" || thumbprint == "" {
		t.Fatal("the test certificate has no key or no certificate")
	}
	return keyPEM, thumbprint
}
