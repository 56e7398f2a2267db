package providers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// The live check of an Azure DevOps service principal names each refusal of Microsoft Entra ID by
// its AADSTS code, and a principal the organisation does not know by TF401444.
func TestCheckAzureServicePrincipal(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	env := envWithTimeout(5 * time.Second)
	pass, fail, warn, skip := providers.Pass, providers.Fail, providers.Warn, providers.Skip
	notChecked := wants{"scope:vso.code_manage": expect(skip), "org": expect(skip)}
	tests := []struct {
		name           string
		client, secret string
		edit           func(*providers.Credentials)
		ok             bool
		want           wants
	}{
		{name: "member of the organisation", client: fake.AzureSPClientID, secret: fake.AzureSPSecret, ok: true, want: wants{
			"auth":                  expect(pass, "authenticated as "+fake.AzureSPDisplayName, fake.AzureSPClientID, fake.AzureTenantID),
			"scope:vso.code_manage": expect(warn, "can read code", "round-trip", "Contributors"),
			"org":                   expect(pass, fake.AzureProject),
			"expiry":                expect(skip, "Certificates & secrets", "AADSTS7000222"),
		}},
		{name: "tenant by domain", client: fake.AzureSPClientID, secret: fake.AzureSPSecret, ok: true,
			edit: func(c *providers.Credentials) { c.TenantID = fake.AzureTenantDomain }, want: wants{"auth": expect(pass)}},
		{name: "refused secret", client: fake.AzureSPClientID, secret: "Qx58Q~thisIsNotTheSecret00000000000000aB", want: notChecked.plus(wants{
			"auth": expect(fail, "AADSTS7000215", "Value, not its Secret ID", "Certificates & secrets")})},
		{name: "expired secret", client: fake.AzureSPClientID, secret: fake.AzureSPExpiredSecret, want: notChecked.plus(wants{
			"auth":   expect(fail, "AADSTS7000222", "expired", "--token-stdin"),
			"expiry": expect(fail, "expired")})},
		{name: "unknown tenant", client: fake.AzureSPClientID, secret: fake.AzureSPSecret,
			edit: func(c *providers.Credentials) { c.TenantID = "11111111-2222-4333-8444-555555555555" }, want: notChecked.plus(wants{
				"auth": expect(fail, "AADSTS90002", "11111111-2222-4333-8444-555555555555", "Directory (tenant) ID", "--authority-url")})},
		{name: "unknown application", client: "99999999-8888-4777-8666-555555555555", secret: fake.AzureSPSecret, want: notChecked.plus(wants{
			"auth": expect(fail, "AADSTS700016", "99999999-8888-4777-8666-555555555555", "Application (client) ID")})},
		{name: "not a member of the organisation", client: fake.AzureSPNotMemberClientID, secret: fake.AzureSPSecret, want: wants{
			"auth": expect(fail, "TF401444", "not a member of the organisation", "/_settings/users", "Contributors"),
			"org":  expect(skip), "scope:vso.code_manage": expect(skip)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := e.ServicePrincipal(tc.client, tc.secret)
			if tc.edit != nil {
				tc.edit(&c)
			}
			r := runCheck(t, env, c)
			assertResult(t, r, tc.want)
			assertOK(t, r, tc.ok)
			if r.Kind != "service-principal" {
				t.Errorf("kind = %q, want service-principal", r.Kind)
			}
		})
	}
}

// A service principal passes the round trip: Git over HTTPS takes its Entra token as Bearer, and
// the round trip confirms the write access the live check could not.
func TestRoundTripWithAServicePrincipal(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	c := emu.ServicePrincipal(fake.AzureSPClientID, fake.AzureSPSecret)
	r, _ := deepRun(t, testCtx(t), deepEnv(), c, nil)
	deepWant(t, r, "pass pass pass pass pass", nil)
	assertResult(t, r, wants{"scope:vso.code_manage": expect(providers.Pass, "confirmed by the round trip")})
	if left := prefixedRepos(emu, providers.Azure); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// Service principal live check with 50 ms per request: the Entra token, then Azure DevOps'
// three concurrent GETs with it: chain 2 → ≤ 115 ms.
func BenchmarkCheckAzureServicePrincipal(b *testing.B) {
	e := kit.Emulators(b, fake.Options{Latency: benchLatency})
	benchCredsCheck(b, e.ServicePrincipal(fake.AzureSPClientID, fake.AzureSPSecret), 2)
}

// CanRead asks Azure Repos with the service principal's Entra token; a principal that is not a
// user of the organisation is refused.
func TestCanReadWithAServicePrincipal(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	c := e.ServicePrincipal(fake.AzureSPClientID, fake.AzureSPSecret)
	if err := e.AddRepo(providers.Azure, "gitops"); err != nil {
		t.Fatal(err)
	}
	u := repoURL(t, c, "gitops")
	env := envWithTimeout(10 * time.Second)
	if ch := providers.CanRead(context.Background(), env, c, u); ch.Status != providers.Pass {
		t.Errorf("CanRead: %+v", ch)
	}
	bad := e.ServicePrincipal(fake.AzureSPClientID, fake.AzureSPExpiredSecret)
	if ch := providers.CanRead(context.Background(), env, bad, u); ch.Status != providers.Fail || !strings.Contains(ch.Message, "AADSTS7000222") ||
		strings.Contains(ch.Message, fake.AzureSPExpiredSecret) {
		t.Errorf("CanRead with an expired secret: %+v", ch)
	}
}

// An authority that echoes the client secret in its refusal, and an Azure DevOps that echoes the
// Entra token: neither shows in the result.
func TestServicePrincipalSecretsNeverShow(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	c := e.ServicePrincipal(fake.AzureSPClientID, fake.AzureSPSecret)
	hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		fake.WriteJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_client", "error_codes": []int{7000215},
			"error_description": "AADSTS7000215: Invalid client secret provided: " + r.PostForm.Get("client_secret") + "\r\nTrace ID: x"})
	}))
	t.Cleanup(hostile.Close)
	c.AuthorityURL = hostile.URL + "/"
	r := runCheck(t, envWithTimeout(5*time.Second), c)
	assertResult(t, r, wants{"auth": expect(providers.Fail, "AADSTS7000215")})
	assertNoToken(t, r, fake.AzureSPSecret)
}
