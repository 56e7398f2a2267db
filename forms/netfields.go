package forms

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// The rules of the network fields: the proxy, its credentials and no-proxy list, the client
// certificate and its key (see providers.Transport).

// maxProxyPasswordBytes bounds a proxy password.
const maxProxyPasswordBytes = 1024

// maxPEMBytes bounds a client certificate (with its chain) or key.
const maxPEMBytes = 64 << 10

// checkNetValue checks field k of the network fields; ok is false for other fields.
func checkNetValue(k providers.FieldKey, raw string) (s string, ok bool, err error) {
	switch k {
	case providers.FieldProxy:
		s, err = Proxy(raw)
	case providers.FieldProxyUsername:
		s, err = checkProxyUsername(raw)
	case providers.FieldProxyPassword:
		s, err = ProxyPassword(raw)
	case providers.FieldNoProxy:
		s, err = NoProxy(raw)
	case providers.FieldClientCert:
		s, err = checkClientCert(raw)
	case providers.FieldClientKey:
		s, err = checkClientKey(raw)
	case providers.FieldClientCertPath:
		s, err = FilePath(raw, "the client certificate's path", "/etc/gitops/tls/tls.crt")
	case providers.FieldClientKeyPath:
		s, err = FilePath(raw, "the client key's path", "/etc/gitops/tls/tls.key")
	default:
		return "", false, nil
	}
	return s, true, err
}

// Proxy checks a proxy's address: http(s)://host:port, without credentials (a password in it
// would show in the process list and the shell's history), path, query or fragment. A bare
// host:port means http://. It returns the address normalised (scheme://host:port).
func Proxy(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if err := plainText(s, "the proxy"); err != nil {
		return "", err
	}
	if s == "" {
		return "", nil
	}
	full := s
	if !strings.Contains(full, "://") {
		full = "http://" + full
	}
	u, err := url.Parse(full)
	if err != nil || u.Hostname() == "" {
		return "", fmt.Errorf("the proxy %s is not an address: write it as http://host:port", shownUnlessSecret(s))
	}
	if _, has := u.User.Password(); has {
		return "", errors.New("the proxy address holds a password, which the process list and the shell's history would show: " +
			"give the address without it, the username with --proxy-username and the password in GITOPSCFG_PROXY_PASSWORD (or at the prompt)")
	}
	if u.User != nil {
		return "", errors.New("the proxy address holds a username: give it with --proxy-username (Proxy username under Advanced) instead")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("the proxy %s must be only a scheme, host and port: write it as http://host:port", shownUnlessSecret(s))
	}
	pu, err := providers.ProxyURL(full)
	if err != nil {
		return "", err
	}
	return pu.String(), nil
}

func shownUnlessSecret(s string) string {
	if maySecret(s) {
		return notShown
	}
	return shown(s)
}

func checkProxyUsername(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if err := plainText(s, "the proxy username"); err != nil {
		return "", err
	}
	if strings.Contains(s, ":") {
		return "", errors.New("the proxy username contains ':', which Basic authentication cannot carry")
	}
	if strings.ContainsFunc(s, unicode.IsSpace) || len(s) > 256 {
		return "", errors.New("the proxy username must be at most 256 characters without whitespace")
	}
	return s, nil
}

// ProxyPassword checks a proxy password: text without line breaks or control characters. Its
// errors never show it.
func ProxyPassword(raw string) (string, error) {
	s := strings.TrimRight(raw, "\r\n")
	switch {
	case len(s) > maxProxyPasswordBytes:
		return "", fmt.Errorf("the proxy password is %d bytes long, over the %d-byte limit", len(s), maxProxyPasswordBytes)
	case !utf8.ValidString(s):
		return "", errors.New("the proxy password is not valid text")
	case strings.ContainsFunc(s, unicode.IsControl):
		return "", errors.New("the proxy password contains a line break or a control character")
	}
	return s, nil
}

// NoProxy checks a no-proxy list (NO_PROXY's syntax) and returns it with its entries trimmed.
func NoProxy(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if err := plainText(s, "the no-proxy list"); err != nil {
		return "", err
	}
	var out []string
	for e := range strings.SplitSeq(s, ",") {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		if strings.ContainsFunc(e, unicode.IsSpace) || strings.ContainsAny(e, "/?#@") && !isCIDR(e) {
			return "", fmt.Errorf("the no-proxy entry %s is not a host, domain, IP address, CIDR block or host:port", shownUnlessSecret(e))
		}
		out = append(out, e)
	}
	return strings.Join(out, ","), nil
}

func isCIDR(s string) bool { _, _, err := net.ParseCIDR(s); return err == nil }

// checkClientCert checks a PEM client certificate (its chain may follow).
func checkClientCert(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", nil
	}
	if len(s) > maxPEMBytes {
		return "", fmt.Errorf("the client certificate is %d bytes long, more than a certificate and its chain (at most %d)", len(s), maxPEMBytes)
	}
	if _, err := providers.LeafCert(s); err != nil {
		return "", err
	}
	return s + "\n", nil
}

// checkClientKey checks a PEM private key; its errors never show it.
func checkClientKey(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", nil
	}
	if len(s) > maxPEMBytes || !strings.HasPrefix(s, "-----BEGIN ") || !strings.Contains(s, "PRIVATE KEY-----") {
		return "", errors.New("the client key is not a PEM private key (-----BEGIN PRIVATE KEY-----)")
	}
	return s + "\n", nil
}

// netRules are the rules between the network fields, once each is valid on its own.
func netRules(s config.Settings) map[providers.FieldKey]error {
	errs := map[providers.FieldKey]error{}
	if s.Proxy == "" && (s.ProxyUsername != "" || s.ProxyPassword != "" || s.NoProxy != "") {
		errs[providers.FieldProxy] = errors.New("a proxy username, password or no-proxy list is set without a proxy: set the proxy (--proxy URL), or clear them")
	}
	if s.ProxyPassword != "" && s.ProxyUsername == "" {
		errs[providers.FieldProxyUsername] = errors.New("a proxy password is set without a proxy username: give --proxy-username")
	}
	switch n := s.Net(); {
	case n.InPlace() && (s.ClientCert != "" || s.ClientKey != ""):
		errs[providers.FieldClientCertPath] = errors.New("a client certificate is set both in the store and in place: keep one, with --client-cert FILE --client-key FILE (add --client-cert-in-place to keep the files where they are)")
	case n.InPlace() && (s.ClientCertPath == "" || s.ClientKeyPath == ""):
		errs[providers.FieldClientCertPath] = errors.New("a client certificate kept in place needs both its files: give --client-cert FILE --client-key FILE --client-cert-in-place")
	case s.ClientCert == "" && s.ClientKey != "":
		errs[providers.FieldClientCert] = errors.New("a client key is set without its certificate: give --client-cert FILE")
	case s.ClientCert != "":
		if _, _, err := providers.ParseClientCert(s.ClientCert, s.ClientKey); err != nil {
			errs[providers.FieldClientKey] = err
		}
	}
	return errs
}

// NetSettings checks and normalises the network settings of a platform instance (the same rules
// as a credential's); the error joins one per bad value, naming its flag.
func NetSettings(n config.Net) (config.Net, error) {
	s := config.Settings{Proxy: n.Proxy, ProxyUsername: n.ProxyUsername, ProxyPassword: n.ProxyPassword,
		NoProxy: n.NoProxy, ClientCert: n.ClientCert, ClientKey: n.ClientKey,
		ClientCertPath: n.ClientCertPath, ClientKeyPath: n.ClientKeyPath}
	var errs []error
	for _, k := range []providers.FieldKey{providers.FieldProxy, providers.FieldProxyUsername, providers.FieldProxyPassword,
		providers.FieldNoProxy, providers.FieldClientCert, providers.FieldClientKey, providers.FieldClientCertPath, providers.FieldClientKeyPath} {
		v := s.Ref(k)
		out, _, err := checkNetValue(k, *v)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		*v = out
	}
	if len(errs) == 0 {
		for _, k := range []providers.FieldKey{providers.FieldProxy, providers.FieldProxyUsername, providers.FieldClientCert, providers.FieldClientKey, providers.FieldClientCertPath} {
			if err := netRules(s)[k]; err != nil {
				errs = append(errs, err)
			}
		}
	}
	return s.Net(), errors.Join(errs...)
}
