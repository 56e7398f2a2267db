package fake_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// entraPost sends a token request to the emulator's Entra and decodes its JSON answer.
func entraPost(t *testing.T, authority, tenant string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(authority+tenant+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	return resp.StatusCode, m
}

// The emulator's Entra answers the client-credentials grant as Microsoft documents it, and its
// tokens open Azure DevOps as Bearer only.
func TestEntraEmulatorAnswersLikeEntra(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	authority := e.URL(providers.Azure) + fake.AzureAuthorityPath
	form := func(client, secret, scope string) url.Values {
		return url.Values{"client_id": {client}, "client_secret": {secret}, "grant_type": {"client_credentials"}, "scope": {scope}}
	}
	code, ok := entraPost(t, authority, fake.AzureTenantID, form(fake.AzureSPClientID, fake.AzureSPSecret, providers.AzureDevOpsScope))
	tok, _ := ok["access_token"].(string)
	if code != 200 || ok["token_type"] != "Bearer" || ok["expires_in"] != float64(3599) || strings.Count(tok, ".") != 2 {
		t.Fatalf("token: %d %v", code, ok)
	}
	refusals := []struct {
		tenant, client, secret, scope string
		status, aadsts                int
		kind                          string
	}{
		{fake.AzureTenantID, fake.AzureSPClientID, "wrong-secret-value", providers.AzureDevOpsScope, 401, 7000215, "invalid_client"},
		{fake.AzureTenantID, fake.AzureSPClientID, fake.AzureSPExpiredSecret, providers.AzureDevOpsScope, 401, 7000222, "invalid_client"},
		{"00000000-0000-4000-8000-000000000000", fake.AzureSPClientID, fake.AzureSPSecret, providers.AzureDevOpsScope, 400, 90002, "invalid_request"},
		{fake.AzureTenantID, "00000000-0000-4000-8000-000000000001", fake.AzureSPSecret, providers.AzureDevOpsScope, 400, 700016, "unauthorized_client"},
		{fake.AzureTenantID, fake.AzureSPClientID, fake.AzureSPSecret, "499b84ac-1321-427f-aa17-267ca6975798", 400, 1002012, "invalid_scope"},
	}
	for _, r := range refusals {
		code, m := entraPost(t, authority, r.tenant, form(r.client, r.secret, r.scope))
		desc, _ := m["error_description"].(string)
		codes, _ := m["error_codes"].([]any)
		if code != r.status || m["error"] != r.kind || len(codes) != 1 || codes[0] != float64(r.aadsts) ||
			!strings.HasPrefix(desc, "AADSTS") || !strings.Contains(desc, "\r\nTrace ID: ") || m["correlation_id"] == nil {
			t.Errorf("AADSTS%d: %d %v", r.aadsts, code, m)
		}
	}
	conn := e.URL(providers.Azure) + "/" + fake.AzureOrganisation + "/_apis/connectionData?api-version=7.1-preview.1"
	if a := get(t, conn, "", tok); a.status != 200 {
		t.Errorf("connectionData with the Entra token as Bearer: %d", a.status)
	}
	if a := get(t, conn, "x", tok); a.status != http.StatusNonAuthoritativeInfo {
		t.Errorf("connectionData with the Entra token as Basic's password: %d, want the 203 sign-in page", a.status)
	}
	_, other := entraPost(t, authority, fake.AzureTenantID, form(fake.AzureSPNotMemberClientID, fake.AzureSPSecret, providers.AzureDevOpsScope))
	outsider, _ := other["access_token"].(string)
	if a := get(t, conn, "", outsider); a.status != 401 || !strings.Contains(a.header.Get("X-TFS-ServiceError"), "TF401444") {
		t.Errorf("a principal that is not a user of the organisation: %d %s", a.status, a.header.Get("X-TFS-ServiceError"))
	}
}
