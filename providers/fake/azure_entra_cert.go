package fake

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"gitopscfg/providers"
)

// Microsoft Entra ID's certificate credentials, as learn.microsoft.com documents them
// ("Microsoft identity platform application authentication certificate credentials"): instead
// of client_secret the token request carries client_assertion_type
// urn:ietf:params:oauth:client-assertion-type:jwt-bearer and client_assertion, a JWT (PS256, or
// RS256) signed with the private key of a certificate registered on the app, named in its header
// by x5t#S256 (base64url SHA-256 thumbprint of the DER certificate) or x5t (SHA-1); its claims aud
// (this token endpoint), iss = sub = the client ID, nbf and exp. The emulator verifies each as
// Entra does and refuses with Entra's codes: 50027 (not a JWT), 700021 (iss/sub not the client
// ID), 700023 (aud not this endpoint), 700024 (outside nbf…exp, five minutes' skew allowed),
// 700027 (a certificate not registered on the app, registered but expired, or a signature that
// does not verify with it).

// entraCert is a certificate and its key.
type entraCert struct {
	cert *x509.Certificate
	key  *rsa.PrivateKey
}

// pemText is the certificate and its key as one PEM text (the form the product stores).
func (c entraCert) pemText() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.cert.Raw})) +
		string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(c.key)}))
}

// The emulator's certificates: valid and expired are registered on both app registrations;
// unregistered on none.
var entraCerts = sync.OnceValue(func() map[string]entraCert {
	now := time.Now()
	return map[string]entraCert{
		"valid":        newEntraCert("gitops-argocd", now.Add(-24*time.Hour), now.Add(365*24*time.Hour)),
		"expired":      newEntraCert("gitops-argocd-2024", now.Add(-400*24*time.Hour), now.Add(-10*24*time.Hour)),
		"unregistered": newEntraCert("gitops-elsewhere", now.Add(-24*time.Hour), now.Add(365*24*time.Hour)),
	}
})

func newEntraCert(cn string, from, until time.Time) entraCert {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn}, NotBefore: from, NotAfter: until,
		KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return entraCert{cert: cert, key: key}
}

// AzureSPCertificate is the PEM (certificate and key) of a certificate registered on both app
// registrations and valid for a year: it signs in.
func AzureSPCertificate() string { return entraCerts()["valid"].pemText() }

// AzureSPExpiredCertificate is a registered certificate that expired ten days ago.
func AzureSPExpiredCertificate() string { return entraCerts()["expired"].pemText() }

// AzureSPUnregisteredCertificate is a valid certificate registered on no app (AADSTS700027).
func AzureSPUnregisteredCertificate() string { return entraCerts()["unregistered"].pemText() }

// entraRegistered finds the registered certificate of a thumbprint: x5t#S256 or x5t, base64url.
func entraRegistered(x5tS256, x5t string) (entraCert, bool) {
	for name, c := range entraCerts() {
		s256, s1 := sha256.Sum256(c.cert.Raw), sha1.Sum(c.cert.Raw)
		if name != "unregistered" && (x5tS256 == base64.RawURLEncoding.EncodeToString(s256[:]) ||
			x5t == base64.RawURLEncoding.EncodeToString(s1[:])) {
			return c, true
		}
	}
	return entraCert{}, false
}

// entraRefusal is one refusal: status, error, AADSTS code and message.
type entraRefusal struct {
	status int
	kind   string
	code   int
	msg    string
}

// verifyAssertion checks a client assertion for clientID at the token endpoint endpoint; nil
// when Entra would accept it.
func verifyAssertion(f url.Values, clientID, endpoint string, now time.Time) *entraRefusal {
	bad := func(code int, msg string) *entraRefusal {
		return &entraRefusal{http.StatusUnauthorized, "invalid_client", code, msg}
	}
	if f.Get("client_assertion_type") != providers.EntraAssertionType {
		return &entraRefusal{http.StatusBadRequest, "invalid_request", 900144,
			"The request body must contain the following parameter: 'client_assertion_type'."}
	}
	parts := strings.Split(f.Get("client_assertion"), ".")
	var header struct {
		Alg     string `json:"alg"`
		X5t     string `json:"x5t"`
		X5tS256 string `json:"x5t#S256"`
	}
	var claims struct {
		Aud, Iss, Sub string
		Nbf, Exp      int64
	}
	if len(parts) != 3 || decodeJSONPart(parts[0], &header) != nil || decodeJSONPart(parts[1], &claims) != nil {
		return &entraRefusal{http.StatusBadRequest, "invalid_request", 50027, "JWT token is invalid or malformed."}
	}
	review := " Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials ."
	switch {
	case !strings.EqualFold(claims.Iss, clientID) || !strings.EqualFold(claims.Sub, clientID):
		return bad(700021, "Client assertion application identifier doesn't match 'client_id' parameter."+review)
	case !strings.EqualFold(claims.Aud, endpoint):
		return bad(700023, "Client assertion audience claim does not match Realm issuer."+review)
	case now.Before(time.Unix(claims.Nbf, 0).Add(-5*time.Minute)) || !now.Before(time.Unix(claims.Exp, 0).Add(5*time.Minute)):
		layout := "2006-01-02T15:04:05.0000000Z"
		return bad(700024, "Client assertion is not within its valid time range. Current time: "+now.UTC().Format(layout)+
			", assertion valid from "+time.Unix(claims.Nbf, 0).UTC().Format(layout)+", expiry time of assertion "+
			time.Unix(claims.Exp, 0).UTC().Format(layout)+"."+review)
	}
	return verifySignature(parts, header.Alg, header.X5tS256, header.X5t, clientID, now)
}

// verifySignature finds the registered certificate the header names and verifies the signature
// with its public key.
func verifySignature(parts []string, alg, x5tS256, x5t, clientID string, now time.Time) *entraRefusal {
	bad := func(msg string) *entraRefusal {
		return &entraRefusal{http.StatusUnauthorized, "invalid_client", 700027, msg}
	}
	thumb := x5tS256
	if thumb == "" {
		thumb = x5t
	}
	raw, _ := base64.RawURLEncoding.DecodeString(thumb)
	used := "Thumbprint of key used by client: '" + strings.ToUpper(hex.EncodeToString(raw)) + "'"
	c, ok := entraRegistered(x5tS256, x5t)
	if !ok {
		return bad("The certificate with identifier used to sign the client assertion is not registered on application. [Reason - " +
			"The key was not found., " + used + ", Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see " +
			"configured keys for app Id '" + clientID + "'.]")
	}
	found := "Found key 'Start=" + c.cert.NotBefore.UTC().Format("01/02/2006 15:04:05") + ", End=" +
		c.cert.NotAfter.UTC().Format("01/02/2006 15:04:05") + "'"
	if now.After(c.cert.NotAfter) {
		return bad("Client assertion contains an invalid signature. [Reason - The key used is expired., " + used + ", " + found + "]")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err == nil {
		switch alg {
		case "PS256":
			err = rsa.VerifyPSS(&c.key.PublicKey, crypto.SHA256, sum[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		case "RS256":
			err = rsa.VerifyPKCS1v15(&c.key.PublicKey, crypto.SHA256, sum[:], sig)
		default:
			return &entraRefusal{http.StatusBadRequest, "invalid_request", 50027, "JWT token is invalid or malformed."}
		}
	}
	if err != nil {
		return bad("Client assertion contains an invalid signature. [Reason - The provided signature value did not match the " +
			"expected signature value., " + used + ", " + found + "]")
	}
	return nil
}

// decodeJSONPart decodes one base64url part of a JWT.
func decodeJSONPart(part string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}
