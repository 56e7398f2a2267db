package providers

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"time"

	"gitopscfg/config"
)

// A client certificate kept in place (config.Net's ClientCertPath and ClientKeyPath) is read
// from its files at each use: every transport asked for, every check, status line, export and
// push, so that a certificate renewed on disk (cert-manager, Vault agent) is the one sent and
// shown next time, and the key never enters the store. Errors name the files, never the key.

// maxClientPEMBytes bounds a client certificate file (with its chain) or key file.
const maxClientPEMBytes = 64 << 10

// ClientPEM returns n's client certificate and key (PEM): the stored ones, or those of the
// files kept in place, read now.
func ClientPEM(n config.Net) (cert, key string, err error) {
	if !n.InPlace() {
		return n.ClientCert, n.ClientKey, nil
	}
	if n.ClientCertPath == "" || n.ClientKeyPath == "" {
		return "", "", fmt.Errorf("the client certificate kept in place lacks its %s path: set both with --client-cert FILE --client-key FILE --client-cert-in-place",
			map[bool]string{true: "certificate's", false: "key's"}[n.ClientCertPath == ""])
	}
	if cert, err = ReadClientFile("client certificate", n.ClientCertPath); err != nil {
		return "", "", err
	}
	if key, err = ReadClientFile("client key", n.ClientKeyPath); err != nil {
		return "", "", err
	}
	return cert, key, nil
}

// ReadClientFile reads the PEM file of a client certificate or key (what names it) at path: a
// regular file of at most 64 KiB. Its errors name the path and say what to do.
func ReadClientFile(what, path string) (string, error) {
	fix := "restore it there (it is read in place at each use), or set another with --client-cert FILE --client-key FILE"
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return "", fmt.Errorf("cannot read the %s %s: %v: %s", what, path, err, fix)
	}
	defer func() { _ = f.Close() }()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return "", fmt.Errorf("the %s %s is not a regular file: %s", what, path, fix)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxClientPEMBytes+1))
	if err != nil {
		return "", fmt.Errorf("cannot read the %s %s: %v: %s", what, path, err, fix)
	}
	if len(b) > maxClientPEMBytes {
		return "", fmt.Errorf("the %s %s is larger than 64 KiB: it should hold the PEM %s alone", what, path, what)
	}
	return string(b), nil
}

// LoadClientCert reads n's client certificate (from the store, or its files now) and checks
// that its key is its own. Errors of a certificate kept in place name its files.
func LoadClientCert(n config.Net) (tls.Certificate, *x509.Certificate, error) {
	cert, key, err := ClientPEM(n)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	return parseNetPEM(n, cert, key)
}

// parseNetPEM parses the PEMs read for n, naming n's files in errors when it keeps them in place.
func parseNetPEM(n config.Net, cert, key string) (tls.Certificate, *x509.Certificate, error) {
	pair, leaf, err := ParseClientCert(cert, key)
	if err != nil && n.InPlace() {
		err = inPlaceErr(n, err)
	}
	return pair, leaf, err
}

// inPlaceErr says which files err (of ParseClientCert or LeafCert) is about.
func inPlaceErr(n config.Net, err error) error {
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "the client key"):
		return fmt.Errorf("%s (key %s, certificate %s)", msg, n.ClientKeyPath, n.ClientCertPath)
	case n.ClientCertPath != "":
		return fmt.Errorf("%s (%s)", msg, n.ClientCertPath)
	}
	return err
}

// ClientLeaf is n's client certificate (its first), from the store or its file now.
func ClientLeaf(n config.Net) (*x509.Certificate, error) {
	if !n.InPlace() {
		return LeafCert(n.ClientCert)
	}
	if n.ClientCertPath == "" {
		_, _, err := ClientPEM(n)
		return nil, err
	}
	cert, err := ReadClientFile("client certificate", n.ClientCertPath)
	if err != nil {
		return nil, err
	}
	leaf, err := LeafCert(cert)
	if err != nil {
		return nil, inPlaceErr(n, err)
	}
	return leaf, nil
}

// renewHint is what to do about n's expired certificate.
func renewHint(n config.Net) string {
	if n.InPlace() && n.ClientCertPath != "" {
		return "renew it at " + n.ClientCertPath + " (it is read there at each use)"
	}
	return renewStored
}

// ClientCertExpiry says when n's client certificate leaf expires, as of now, with what to do
// about a certificate kept in place (see certExpiry).
func ClientCertExpiry(n config.Net, leaf *x509.Certificate, now time.Time) (Status, string) {
	return certExpiry(leaf, now, renewHint(n))
}

// filesKey identifies the contents of a transport's client certificate files as read now (zero
// for a certificate in the store), so that a renewal on disk gets a client of its own.
type filesKey [sha256.Size]byte

func filesKeyOf(cert, key string) filesKey {
	return sha256.Sum256([]byte(cert + "\x00" + key))
}

// InlineClientCert is s with a client certificate kept in place read into ClientCert and
// ClientKey now, for what hands the PEMs on (the exports' Secrets, Devtron's tlsConfig): a copy
// that will not follow a later renewal. The pair is checked; errors name the files.
func InlineClientCert(s config.Settings) (config.Settings, error) {
	n := s.Net()
	if !n.InPlace() {
		return s, nil
	}
	cert, key, err := ClientPEM(n)
	if err == nil {
		_, _, err = parseNetPEM(n, cert, key)
	}
	if err != nil {
		return s, err
	}
	s.ClientCert, s.ClientKey, s.ClientCertPath, s.ClientKeyPath = cert, key, "", ""
	return s, nil
}
