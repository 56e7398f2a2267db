package fake_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// signRS256 signs header and claims with RS256 (Entra's older form, x5t the SHA-1 thumbprint).
func signRS256(t *testing.T, sc providers.SPCertificate, claims map[string]any) string {
	t.Helper()
	enc := base64.RawURLEncoding
	thumb := sha1.Sum(sc.Cert.Raw)
	h, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "x5t": enc.EncodeToString(thumb[:])})
	c, _ := json.Marshal(claims)
	signed := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(nil, sc.Key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return signed + "." + enc.EncodeToString(sig)
}

// The emulator's Entra verifies a client assertion as Microsoft documents it: the registered
// certificate's signature (PS256 with x5t#S256, or RS256 with x5t), iss = sub = client_id, aud
// = this token endpoint, nbf…exp; each refusal carries Entra's code.
func TestEntraEmulatorVerifiesClientAssertions(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	authority := e.URL(providers.Azure) + fake.AzureAuthorityPath
	aud := authority + fake.AzureTenantID + "/oauth2/v2.0/token"
	parse := func(p string) providers.SPCertificate {
		sc, err := providers.ParseSPCertificate(p)
		if err != nil {
			t.Fatal(err)
		}
		return sc
	}
	good, expired, unregistered := parse(fake.AzureSPCertificate()), parse(fake.AzureSPExpiredCertificate()), parse(fake.AzureSPUnregisteredCertificate())
	now := time.Now()
	sign := func(sc providers.SPCertificate, client, aud string, at time.Time) string {
		a, err := providers.EntraAssertion(sc, client, aud, at)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	form := func(assertion string) url.Values {
		return url.Values{"client_id": {fake.AzureSPClientID}, "grant_type": {"client_credentials"}, "scope": {providers.AzureDevOpsScope},
			"client_assertion_type": {providers.EntraAssertionType}, "client_assertion": {assertion}}
	}
	claims := map[string]any{"aud": aud, "iss": fake.AzureSPClientID, "sub": fake.AzureSPClientID, "jti": "1",
		"nbf": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()}
	for name, a := range map[string]string{"PS256, x5t#S256": sign(good, fake.AzureSPClientID, aud, now), "RS256, x5t": signRS256(t, good, claims)} {
		if code, m := entraPost(t, authority, fake.AzureTenantID, form(a)); code != 200 || m["access_token"] == nil {
			t.Errorf("%s: %d %v", name, code, m)
		}
	}
	tampered := sign(good, fake.AzureSPClientID, aud, now)
	tampered = tampered[:len(tampered)-4] + "AAAA"
	wrongType := form(sign(good, fake.AzureSPClientID, aud, now))
	wrongType.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer")
	for _, r := range []struct {
		name   string
		form   url.Values
		status int
		aadsts int
		says   string
	}{
		{"not a JWT", form("not-a-jwt"), 400, 50027, "invalid or malformed"},
		{"another issuer", form(sign(good, fake.AzureSPNotMemberClientID, aud, now)), 401, 700021, "doesn't match 'client_id'"},
		{"another audience", form(sign(good, fake.AzureSPClientID, "https://login.microsoftonline.com/x/oauth2/v2.0/token", now)), 401, 700023, "audience"},
		{"an hour ahead", form(sign(good, fake.AzureSPClientID, aud, now.Add(time.Hour))), 401, 700024, "not within its valid time range"},
		{"expired assertion", form(sign(good, fake.AzureSPClientID, aud, now.Add(-time.Hour))), 401, 700024, "expiry time of assertion"},
		{"certificate not registered", form(sign(unregistered, fake.AzureSPClientID, aud, now)), 401, 700027, "The key was not found"},
		{"registered certificate expired", form(sign(expired, fake.AzureSPClientID, aud, now)), 401, 700027, "The key used is expired"},
		{"signature altered", form(tampered), 401, 700027, "did not match the expected signature"},
		{"wrong assertion type", wrongType, 400, 900144, "client_assertion_type"},
	} {
		code, m := entraPost(t, authority, fake.AzureTenantID, r.form)
		desc, _ := m["error_description"].(string)
		codes, _ := m["error_codes"].([]any)
		if code != r.status || len(codes) != 1 || codes[0] != float64(r.aadsts) || !strings.Contains(desc, r.says) {
			t.Errorf("%s: %d %v, want %d AADSTS%d %q", r.name, code, m, r.status, r.aadsts, r.says)
		}
	}
}
