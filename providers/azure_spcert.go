package providers

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"gitopscfg/config"
)

// A service principal that signs in with a client certificate instead of a client secret
// (learn.microsoft.com, "Microsoft identity platform application authentication certificate
// credentials"): the token request carries client_assertion_type
// urn:ietf:params:oauth:client-assertion-type:jwt-bearer and client_assertion, a JWT signed with
// the certificate's private key (PS256: RSASSA-PSS with SHA-256), whose header names the
// certificate by x5t#S256 (the base64url SHA-256 thumbprint of its DER encoding) and whose claims
// are aud (the token endpoint), iss and sub (the client ID), jti (a GUID), nbf and iat (now) and
// exp (at most 10 minutes after nbf). The credential's secret (Token) is then the PEM of the
// certificate and of its private key, kept encrypted like any secret.

// EntraAssertionType is client_assertion_type for a JWT client assertion.
const EntraAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// entraAssertionLife is how long after now the assertion expires: the most Microsoft advises.
const entraAssertionLife = 10 * time.Minute

// SPCertificate is a service principal's certificate and the private key that goes with it.
type SPCertificate struct {
	Cert *x509.Certificate
	Key  *rsa.PrivateKey
}

// UsesCertificate reports whether c is a service principal that signs in with a certificate
// (its secret is PEM) rather than a client secret.
func UsesCertificate(c Credentials) bool {
	return c.Kind == config.CredentialServicePrincipal && strings.HasPrefix(strings.TrimSpace(c.Token), "-----BEGIN ")
}

// ParseSPCertificate reads a certificate and its RSA private key (PKCS #1 or PKCS #8) from PEM
// text: the first CERTIFICATE block is the principal's, further ones (its chain) are ignored.
// Its errors never show the key.
func ParseSPCertificate(pemText string) (SPCertificate, error) {
	var out SPCertificate
	rest := []byte(pemText)
	keys := 0
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		switch {
		case block.Type == "CERTIFICATE" && out.Cert == nil:
			cert, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return out, fmt.Errorf("the CERTIFICATE block is not a readable X.509 certificate: %v", err)
			}
			out.Cert = cert
		case block.Type == "CERTIFICATE":
		case strings.HasSuffix(block.Type, "PRIVATE KEY"):
			keys++
			k, err := spPrivateKey(block)
			if err != nil {
				return out, err
			}
			out.Key = k
		default:
			return out, fmt.Errorf("the PEM holds a %q block: give the certificate and its private key only", block.Type)
		}
	}
	switch {
	case out.Cert == nil:
		return out, errors.New("no certificate: give the PEM of the certificate uploaded to the app registration (-----BEGIN CERTIFICATE-----) together with its private key")
	case keys == 0:
		return out, errors.New("no private key: give the certificate's private key (-----BEGIN PRIVATE KEY-----, unencrypted) in the same PEM as the certificate")
	case keys > 1:
		return out, errors.New("more than one private key: give the certificate's own key only")
	}
	pub, ok := out.Cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return out, errors.New("the certificate's key is not RSA: Microsoft Entra ID takes RSA certificates for client assertions")
	}
	if !pub.Equal(&out.Key.PublicKey) {
		return out, fmt.Errorf("the private key is not the certificate's (%s): give the key the certificate was made with", SPCertName(out.Cert))
	}
	return out, nil
}

// spPrivateKey reads an RSA private key block; an encrypted one is refused (no passphrase here).
func spPrivateKey(block *pem.Block) (*rsa.PrivateKey, error) {
	if block.Type == "ENCRYPTED PRIVATE KEY" || block.Headers["Proc-Type"] != "" {
		return nil, errors.New("the private key is encrypted: give it unencrypted (openssl pkey -in key.pem -out plain.pem); the store encrypts it")
	}
	var k any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		k, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("the %q block is not an RSA key: Microsoft Entra ID takes RSA certificates for client assertions", block.Type)
	}
	if err != nil {
		return nil, errors.New("the private key's PEM block is not a readable key (PKCS #1 or PKCS #8)")
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("the private key is not an RSA key: Microsoft Entra ID takes RSA certificates for client assertions")
	}
	return rk, nil
}

// SPCertName names a service principal's certificate for messages: its subject and its SHA-1
// thumbprint in hex, as the Azure portal shows it under Certificates & secrets.
func SPCertName(cert *x509.Certificate) string {
	return fmt.Sprintf("%s, thumbprint %s", CertName(cert), CertThumbprint(cert))
}

// CertThumbprint is the certificate's SHA-1 thumbprint in upper-case hex (the portal's).
func CertThumbprint(cert *x509.Certificate) string {
	sum := sha1.Sum(cert.Raw)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// EntraAssertion signs the client assertion of clientID for the token endpoint aud at now.
func EntraAssertion(sc SPCertificate, clientID, aud string, now time.Time) (string, error) {
	enc := base64.RawURLEncoding
	x5t := sha256.Sum256(sc.Cert.Raw)
	header, err := json.Marshal(map[string]string{"alg": "PS256", "typ": "JWT", "x5t#S256": enc.EncodeToString(x5t[:])})
	if err != nil {
		return "", err
	}
	claims, err := json.Marshal(map[string]any{"aud": aud, "iss": clientID, "sub": clientID, "jti": newGUID(),
		"nbf": now.Unix(), "iat": now.Unix(), "exp": now.Add(entraAssertionLife).Unix()})
	if err != nil {
		return "", err
	}
	signed := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPSS(rand.Reader, sc.Key, crypto.SHA256, sum[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	if err != nil {
		return "", fmt.Errorf("cannot sign the client assertion with the certificate's private key: %w", err)
	}
	return signed + "." + enc.EncodeToString(sig), nil
}

// newGUID is a random (version 4) GUID.
func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// spCertValidity says why the certificate cannot sign in at now (expired, or not valid yet), or
// "" when it can; Entra refuses a certificate outside its validity, so this is said before asking.
func spCertValidity(c Credentials, cert *x509.Certificate, now time.Time) string {
	switch {
	case now.After(cert.NotAfter):
		return fmt.Sprintf("the client certificate (%s) expired on %s (%s ago): Microsoft Entra ID refuses it. Make a new one, "+
			"upload its public part on %s (tab Certificates), and store it with `gitopscfg set %s --sp-cert FILE`",
			SPCertName(cert), cert.NotAfter.UTC().Format("2006-01-02 15:04 UTC"), daysText(now.Sub(cert.NotAfter)),
			ClientSecretsPage(c), c.CredentialName())
	case now.Before(cert.NotBefore):
		return fmt.Sprintf("the client certificate (%s) is not valid before %s: wait until then, or check this machine's clock",
			SPCertName(cert), cert.NotBefore.UTC().Format("2006-01-02 15:04 UTC"))
	}
	return ""
}

// The AADSTS codes of a refused client assertion (learn.microsoft.com, "Microsoft Entra
// authentication and authorization error codes", and the Azure SDKs' troubleshooting guides for
// ClientCertificateCredential and ClientAssertionCredential).
const (
	aadstsAssertionSignature = 700027 // signature invalid, or the certificate not registered (or expired) on the app
	aadstsAssertionTime      = 700024 // the assertion is not within its valid time range (nbf, exp)
	aadstsAssertionClientID  = 700021 // iss/sub do not match client_id
	aadstsAssertionAudience  = 700023 // aud is not the tenant's token endpoint
	aadstsMalformedJWT       = 50027  // the assertion is not a readable JWT
)

// entraCertRefused says why Entra refused a certificate's client assertion, when code is one of
// the codes above and c signs in with a certificate.
func entraCertRefused(c Credentials, code int, said string) (string, bool) {
	if !UsesCertificate(c) {
		return "", false
	}
	which := "the client certificate"
	if sc, err := ParseSPCertificate(c.Token); err == nil {
		which += " (" + SPCertName(sc.Cert) + ")"
	}
	page := ClientSecretsPage(c) + ", tab Certificates"
	switch code {
	case aadstsAssertionSignature:
		return fmt.Sprintf("Microsoft Entra ID refused the client assertion signed with %s (AADSTS%d: the certificate is not registered "+
			"on application %s, has expired there, or its signature did not verify)%s: upload the certificate's public part (the "+
			".cer/.pem without the key) on %s and check that the thumbprint listed there is the one above",
			which, code, strings.TrimSpace(c.ClientID), said, page), true
	case aadstsAssertionTime:
		return fmt.Sprintf("Microsoft Entra ID refused the client assertion as outside its valid time range (AADSTS%d)%s: this "+
			"machine's clock is off (the assertion is valid from now for 10 minutes); set it right (NTP) and check again",
			code, said), true
	case aadstsAssertionClientID, aadstsAssertionAudience, aadstsMalformedJWT:
		return fmt.Sprintf("Microsoft Entra ID refused the client assertion (AADSTS%d)%s: check the tenant ID %q, the client ID "+
			"%q and the authority URL (%s); the assertion names them as its audience and issuer",
			code, said, c.TenantID, c.ClientID, EntraTokenURL(c)), true
	}
	return "", false
}

// spCertExpiry records the expiry check of a certificate from its NotAfter, as a token's: fail
// when past, warn within expiryWarnWithin; it reports false for a credential without one.
func spCertExpiry(s *session) bool {
	if !UsesCertificate(s.Creds) {
		return false
	}
	sc, err := ParseSPCertificate(s.Creds.Token)
	if err != nil {
		s.Add(CheckExpiry, Skip, "unknown: the stored certificate cannot be read")
		return true
	}
	t := sc.Cert.NotAfter.UTC()
	s.SetExpiry(t)
	renew := fmt.Sprintf("make a new certificate, upload its public part on %s (tab Certificates) and store it with `gitopscfg set %s "+
		"--sp-cert FILE`", ClientSecretsPage(s.Creds), s.Creds.CredentialName())
	left, date, name := t.Sub(s.Now), t.Format("2006-01-02 15:04 UTC"), SPCertName(sc.Cert)
	switch {
	case left <= 0:
		s.Add(CheckExpiry, Fail, fmt.Sprintf("the certificate (%s) expired on %s (%s ago): %s", name, date, daysText(-left), renew))
	case left <= expiryWarnWithin:
		s.Add(CheckExpiry, Warn, fmt.Sprintf("the certificate (%s) expires in %s (%s): signing in stops working then; %s",
			name, daysText(left), date, renew))
	default:
		s.Add(CheckExpiry, Pass, fmt.Sprintf("the certificate (%s) expires on %s (in %s)", name, date, daysText(left)))
	}
	return true
}
