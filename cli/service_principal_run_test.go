package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/platforms/devtronfake"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// An Azure DevOps service principal on the command line: set takes its tenant, client ID and
// authority URL and the client secret on standard input and checks it; check --json names its
// kind; Argo CD gets the principal, Flux a refusal saying what to set up (exit 2), Devtron a
// refusal (exit 1); the secret shows nowhere but in the Argo CD manifest.
func TestServicePrincipalCommandLine(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	dir := initStore(t)
	c := e.ServicePrincipal(fake.AzureSPClientID, fake.AzureSPSecret)
	r := gitopscfg(t, dir, fake.AzureSPSecret+"\n", nil, "set", "sp", "--provider", "azure", "--host", c.Host, "--org", c.Org,
		"--tenant-id", c.TenantID, "--client-id", c.ClientID, "--authority-url", c.AuthorityURL, "--token-stdin")
	noTokens(t, r.out+r.err, fake.AzureSPSecret)
	if r.code != 0 || !strings.Contains(r.out+r.err, fake.AzureSPDisplayName) {
		t.Fatalf("set: exit %d\n%s%s", r.code, r.out, r.err)
	}

	r = gitopscfg(t, dir, "", nil, "check", "sp", "--json")
	noTokens(t, r.out+r.err, fake.AzureSPSecret)
	var checked struct {
		Results []struct {
			Kind string `json:"kind"`
			OK   bool   `json:"ok"`
		} `json:"results"`
	}
	err := json.Unmarshal([]byte(r.out), &checked)
	if results := checked.Results; err != nil || len(results) != 1 || results[0].Kind != "service-principal" || !results[0].OK {
		t.Fatalf("check --json: exit %d %v\n%s%s", r.code, err, r.out, r.err)
	}

	out := filepath.Join(t.TempDir(), "argocd.yaml")
	var raw []byte
	mustRun(t, dir, "", "export", "argocd", "sp", "--output", out)
	raw, err = os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`azureServicePrincipalClientId: "` + fake.AzureSPClientID + `"`, `azureServicePrincipalClientSecret: "` + fake.AzureSPSecret + `"`,
		`azureServicePrincipalTenantId: "` + fake.AzureTenantID + `"`, `azureActiveDirectoryEndpoint: "` + c.AuthorityURL + `"`} {
		if !strings.Contains(string(raw), w) {
			t.Errorf("the Argo CD Secret lacks %q:\n%s", w, raw)
		}
	}
	if strings.Contains(string(raw), "password:") {
		t.Errorf("the Argo CD Secret of a service principal has a password:\n%s", raw)
	}

	r = gitopscfg(t, dir, "", nil, "export", "flux", "sp", "--output", filepath.Join(t.TempDir(), "flux.yaml"))
	noTokens(t, r.out+r.err, fake.AzureSPSecret)
	for _, w := range []string{"workload identity", "federated credential", "azure.workload.identity/client-id: " + fake.AzureSPClientID, "spec.provider: azure"} {
		if r.code != 2 || !strings.Contains(r.err, w) {
			t.Errorf("export flux: exit %d, want 2 and %q\n%s", r.code, w, r.err)
		}
	}

	dt := kit.Devtron(t, devtronfake.Options{})
	mustRun(t, dir, devtronfake.SuperAdminToken, "devtron", "set", "--url", dt.URL(), "--token-stdin", "--no-check")
	r = gitopscfg(t, dir, "", nil, "push", "devtron", "sp")
	noTokens(t, r.out+r.err, fake.AzureSPSecret)
	if r.code != 1 || !strings.Contains(r.err, "Devtron takes tokens only") || !strings.Contains(r.err, "a service principal") {
		t.Errorf("push devtron: exit %d, want 1 saying Devtron takes tokens only\n%s", r.code, r.err)
	}
}

// set refuses a service principal's fields that are not what Entra names: a tenant that is
// neither a GUID nor a domain, a client ID that is no GUID, an authority URL with the token
// endpoint; and a service principal without its fields is told which flags it lacks.
func TestSetRefusesBadServicePrincipalFields(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	dir := initStore(t)
	c := e.ServicePrincipal(fake.AzureSPClientID, fake.AzureSPSecret)
	base := []string{"set", "sp", "--provider", "azure", "--host", c.Host, "--org", c.Org, "--no-check", "--token-stdin"}
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"--tenant-id", "not a tenant", "--client-id", c.ClientID}, []string{"--tenant-id", "Directory (tenant) ID"}},
		{[]string{"--tenant-id", c.TenantID, "--client-id", "12345"}, []string{"--client-id", "not a GUID"}},
		{[]string{"--tenant-id", c.TenantID, "--client-id", c.ClientID, "--authority-url", c.AuthorityURL + c.TenantID + "/oauth2/v2.0/token"},
			[]string{"--authority-url", "token endpoint"}},
		{[]string{"--kind", "service-principal"}, []string{"--tenant-id", "--client-id"}},
	}
	for _, tc := range cases {
		r := gitopscfg(t, dir, fake.AzureSPSecret, nil, append(base, tc.args...)...)
		noTokens(t, r.out+r.err, fake.AzureSPSecret)
		if r.code != 2 {
			t.Errorf("set %v: exit %d, want 2\n%s", tc.args, r.code, r.err)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.err, w) {
				t.Errorf("set %v: stderr lacks %q\n%s", tc.args, w, r.err)
			}
		}
	}
	if _, err := providers.Lookup("azure"); err != nil {
		t.Fatal(err)
	}
}
