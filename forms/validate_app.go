package forms

import (
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"gitopscfg/providers"
)

// maxAppKeyBytes bounds a GitHub App's private key: GitHub issues 2048-bit RSA keys (about
// 1.7 kB in PEM); a 8192-bit one stays well under this.
const maxAppKeyBytes = 16 * 1024

// checkNumericID checks a numeric id (a GitHub App's, an installation's): digits only, at most
// 20 of them; empty is allowed when optional.
func checkNumericID(what, raw string, optional bool) (string, error) {
	s := strings.TrimSpace(raw)
	if err := plainText(s, what); err != nil {
		return "", err
	}
	switch {
	case s == "" && optional:
		return "", nil
	case s == "":
		return "", fmt.Errorf("%s is empty: enter the number GitHub shows on the App's settings page (App ID)", what)
	case len(s) > 20 || strings.Trim(s, "0123456789") != "":
		return "", fmt.Errorf("%s %s is not a number: GitHub's ids are digits only, e.g. 123456", what, shown(s))
	}
	return s, nil
}

// AppPrivateKey checks a GitHub App's private key: one PEM block holding an RSA private key
// (PKCS #1, as GitHub issues it, or PKCS #8), returned trimmed. Its errors never show the key.
func AppPrivateKey(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	switch {
	case s == "":
		return "", errors.New("the private key is empty: give the .pem file GitHub made when you generated the App's private key")
	case len(s) > maxAppKeyBytes:
		return "", fmt.Errorf("the private key is %d bytes long, over the %d-byte limit: give the App's .pem file alone", len(s), maxAppKeyBytes)
	}
	block, rest := pem.Decode([]byte(s))
	if block == nil {
		// A paste into a one-line input arrives with its line breaks turned into spaces.
		s = rejoinPEM(s)
		block, rest = pem.Decode([]byte(s))
	}
	if block == nil {
		return "", errors.New("the private key is not PEM: give the .pem file GitHub made (it starts with -----BEGIN RSA PRIVATE KEY-----)")
	}
	if len(strings.TrimSpace(string(rest))) > 0 {
		return "", errors.New("the private key file holds more than one PEM block: give the App's .pem file alone")
	}
	if _, err := providers.ParseAppKey(block); err != nil {
		return "", err
	}
	return s, nil
}

// rejoinPEM puts back the line breaks of a PEM block whose lines a one-line input joined with
// spaces ("-----BEGIN RSA PRIVATE KEY----- MIIE… -----END RSA PRIVATE KEY-----"); anything else
// comes back as it was.
func rejoinPEM(s string) string {
	const dashes = "-----"
	begin := strings.Index(s, dashes+"BEGIN ")
	if begin < 0 {
		return s
	}
	headEnd := strings.Index(s[begin+len(dashes):], dashes)
	if headEnd < 0 {
		return s
	}
	headEnd += begin + 2*len(dashes)
	end := strings.Index(s[headEnd:], dashes+"END ")
	if end < 0 {
		return s
	}
	end += headEnd
	body := strings.Join(strings.Fields(s[headEnd:end]), "")
	var b strings.Builder
	b.WriteString(s[begin:headEnd] + "\n")
	for len(body) > 64 {
		b.WriteString(body[:64] + "\n")
		body = body[64:]
	}
	if body != "" {
		b.WriteString(body + "\n")
	}
	b.WriteString(strings.TrimSpace(s[end:]))
	return b.String()
}
