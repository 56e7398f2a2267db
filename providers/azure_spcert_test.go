package providers_test

import (
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// keyLines are the base64 lines of the private key in a certificate's PEM: none may show.
func keyLines(t *testing.T, pemText string) []string {
	t.Helper()
	var lines []string
	rest := []byte(pemText)
	for {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		if strings.HasSuffix(b.Type, "PRIVATE KEY") {
			enc := string(pem.EncodeToMemory(b))
			for l := range strings.SplitSeq(enc, "\n") {
				if len(l) >= 32 && !strings.HasPrefix(l, "-----") {
					lines = append(lines, l)
				}
			}
		}
	}
	if len(lines) == 0 {
		t.Fatal("no private key in the PEM")
	}
	return lines
}

// assertNoKey fails when any line of the certificate's private key, or the client assertion the
// emulator saw, shows in the result.
func assertNoKey(t *testing.T, r providers.Result, pemText string) {
	t.Helper()
	raw, _ := json.Marshal(r)
	for _, l := range keyLines(t, pemText) {
		if strings.Contains(string(raw), l) {
			t.Fatalf("the result shows the private key: %s", raw)
		}
	}
	if strings.Contains(string(raw), "eyJhbGciOiJQUzI1Ni") {
		t.Fatalf("the result shows the client assertion: %s", raw)
	}
}

// A service principal that signs in with a certificate: a client assertion Entra verifies, each
// refusal named by its AADSTS code, and an expired certificate said (date, days ago) before
// Entra is asked.
func TestCheckServicePrincipalCertificate(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	pass, fail, warn, skip := providers.Pass, providers.Fail, providers.Warn, providers.Skip
	notChecked := wants{"scope:vso.code_manage": expect(skip), "org": expect(skip)}
	tests := []struct {
		name, client, cert string
		ahead              time.Duration // this machine's clock ahead of Entra's
		ok                 bool
		want               wants
		asked              bool // whether Entra was asked
	}{
		{name: "registered certificate", client: fake.AzureSPClientID, cert: fake.AzureSPCertificate(), ok: true, asked: true, want: wants{
			"auth":                  expect(pass, "authenticated as "+fake.AzureSPDisplayName, fake.AzureSPClientID),
			"scope:vso.code_manage": expect(warn, "can read code"),
			"org":                   expect(pass, fake.AzureProject),
			"expiry":                expect(pass, "the certificate (CN=gitops-argocd, thumbprint ", "expires on", "(in 364 days)")}},
		{name: "certificate not registered", client: fake.AzureSPClientID, cert: fake.AzureSPUnregisteredCertificate(), asked: true,
			want: notChecked.plus(wants{"auth": expect(fail, "AADSTS700027", "CN=gitops-elsewhere, thumbprint ", "not registered",
				"Certificates & secrets page", "tab Certificates")})},
		{name: "expired certificate", client: fake.AzureSPClientID, cert: fake.AzureSPExpiredCertificate(), want: notChecked.plus(wants{
			"auth":   expect(fail, "CN=gitops-argocd-2024", "expired on ", "(10 days ago)", "--sp-cert FILE"),
			"expiry": expect(fail, "the certificate (CN=gitops-argocd-2024", "expired on", "(10 days ago)")})},
		{name: "clock ahead of Entra's", client: fake.AzureSPClientID, cert: fake.AzureSPCertificate(), ahead: time.Hour, asked: true,
			want: notChecked.plus(wants{"auth": expect(fail, "AADSTS700024", "valid time range", "clock")})},
		{name: "certificate expiring in 5 days (clock a year ahead)", client: fake.AzureSPClientID, cert: fake.AzureSPCertificate(),
			ahead: 360 * 24 * time.Hour, asked: true, want: notChecked.plus(wants{"auth": expect(fail, "AADSTS700024"),
				"expiry": expect(warn, "the certificate (CN=gitops-argocd, thumbprint ", "expires in 4 days", "--sp-cert FILE")})},
		{name: "unknown application", client: "99999999-8888-4777-8666-555555555555", cert: fake.AzureSPCertificate(), asked: true,
			want: notChecked.plus(wants{"auth": expect(fail, "AADSTS700016")})},
		{name: "not a member of the organisation", client: fake.AzureSPNotMemberClientID, cert: fake.AzureSPCertificate(), asked: true,
			want: wants{"auth": expect(fail, "TF401444")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { // one at a time: each reads the request log
			c := e.ServicePrincipal(tc.client, tc.cert)
			c.Org = fake.AzureProject
			env := envWithTimeout(5 * time.Second)
			env.Now = func() time.Time { return time.Now().Add(tc.ahead) }
			before := len(e.Requests(providers.Azure))
			r := runCheck(t, env, c)
			assertResult(t, r, tc.want)
			assertOK(t, r, tc.ok)
			assertNoKey(t, r, tc.cert)
			asked := false
			for _, rq := range e.Requests(providers.Azure)[before:] {
				asked = asked || strings.HasPrefix(rq.Path, fake.AzureAuthorityPath)
			}
			if asked != tc.asked {
				t.Errorf("Entra asked: %v, want %v", asked, tc.asked)
			}
		})
	}
}

// The round trip with a certificate: Entra's token for the certificate's assertion works on
// Azure DevOps' API and over Git.
func TestRoundTripWithAServicePrincipalCertificate(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	c := emu.ServicePrincipal(fake.AzureSPClientID, fake.AzureSPCertificate())
	r, _ := deepRun(t, testCtx(t), deepEnv(), c, nil)
	deepWant(t, r, "pass pass pass pass pass", nil)
	assertNoKey(t, r, c.Token)
	if left := prefixedRepos(emu, providers.Azure); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// The assertion is what Microsoft documents: PS256, x5t#S256 the SHA-256 thumbprint, aud the
// token endpoint, iss = sub = the client ID, a jti, nbf = iat = now, exp ten minutes later.
func TestEntraAssertionFormat(t *testing.T) {
	t.Parallel()
	sc, err := providers.ParseSPCertificate(fake.AzureSPCertificate())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	aud := "https://login.microsoftonline.com/" + fake.AzureTenantID + "/oauth2/v2.0/token"
	a, err := providers.EntraAssertion(sc, fake.AzureSPClientID, aud, now)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(a, ".")
	var header map[string]string
	var claims map[string]any
	for i, v := range []any{&header, &claims} {
		raw, _ := base64.RawURLEncoding.DecodeString(parts[i])
		if err := json.Unmarshal(raw, v); err != nil {
			t.Fatal(err)
		}
	}
	if header["alg"] != "PS256" || header["typ"] != "JWT" || len(header["x5t#S256"]) != 43 {
		t.Errorf("header %v", header)
	}
	if claims["aud"] != aud || claims["iss"] != fake.AzureSPClientID || claims["sub"] != fake.AzureSPClientID || claims["jti"] == "" ||
		claims["nbf"] != float64(now.Unix()) || claims["iat"] != float64(now.Unix()) || claims["exp"].(float64)-claims["nbf"].(float64) > 600 {
		t.Errorf("claims %v", claims)
	}
}

// What cannot be a certificate credential is refused before any request, naming what is wrong,
// never showing the key.
func TestParseSPCertificateRefusals(t *testing.T) {
	t.Parallel()
	good, other := fake.AzureSPCertificate(), fake.AzureSPUnregisteredCertificate()
	certOf := func(p string) string { return p[:strings.Index(p, "-----BEGIN RSA PRIVATE KEY")] }
	keyOf := func(p string) string { return p[strings.Index(p, "-----BEGIN RSA PRIVATE KEY"):] }
	for _, tc := range []struct{ name, pem, want string }{
		{"key alone", keyOf(good), "no certificate"},
		{"certificate alone", certOf(good), "no private key"},
		{"another certificate's key", certOf(good) + keyOf(other), "not the certificate's"},
		{"two keys", good + keyOf(other), "more than one private key"},
	} {
		_, err := providers.ParseSPCertificate(tc.pem)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
		for _, l := range keyLines(t, good) {
			if err != nil && strings.Contains(err.Error(), l) {
				t.Errorf("%s: the error shows the key", tc.name)
			}
		}
	}
}

// An authority that echoes the client assertion in its refusal: it never shows in the result.
func TestServicePrincipalAssertionNeverShows(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	c := e.ServicePrincipal(fake.AzureSPClientID, fake.AzureSPCertificate())
	hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		fake.WriteJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_client", "error_codes": []int{700027},
			"error_description": "AADSTS700027: Client assertion contains an invalid signature: " + r.PostForm.Get("client_assertion") + "\r\nTrace ID: x"})
	}))
	t.Cleanup(hostile.Close)
	c.AuthorityURL = hostile.URL + "/"
	r := runCheck(t, envWithTimeout(5*time.Second), c)
	assertResult(t, r, wants{"auth": expect(providers.Fail, "AADSTS700027")})
	assertNoKey(t, r, c.Token)
}

// Service principal (certificate) live check with 50 ms per request: the assertion is signed
// locally, then the Entra token, then Azure DevOps' three concurrent GETs: chain 2 → ≤ 115 ms.
func BenchmarkCheckAzureServicePrincipalCertificate(b *testing.B) {
	e := kit.Emulators(b, fake.Options{Latency: benchLatency})
	benchCredsCheck(b, e.ServicePrincipal(fake.AzureSPClientID, fake.AzureSPCertificate()), 2)
}
