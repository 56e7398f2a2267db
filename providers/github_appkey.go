package providers

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
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
