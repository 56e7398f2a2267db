package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/platforms/devtronfake"
	"gitopscfg/providers/fake"
)

// storeData decrypts the store of dir.
func storeData(t *testing.T, dir string) *config.Data {
	t.Helper()
	s, err := config.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// pemBodyLine is a line of a PEM's base64 body, to look for in what must not hold it.
func pemBodyLine(pem string) string { return strings.Split(pem, "\n")[2] }

// replaceFiles renames new certificate and key files over certPath and keyPath, as cert-manager
// and Vault agent renew them.
func replaceFiles(t *testing.T, certPath, keyPath string, i kit.Issued) {
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

type certCheckJSON struct {
	Results []struct {
		OK     bool `json:"ok"`
		Checks []struct {
			ID        string     `json:"id"`
			Status    string     `json:"status"`
			Message   string     `json:"message"`
			ExpiresAt *time.Time `json:"expires_at"`
		} `json:"checks"`
	} `json:"results"`
}

// clientCertCheck runs check --json and returns whether it passed and its client-cert check.
func clientCertCheck(t *testing.T, dir string) (ok bool, status, msg string, exp *time.Time) {
	t.Helper()
	r := gitopscfg(t, dir, "", nil, "check", "github", "--json")
	var got certCheckJSON
	if err := json.Unmarshal([]byte(r.out), &got); err != nil || len(got.Results) != 1 {
		t.Fatalf("check --json: exit %d, %v\n%s%s", r.code, err, r.out, r.err)
	}
	for _, c := range got.Results[0].Checks {
		if c.ID == "client-cert" {
			return got.Results[0].OK, c.Status, c.Message, c.ExpiresAt
		}
	}
	t.Fatalf("no client-cert check:\n%s", r.out)
	return
}

// set --client-cert FILE --client-key FILE --client-cert-in-place keeps the files' absolute
// paths, never their content; each check reads them again (a renewal renamed into place shows
// at once), a file gone is named, a PEM set without --client-cert-in-place replaces the paths
// and --client-cert "" clears them.
func TestSetWithAClientCertificateInPlace(t *testing.T) {
	t.Parallel()
	serverCA, clientCA := kit.NewCA(t, "Server CA"), kit.NewCA(t, "Client CA")
	srv := kit.MTLSServer(t, fake.GitHubHandler(), serverCA, clientCA)
	first := clientCA.Client(t, "deploy-bot", time.Now().Add(-time.Hour), time.Now().Add(30*24*time.Hour))
	certPath, keyPath := first.WriteFiles(t)
	wd, _ := os.Getwd()
	relCert, err := filepath.Rel(wd, certPath)
	if err != nil || filepath.IsAbs(relCert) {
		t.Fatalf("no relative path to %s from %s: %v", certPath, wd, err)
	}
	dir := initStore(t)
	var seen strings.Builder
	do := func(stdin string, args ...string) run {
		t.Helper()
		r := gitopscfg(t, dir, stdin, nil, args...)
		seen.WriteString(r.out + r.err)
		return r
	}
	base := []string{"set", "github", "--host", srv.URL + "/", "--org", fake.GitHubOrg, "--username", fake.GitHubUser, "--token-stdin",
		"--ca-bundle", serverCA.File(t)}
	if r := do(fake.GitHubTokenFull+"\n", append(base, "--client-cert", certPath, "--client-cert-in-place")...); r.code != 2 ||
		!strings.Contains(r.err, "--client-cert-in-place needs the two files: --client-cert FILE --client-key FILE") {
		t.Fatalf("--client-cert-in-place without --client-key: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if r := do(fake.GitHubTokenFull+"\n", append(base, "--client-cert", certPath+".none", "--client-key", keyPath, "--client-cert-in-place")...); r.code != 2 ||
		!strings.Contains(r.err, "--client-cert: cannot read "+certPath+".none: no such file or directory") {
		t.Fatalf("--client-cert-in-place with a missing file: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if r := do(fake.GitHubTokenFull+"\n", append(base, "--client-cert", relCert, "--client-key", keyPath, "--client-cert-in-place")...); r.code != 0 {
		t.Fatalf("set with a client certificate in place: exit %d\n%s%s", r.code, r.out, r.err)
	}
	d := storeData(t, dir)
	c := d.Credentials["github"]
	if c.ClientCertPath != certPath || c.ClientKeyPath != keyPath || c.ClientCert != "" || c.ClientKey != "" {
		t.Fatalf("stored cert %q key %q, PEMs kept: %v", c.ClientCertPath, c.ClientKeyPath, c.ClientCert+c.ClientKey != "")
	}
	plain, _ := d.Encode()
	for _, s := range []string{"PRIVATE KEY", "BEGIN CERTIFICATE", pemBodyLine(first.KeyPEM), pemBodyLine(first.CertPEM)} {
		if strings.Contains(string(plain), s) {
			t.Fatalf("the store holds %q", s)
		}
	}
	if last := d.Audit[len(d.Audit)-1]; !slices.Contains(last.Fields, "client_cert_path") || !slices.Contains(last.Fields, "client_key_path") {
		t.Fatalf("the audit entry names %v", last.Fields)
	}
	if ok, st, _, exp := clientCertCheck(t, dir); !ok || st != "pass" || exp == nil || !exp.Equal(first.TLS(t).Leaf.NotAfter) {
		t.Fatalf("check: ok %v, client-cert %s expiring %v", ok, st, exp)
	}

	renewed := clientCA.Client(t, "deploy-bot", time.Now().Add(-time.Minute), time.Now().Add(90*24*time.Hour))
	replaceFiles(t, certPath, keyPath, renewed)
	if ok, st, _, exp := clientCertCheck(t, dir); !ok || st != "pass" || exp == nil || !exp.Equal(renewed.TLS(t).Leaf.NotAfter) {
		t.Fatalf("check after a renewal: ok %v, client-cert %s expiring %v, want %v", ok, st, exp, renewed.TLS(t).Leaf.NotAfter)
	}
	if r := do("", "status"); !strings.Contains(r.out, "(read in place from "+certPath+")") {
		t.Fatalf("status does not name the file:\n%s", r.out)
	}
	var st struct {
		Providers []struct {
			ClientCertExpiresAt *time.Time `json:"client_cert_expires_at"`
			ClientCertPath      string     `json:"client_cert_path"`
		} `json:"providers"`
	}
	if r := do("", "status", "--json"); json.Unmarshal([]byte(r.out), &st) != nil || len(st.Providers) == 0 || st.Providers[0].ClientCertPath != certPath ||
		st.Providers[0].ClientCertExpiresAt == nil || !st.Providers[0].ClientCertExpiresAt.Equal(renewed.TLS(t).Leaf.NotAfter) {
		t.Fatalf("status --json does not give the renewed certificate's expiry:\n%s", r.out)
	}
	if r := do("", "check", "github", "--format", "prometheus"); !strings.Contains(r.out, "gitopscfg_client_cert_expiry_timestamp_seconds{") {
		t.Fatalf("no client certificate metric:\n%s", r.out)
	}

	if err := os.Rename(certPath, certPath+".old"); err != nil {
		t.Fatal(err)
	}
	gone := "cannot read the client certificate " + certPath + ": no such file or directory"
	if ok, st, msg, _ := clientCertCheck(t, dir); ok || st != "fail" || !strings.Contains(msg, gone) {
		t.Fatalf("check with the file gone: ok %v, client-cert %s %q", ok, st, msg)
	}
	if r := do("", "check", "github"); r.code != 1 || !strings.Contains(r.out, gone) {
		t.Fatalf("check with the file gone: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if r := do("", "status"); !strings.Contains(r.out, gone) {
		t.Fatalf("status with the file gone:\n%s", r.out)
	}
	if err := os.Rename(certPath+".old", certPath); err != nil {
		t.Fatal(err)
	}

	if r := do("", "set", "github", "--client-cert", certPath, "--client-key", keyPath); r.code != 0 {
		t.Fatalf("the PEMs into the store: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if c := storeData(t, dir).Credentials["github"]; c.ClientCertPath != "" || c.ClientKeyPath != "" || c.ClientCert != renewed.CertPEM {
		t.Fatalf("a certificate set into the store keeps the paths %q %q", c.ClientCertPath, c.ClientKeyPath)
	}
	if r := do("", "set", "github", "--client-cert", certPath, "--client-key", keyPath, "--client-cert-in-place"); r.code != 0 {
		t.Fatalf("back in place: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if c := storeData(t, dir).Credentials["github"]; c.ClientCert != "" || c.ClientKey != "" || c.ClientCertPath != certPath {
		t.Fatal("a certificate set in place keeps the PEMs in the store")
	}
	if r := do("", "set", "github", "--client-cert", "", "--no-check"); r.code != 0 {
		t.Fatalf("--client-cert \"\": exit %d\n%s%s", r.code, r.out, r.err)
	}
	if c := storeData(t, dir).Credentials["github"]; c.Net().HasClientCert() {
		t.Fatalf("--client-cert \"\" leaves %q %q", c.ClientCertPath, c.ClientKeyPath)
	}
	if strings.Contains(seen.String(), "PRIVATE KEY") || strings.Contains(seen.String(), pemBodyLine(renewed.KeyPEM)) ||
		strings.Contains(seen.String(), fake.GitHubTokenFull) {
		t.Fatalf("a key or token shows:\n%s", seen.String())
	}
}

// devtron set takes --client-cert-in-place too: the instance keeps the paths, its check and
// status read the files (a renewal shows at once), and --client-cert "" clears them.
func TestDevtronSetWithAClientCertificateInPlace(t *testing.T) {
	t.Parallel()
	const tok = "devtron-CANARY-inplace-admin-token-000093"
	serverCA, clientCA := kit.NewCA(t, "Server CA"), kit.NewCA(t, "Client CA")
	front := kit.MTLSServer(t, kit.Devtron(t, devtronfake.Options{Tokens: map[string]bool{tok: true}}), serverCA, clientCA)
	first := clientCA.Client(t, "devtron-bot", time.Now().Add(-time.Hour), time.Now().Add(30*24*time.Hour))
	certPath, keyPath := first.WriteFiles(t)
	dir := initStore(t)
	r := gitopscfg(t, dir, tok+"\n", nil, "devtron", "set", "--url", front.URL, "--token-stdin", "--ca-bundle", serverCA.File(t),
		"--client-cert", certPath, "--client-key", keyPath, "--client-cert-in-place")
	if r.code != 0 || !strings.Contains(r.out, "the client certificate CN=devtron-bot (issued by CN=Client CA) is valid until") {
		t.Fatalf("devtron set in place: exit %d\n%s%s", r.code, r.out, r.err)
	}
	seen := r.out + r.err
	in := storeData(t, dir).Platforms["devtron"]["default"]
	if in == nil {
		t.Fatal("no instance stored")
	}
	if in.ClientCertPath != certPath || in.ClientKeyPath != keyPath || in.ClientCert != "" || in.ClientKey != "" {
		t.Fatalf("stored instance: %v, paths %q %q, PEMs kept: %v", in != nil, in.ClientCertPath, in.ClientKeyPath, in.ClientCert+in.ClientKey != "")
	}
	renewed := clientCA.Client(t, "devtron-bot", time.Now().Add(-time.Minute), time.Now().Add(90*24*time.Hour))
	replaceFiles(t, certPath, keyPath, renewed)
	want := "valid until " + renewed.TLS(t).Leaf.NotAfter.UTC().Format("2006-01-02 15:04 UTC") + " (read in place from " + certPath + ")"
	if r = gitopscfg(t, dir, "", nil, "status"); r.code != 0 || !strings.Contains(r.out, want) {
		t.Fatalf("status after a renewal: exit %d, want %q\n%s%s", r.code, want, r.out, r.err)
	}
	seen += r.out + r.err
	if r = gitopscfg(t, dir, "", nil, "devtron", "set", "--client-key", keyPath, "--client-cert-in-place"); r.code != 2 {
		t.Fatalf("--client-cert-in-place without --client-cert: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if r = gitopscfg(t, dir, "", nil, "devtron", "set", "--client-cert", "", "--no-check"); r.code != 0 {
		t.Fatalf("devtron set --client-cert \"\": exit %d\n%s%s", r.code, r.out, r.err)
	}
	if in = storeData(t, dir).Platforms["devtron"]["default"]; in.HasClientCert() {
		t.Fatalf("--client-cert \"\" leaves %q %q", in.ClientCertPath, in.ClientKeyPath)
	}
	if seen += r.out + r.err; strings.Contains(seen, "PRIVATE KEY") || strings.Contains(seen, tok) {
		t.Fatal("a secret shows")
	}
}
