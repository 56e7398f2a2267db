package platforms_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"gitopscfg/e2e/kit"
	"gitopscfg/platforms"
	"gitopscfg/platforms/devtronfake"
	"gitopscfg/providers"
)

// renewFiles renames a new certificate and key over the files at certPath and keyPath.
func renewFiles(t *testing.T, certPath, keyPath string, i kit.Issued) {
	t.Helper()
	for p, b := range map[string]string{keyPath: i.KeyPEM, certPath: i.CertPEM} {
		if err := os.WriteFile(p+".tmp", []byte(b), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(p+".tmp", p); err != nil {
			t.Fatal(err)
		}
	}
}

// inPlaceCreds is netCreds with its client certificate kept in place in fresh files.
func inPlaceCreds(t *testing.T) (providers.Credentials, *kit.CA, string, string) {
	ca := kit.NewCA(t, "Client CA")
	certPath, keyPath := ca.Client(t, "deploy-bot", time.Now().Add(-time.Hour), time.Now().Add(time.Hour)).WriteFiles(t)
	c := netCreds()
	c.ClientCert, c.ClientKey, c.ClientCertPath, c.ClientKeyPath = "", "", certPath, keyPath
	return c, ca, certPath, keyPath
}

// The exports of a credential whose client certificate is kept in place carry the files as
// they are at export time, and say that the Secret is a copy a renewal will not reach; a file
// gone fails the export naming it.
func TestExportsReadAClientCertificateInPlaceNow(t *testing.T) {
	c, ca, certPath, keyPath := inPlaceCreds(t)
	for round := range 2 {
		now := ca.Client(t, "deploy-bot", time.Now().Add(-time.Hour), time.Now().Add(time.Duration(round+2)*time.Hour))
		renewFiles(t, certPath, keyPath, now)
		objs, err := platforms.ArgoCD(context.Background(), providers.NewEnv("test"), c, platforms.ExportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var argo corev1.Secret
		strict(t, platforms.EncodeJSON(objs[:1]), &argo)
		if argo.StringData["tlsClientCertData"] != now.CertPEM || argo.StringData["tlsClientCertKey"] != now.KeyPEM {
			t.Fatalf("round %d: Argo CD's Secret does not hold the files as they are now", round)
		}
		if objs, err = platforms.Flux(c, platforms.ExportOptions{Name: "acme-git"}); err != nil {
			t.Fatal(err)
		}
		var flux corev1.Secret
		strict(t, platforms.EncodeJSON(objs[:1]), &flux)
		if flux.StringData["tls.crt"] != now.CertPEM || flux.StringData["tls.key"] != now.KeyPEM {
			t.Fatalf("round %d: Flux's Secret does not hold the files as they are now", round)
		}
	}
	want := "a copy of " + certPath + " and " + keyPath + " as they are now: a renewal on disk does not reach it"
	if n := platforms.FluxNote(c); !strings.Contains(n, want) {
		t.Errorf("Flux's note %q", n)
	}
	if n := platforms.ArgoCDNote(c); !strings.Contains(n, want) {
		t.Errorf("Argo CD's note %q", n)
	}
	if err := os.Remove(keyPath); err != nil {
		t.Fatal(err)
	}
	if _, err := platforms.Flux(c, platforms.ExportOptions{}); err == nil || !strings.Contains(err.Error(), "cannot read the client key "+keyPath) {
		t.Fatalf("Flux with the key gone: %v", err)
	}
	if _, err := platforms.ArgoCD(context.Background(), providers.NewEnv("test"), c, platforms.ExportOptions{}); err == nil ||
		!strings.Contains(err.Error(), "cannot read the client key "+keyPath) {
		t.Fatalf("Argo CD with the key gone: %v", err)
	}
}

// A push of a credential whose client certificate is kept in place sends the files as they are
// at push time in tlsConfig; a renewal reaches Devtron with the next push.
func TestPushReadsAClientCertificateInPlaceNow(t *testing.T) {
	r := newRig(t, devtronfake.Options{})
	ca := kit.NewCA(t, "Client CA")
	first := ca.Client(t, "deploy-bot", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	certPath, keyPath := first.WriteFiles(t)
	c := github("acme")
	c.ClientCertPath, c.ClientKeyPath = certPath, keyPath
	if res, err := r.push(c, platforms.PushOptions{}); err != nil || res.Outcome != platforms.Saved {
		t.Fatalf("push: %+v, %v", res, err)
	}
	if rows := r.srv.Rows(); len(rows) != 1 || rows[0].TLSCert != first.CertPEM || rows[0].TLSKey != first.KeyPEM {
		t.Fatalf("stored TLS data is not the files'")
	}
	renewed := ca.Client(t, "deploy-bot", time.Now().Add(-time.Hour), time.Now().Add(2*time.Hour))
	renewFiles(t, certPath, keyPath, renewed)
	if res, err := r.push(c, platforms.PushOptions{}); err != nil || res.Outcome != platforms.Saved {
		t.Fatalf("push after a renewal: %+v, %v", res, err)
	}
	if rows := r.srv.Rows(); rows[0].TLSCert != renewed.CertPEM || rows[0].TLSKey != renewed.KeyPEM {
		t.Fatalf("the renewal did not reach Devtron")
	}
	r.assertNoCanary()
}
