package forms

import (
	"errors"
	"fmt"
	"strings"

	"gitopscfg/providers"
)

// maxSPCertBytes bounds a service principal's certificate and key: a 4096-bit RSA key and a
// certificate with its chain stay well under it.
const maxSPCertBytes = 32 * 1024

// ServicePrincipalSecret checks a service principal's secret: a client secret, or (PEM) the
// certificate registered on the app together with its private key.
func ServicePrincipalSecret(raw string) (string, error) {
	if strings.Contains(raw, "-----BEGIN ") {
		return SPCertificate(raw)
	}
	return TokenOf("client secret", raw)
}

// SPCertificate checks a service principal's certificate and its RSA private key (PEM), each
// block's line breaks put back when a one-line input joined them with spaces; returned trimmed.
// Its errors never show the key.
func SPCertificate(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	switch {
	case s == "":
		return "", errors.New("the certificate is empty: give the PEM of the certificate and its private key")
	case len(s) > maxSPCertBytes:
		return "", fmt.Errorf("the certificate and key are %d bytes long, over the %d-byte limit: give the certificate and its key only", len(s), maxSPCertBytes)
	}
	if !strings.Contains(s, "\n") {
		s = rejoinPEMBlocks(s)
	}
	if _, err := providers.ParseSPCertificate(s); err != nil {
		return "", err
	}
	return s, nil
}

// rejoinPEMBlocks is rejoinPEM for each of several PEM blocks joined on one line.
func rejoinPEMBlocks(s string) string {
	const begin = "-----BEGIN "
	var blocks []string
	for s != "" {
		next := strings.Index(s[1:], begin)
		if next < 0 {
			blocks = append(blocks, rejoinPEM(strings.TrimSpace(s)))
			break
		}
		blocks = append(blocks, rejoinPEM(strings.TrimSpace(s[:next+1])))
		s = s[next+1:]
	}
	return strings.Join(blocks, "\n")
}
