package cli_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers/fake"
)

// The command line's client-certificate contract: set --client-cert/--client-key (files, kept in
// the store), a key that is not the certificate's refused, check --json's client-cert check with
// its expiry, the Prometheus metric of its own, status naming it, and --client-cert "" clearing
// the certificate and its key. The key never shows.
func TestSetWithAClientCertificate(t *testing.T) {
	t.Parallel()
	serverCA, clientCA := kit.NewCA(t, "Server CA"), kit.NewCA(t, "Client CA")
	srv := kit.MTLSServer(t, fake.GitHubHandler(), serverCA, clientCA)
	good := clientCA.Client(t, "deploy-bot", time.Now().Add(-time.Hour), time.Now().Add(90*24*time.Hour))
	certFile, keyFile := good.WriteFiles(t)
	_, otherKey := clientCA.Client(t, "other", time.Now().Add(-time.Hour), time.Now().Add(time.Hour)).WriteFiles(t)
	dir := initStore(t)
	var seen strings.Builder
	do := func(stdin string, args ...string) run {
		t.Helper()
		r := gitopscfg(t, dir, stdin, nil, args...)
		seen.WriteString(r.out + r.err)
		return r
	}
	base := []string{"set", "github", "--host", srv.URL + "/", "--org", fake.GitHubOrg, "--username", fake.GitHubUser, "--token-stdin",
		"--ca-bundle", serverCA.File(t), "--client-cert", certFile}

	if r := do(fake.GitHubTokenFull+"\n", append(base, "--client-key", otherKey)...); r.code != 2 || !strings.Contains(r.err, "the client key does not match the client certificate CN=deploy-bot") {
		t.Fatalf("a key that is not the certificate's: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if r := do(fake.GitHubTokenFull+"\n", append(base, "--client-key", keyFile)...); r.code != 0 {
		t.Fatalf("set with the client certificate: exit %d\n%s%s", r.code, r.out, r.err)
	}
	r := do("", "check", "github", "--json")
	var checked struct {
		Results []struct {
			OK     bool `json:"ok"`
			Checks []struct {
				ID        string     `json:"id"`
				Status    string     `json:"status"`
				ExpiresAt *time.Time `json:"expires_at"`
			} `json:"checks"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(r.out), &checked); err != nil || len(checked.Results) != 1 || !checked.Results[0].OK {
		t.Fatalf("check --json: exit %d, %v\n%s", r.code, err, r.out)
	}
	found := false
	for _, c := range checked.Results[0].Checks {
		if c.ID == "client-cert" && c.Status == "pass" && c.ExpiresAt != nil && c.ExpiresAt.Equal(good.TLS(t).Leaf.NotAfter) {
			found = true
		}
	}
	if !found {
		t.Fatalf("no passing client-cert check with the certificate's expiry:\n%s", r.out)
	}
	if r = do("", "check", "github", "--format", "prometheus"); !strings.Contains(r.out, "gitopscfg_client_cert_expiry_timestamp_seconds{") {
		t.Fatalf("no client certificate metric:\n%s", r.out)
	}
	if r = do("", "check", "github", "--format", "nagios"); !regexp.MustCompile(`'github_client_cert_expiry_days'=(89\.9[0-9]*|90);14:;0;;`).MatchString(r.out) {
		t.Fatalf("no client certificate value in the Nagios line:\n%s", r.out)
	}
	if r = do("", "status"); !strings.Contains(r.out, "GitHub: the client certificate CN=deploy-bot (issued by CN=Client CA) is valid until") {
		t.Fatalf("status does not name the client certificate:\n%s", r.out)
	}
	var st struct {
		Providers []struct {
			ClientCertExpiresAt *time.Time `json:"client_cert_expires_at"`
		} `json:"providers"`
	}
	if r = do("", "status", "--json"); json.Unmarshal([]byte(r.out), &st) != nil || len(st.Providers) == 0 ||
		st.Providers[0].ClientCertExpiresAt == nil || !st.Providers[0].ClientCertExpiresAt.Equal(good.TLS(t).Leaf.NotAfter) {
		t.Fatalf("status --json does not give the client certificate's expiry:\n%s", r.out)
	}

	if r = do("", "set", "github", "--client-cert", ""); r.code != 1 || !strings.Contains(r.out, "asks for a client certificate and none is set") {
		t.Fatalf("--client-cert \"\" then a check: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if r = do("", "set", "github", "--client-cert", "", "--no-check"); r.code != 0 {
		t.Fatalf("--client-cert \"\" --no-check: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if r = do("", "status"); strings.Contains(r.out, "client certificate") {
		t.Fatalf("status still names a client certificate:\n%s", r.out)
	}
	if strings.Contains(seen.String(), "PRIVATE KEY") || strings.Contains(seen.String(), fake.GitHubTokenFull) {
		t.Fatalf("a key or token shows:\n%s", seen.String())
	}
}
