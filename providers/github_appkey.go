package providers

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"time"
)

// ParseAppKey reads the RSA private key of a PEM block (PKCS #1 or PKCS #8).
func ParseAppKey(block *pem.Block) (*rsa.PrivateKey, error) {
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("the private key's PEM block is not a readable RSA key: download a new key from the App's settings page")
		}
		return k, nil
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("the private key's PEM block is not a readable PKCS #8 key: download a new key from the App's settings page")
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, errors.New("the private key is not an RSA key: GitHub Apps sign with RSA (RS256); download the key from the App's settings page")
		}
		return rk, nil
	}
	return nil, fmt.Errorf("the PEM block is a %q, not a private key: give the App's private key (.pem), not a certificate or public key", block.Type)
}

// gitHubAppJWTLife is how long after now the App's JWT expires: GitHub refuses one that expires
// more than 10 minutes ahead of its own clock, so 5 minutes leaves room for a clock behind it.
const gitHubAppJWTLife = 5 * time.Minute

// gitHubAppJWTBackdate is how long before now the JWT says it was issued: GitHub's advice
// against a clock ahead of its own.
const gitHubAppJWTBackdate = 60 * time.Second

// GitHubAppJWT signs the JSON web token a GitHub App authenticates with (RS256): issued by the
// App's ID, 60 s before now, and expiring 5 minutes after now.
func GitHubAppJWT(key *rsa.PrivateKey, appID string, now time.Time) (string, error) {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
	claims, err := json.Marshal(struct {
		IAT int64  `json:"iat"`
		EXP int64  `json:"exp"`
		ISS string `json:"iss"`
	}{now.Add(-gitHubAppJWTBackdate).Unix(), now.Add(gitHubAppJWTLife).Unix(), appID})
	if err != nil {
		return "", err
	}
	signed := header + "." + enc.EncodeToString(claims)
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("cannot sign the App's JSON web token with its private key: %w", err)
	}
	return signed + "." + enc.EncodeToString(sig), nil
}

// gitHubAppKey reads the App's private key from its PEM text.
func gitHubAppKey(pemText string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		return nil, errors.New("the stored private key is not PEM: give the App's .pem file again (set --app-key FILE)")
	}
	return ParseAppKey(block)
}

// ParseAppKeyPEM reads a GitHub App's private key from its PEM text.
func ParseAppKeyPEM(pemText string) (*rsa.PrivateKey, error) { return gitHubAppKey(pemText) }
