package cli

import (
	"path/filepath"
	"slices"

	"github.com/spf13/pflag"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// --client-cert-in-place keeps the paths of the files --client-cert and --client-key name
// (client_cert_path, client_key_path) instead of their contents: the transport, the checks,
// status, the exports and the pushes read them at each use (see providers/clientcert_file.go).

const (
	inPlaceFlag  = "client-cert-in-place"
	inPlaceUsage = "keep --client-cert and --client-key where they are and read them at each use, so that a renewal on disk (cert-manager, Vault agent) is picked up; the store keeps their paths, never the key"
)

// addInPlaceFlag declares --client-cert-in-place on fl.
func addInPlaceFlag(fl *pflag.FlagSet) { fl.Bool(inPlaceFlag, false, inPlaceUsage) }

// inPlaceGiven reports whether --client-cert-in-place is given on fl, and refuses it without
// both files (given: whether --client-cert and --client-key were, with their values).
func inPlaceGiven(fl *pflag.FlagSet) (bool, error) {
	on, _ := fl.GetBool(inPlaceFlag)
	if !fl.Changed(inPlaceFlag) || !on {
		return false, nil
	}
	cert, _ := fl.GetString("client-cert")
	key, _ := fl.GetString("client-key")
	if !fl.Changed("client-cert") || !fl.Changed("client-key") || cert == "" || key == "" {
		return false, usageErr(`--%s needs the two files: --client-cert FILE --client-key FILE (--client-cert "" alone clears the certificate)`, inPlaceFlag)
	}
	return true, nil
}

// inPlaceKey is the setting a field flag sets under --client-cert-in-place: the files' paths
// instead of their contents.
func inPlaceKey(k config.Field) config.Field {
	switch k {
	case config.FieldClientCert:
		return config.FieldClientCertPath
	case config.FieldClientKey:
		return config.FieldClientKeyPath
	}
	return k
}

// applyInPlace finishes --client-cert-in-place among given (s holds the paths as typed): it
// makes them absolute, reads the two files and checks that they are a matching pair, and clears
// a certificate kept in the store. It returns the further fields it changed.
func applyInPlace(s *config.Settings, given []config.Field, clear func(...config.Field)) error {
	has := func(k config.Field) bool { return slices.Contains(given, k) }
	if !has(config.FieldClientCertPath) && !has(config.FieldClientKeyPath) {
		return nil
	}
	if !has(config.FieldClientCertPath) || !has(config.FieldClientKeyPath) {
		return usageErr("--%s needs the two files: --client-cert FILE --client-key FILE", inPlaceFlag)
	}
	for _, p := range []struct {
		flag string
		v    *string
	}{{"--client-cert", &s.ClientCertPath}, {"--client-key", &s.ClientKeyPath}} {
		abs, err := filepath.Abs(*p.v)
		if err != nil {
			return usageErr("%s: cannot make %s an absolute path (%v): give it from /", p.flag, *p.v, err)
		}
		*p.v = abs
		if _, err := readPEMFile(p.flag, abs); err != nil {
			return err
		}
	}
	if _, _, err := providers.LoadClientCert(s.Net()); err != nil {
		return usageErr("--%s: %v", inPlaceFlag, err)
	}
	clear(config.FieldClientCert, config.FieldClientKey)
	return nil
}
