package cli

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"slices"
	"syscall"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"gitopscfg/config"
	"gitopscfg/forms"
	"gitopscfg/providers"
)

// The network flags, shared by set and devtron set: the proxy, its username (its password comes
// from proxyPasswordEnv or a prompt, never from argv) and no-proxy list, the client certificate
// and its key (files, whose content is kept in the store).

// proxyPasswordEnv holds the proxy password for set and devtron set.
const proxyPasswordEnv = "GITOPSCFG_PROXY_PASSWORD"

const (
	proxyUsage         = `forward proxy for these requests, http://host:port (over HTTPS_PROXY; "" clears it and its credentials)`
	proxyUsernameUsage = "the proxy's username; its password comes from " + proxyPasswordEnv + " or a prompt"
	noProxyUsage       = "hosts reached without the proxy, comma-separated (NO_PROXY's syntax)"
	clientCertUsage    = `PEM file of a client certificate for servers that demand one (mutual TLS; "" clears it and its key, in the store or in place)`
	clientKeyUsage     = "PEM file of the client certificate's private key (kept encrypted in the store; with --" + inPlaceFlag + " read where it is)"
)

// netFlagFields are the settings the network flags set, by flag.
var netFlagFields = []struct {
	flag, usage string
	key         config.Field
}{
	{"proxy", proxyUsage, config.FieldProxy},
	{"proxy-username", proxyUsernameUsage, config.FieldProxyUsername},
	{"no-proxy", noProxyUsage, config.FieldNoProxy},
	{"client-cert", clientCertUsage, config.FieldClientCert},
	{"client-key", clientKeyUsage, config.FieldClientKey},
}

// addNetFlags declares the network flags on fl (devtron set; set has them in its field table).
func addNetFlags(fl *pflag.FlagSet) {
	for _, f := range netFlagFields {
		fl.String(f.flag, "", f.usage)
	}
	addInPlaceFlag(fl)
}

// netFlagsGiven copies the network flags given on fl into s and lists their fields (with
// --client-cert-in-place, the files' paths instead of their contents).
func netFlagsGiven(fl *pflag.FlagSet, s *config.Settings) ([]config.Field, error) {
	inPlace, err := inPlaceGiven(fl)
	if err != nil {
		return nil, err
	}
	var given []config.Field
	for _, f := range netFlagFields {
		if fl.Changed(f.flag) {
			k := f.key
			if inPlace {
				k = inPlaceKey(k)
			}
			v, _ := fl.GetString(f.flag)
			*s.Ref(k) = v
			given = append(given, k)
		}
	}
	return given, nil
}

// applyNetFlags finishes the network flags among given, whose values s holds as typed: it reads
// the certificate and key files (or, with --client-cert-in-place, checks them and keeps their
// paths), clears what --proxy "" and --client-cert "" clear, and reads the proxy password when
// --proxy-username is given. It returns the further fields it changed.
func applyNetFlags(deps runDeps, s *config.Settings, given []config.Field) ([]config.Field, error) {
	has := func(k config.Field) bool { return slices.Contains(given, k) }
	var more []config.Field
	clear := func(ks ...config.Field) {
		for _, k := range ks {
			if !has(k) {
				*s.Ref(k) = ""
				more = append(more, k)
			}
		}
	}
	var err error
	switch {
	case has(config.FieldClientCert) && s.ClientCert == "":
		clear(config.FieldClientKey, config.FieldClientCertPath, config.FieldClientKeyPath)
	case has(config.FieldClientCert):
		if s.ClientCert, err = readPEMFile("--client-cert", s.ClientCert); err != nil {
			return nil, err
		}
		clear(config.FieldClientCertPath, config.FieldClientKeyPath)
	}
	if err := applyInPlace(s, given, clear); err != nil {
		return nil, err
	}
	if has(config.FieldClientKey) {
		if s.ClientKey == "" {
			return nil, usageErr(`--client-key needs the key's file; --client-cert "" clears the certificate and its key`)
		}
		if s.ClientKey, err = readPEMFile("--client-key", s.ClientKey); err != nil {
			return nil, err
		}
	}
	if has(config.FieldProxy) && s.Proxy == "" {
		clear(config.FieldProxyUsername, config.FieldProxyPassword, config.FieldNoProxy)
	}
	switch {
	case has(config.FieldProxyUsername) && s.ProxyUsername == "":
		clear(config.FieldProxyPassword)
	case has(config.FieldProxyUsername):
		pw, err := readProxyPassword(deps)
		if err != nil {
			return nil, err
		}
		s.ProxyPassword = pw
		more = append(more, config.FieldProxyPassword)
	}
	return more, nil
}

// readProxyPassword reads the proxy password from proxyPasswordEnv, else from a prompt without
// echo on the terminal.
func readProxyPassword(deps runDeps) (string, error) {
	if deps.Getenv != nil {
		if pw := deps.Getenv(proxyPasswordEnv); pw != "" {
			return checkProxyPassword(pw)
		}
	}
	f, ok := deps.IO.In.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", usageErr("--proxy-username: give the proxy password in %s (standard input is not a terminal to ask it on)", proxyPasswordEnv)
	}
	b, err := readSecret(f, deps.IO.Err, "Proxy password (not shown): ")
	if err != nil {
		return "", usageErr("--proxy-username: cannot read the proxy password: %v", err)
	}
	return checkProxyPassword(string(b))
}

func checkProxyPassword(pw string) (string, error) {
	pw, err := forms.ProxyPassword(pw)
	if err != nil {
		return "", usageErr("the proxy password (%s): %v", proxyPasswordEnv, err)
	}
	return pw, nil
}

// readPEMFile reads the PEM file a flag names: a regular file of at most 64 KiB.
func readPEMFile(flag, path string) (string, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return "", usageErr("%s: cannot read %s: %v", flag, path, err)
	}
	defer func() { _ = f.Close() }()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return "", usageErr("%s: %s is not a regular file: give the path of the PEM file", flag, path)
	}
	b, err := io.ReadAll(io.LimitReader(f, 64<<10+1))
	if err != nil {
		return "", usageErr("%s: cannot read %s: %v", flag, path, err)
	}
	if len(b) > 64<<10 {
		return "", usageErr("%s: %s is larger than 64 KiB: give the PEM file of the certificate or key alone", flag, path)
	}
	return string(b), nil
}

// netSummary says how requests to target go with s's transport, for status and checks: "via
// proxy.corp:3128", "" directly.
func netSummary(t providers.Transport, target string) string {
	if p := providers.ProxyOf(t, target); p != "" {
		return "via " + hostOf(p)
	}
	return ""
}

func hostOf(u string) string {
	for i := 0; i+2 < len(u); i++ {
		if u[i:i+3] == "://" {
			return u[i+3:]
		}
	}
	return u
}

// net is the instance's network settings: the stored ones changed by the network flags given.
func (opts *platformSetOptions) net(stored config.Net) (config.Net, error) {
	if len(opts.NetGiven) == 0 {
		return stored, nil
	}
	s := config.Settings{Proxy: stored.Proxy, ProxyUsername: stored.ProxyUsername, ProxyPassword: stored.ProxyPassword,
		NoProxy: stored.NoProxy, ClientCert: stored.ClientCert, ClientKey: stored.ClientKey,
		ClientCertPath: stored.ClientCertPath, ClientKeyPath: stored.ClientKeyPath}
	for _, k := range opts.NetGiven {
		*s.Ref(k) = *opts.Net.Ref(k)
	}
	if _, err := applyNetFlags(opts.runDeps, &s, opts.NetGiven); err != nil {
		return config.Net{}, err
	}
	n, err := forms.NetSettings(s.Net())
	if err != nil {
		return config.Net{}, usageErr("not saved: %v", err)
	}
	return n, nil
}
