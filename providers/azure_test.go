package providers_test

import (
	"net"
	"strings"
	"testing"
	"time"

	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

func TestAzureScenarios(t *testing.T) {
	t.Parallel()
	emu := azbbEmulators(t)
	tokenURL := emu.URL(providers.Azure) + "/" + fake.AzureOrganisation + "/_usersSettings/tokens"
	const (
		scope      = "scope:vso.code_manage"
		notChecked = "not checked"
	)
	tests := []struct {
		name    string
		token   string
		project *string
		user    *string
		wants   map[string]azbbWant
	}{
		{name: "full access", token: fake.AzureTokenFull, wants: map[string]azbbWant{
			"auth":   azbbW(providers.Pass, fake.AzureDisplayName, fake.AzureUser),
			scope:    azbbW(providers.Warn, "unconfirmed", "--deep", tokenURL),
			"org":    azbbW(providers.Pass, fake.AzureProject),
			"expiry": azbbW(providers.Skip, "Microsoft Entra", tokenURL),
		}},
		{name: "any username works, even empty", token: fake.AzureTokenFull, user: ptr(""), wants: map[string]azbbWant{
			"auth": azbbW(providers.Pass, fake.AzureDisplayName),
		}},
		{name: "no Code scope (TF400813)", token: fake.AzureTokenNoCode, wants: map[string]azbbWant{
			"auth": azbbW(providers.Pass),
			scope:  azbbW(providers.Fail, "missing", "TF400813", "Code: Read, write, & manage", "needed to create", tokenURL),
			"org":  azbbW(providers.Pass, fake.AzureProject),
		}},
		{name: "expired", token: fake.AzureTokenExpired, wants: map[string]azbbWant{
			"auth":   azbbW(providers.Fail, "expired", tokenURL),
			"expiry": azbbW(providers.Fail, "expired", tokenURL),
			scope:    azbbW(providers.Skip, notChecked),
			"org":    azbbW(providers.Skip, notChecked),
		}},
		{name: "revoked", token: fake.AzureTokenRevoked, wants: map[string]azbbWant{
			"auth": azbbW(providers.Fail, "revoked", tokenURL),
		}},
		{name: "invalid: 203 sign-in page", token: fake.AzureTokenInvalid, wants: map[string]azbbWant{
			"auth": azbbW(providers.Fail, "sign-in page", "203", tokenURL),
			scope:  azbbW(providers.Skip, notChecked),
		}},
		{name: "unknown token", token: "nonsense-token-0123456789", wants: map[string]azbbWant{
			"auth": azbbW(providers.Fail, "sign-in page", tokenURL),
		}},
		{name: "unknown project", token: fake.AzureTokenFull, project: ptr("no-such-project"), wants: map[string]azbbWant{
			"auth": azbbW(providers.Pass),
			"org":  azbbW(providers.Fail, `"no-such-project" does not exist`, "/_projects"),
			scope:  azbbW(providers.Skip, notChecked),
		}},
		{name: "no project", token: fake.AzureTokenFull, project: ptr(""), wants: map[string]azbbWant{
			"org": azbbW(providers.Fail, "Project Name"),
		}},
		{name: "server error", token: fake.AzureTokenFull + fake.MarkServerError, wants: map[string]azbbWant{
			"auth": azbbW(providers.Fail, "HTTP 500", "try again later"),
		}},
		{name: "malformed JSON", token: fake.AzureTokenFull + fake.MarkMalformed, wants: map[string]azbbWant{
			"auth": azbbW(providers.Fail, "unreadable JSON"),
		}},
		{name: "connection reset", token: fake.AzureTokenFull + fake.MarkReset, wants: map[string]azbbWant{
			"network": azbbW(providers.Fail, "127.0.0.1"),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := emu.Credentials(providers.Azure, tc.token)
			if tc.project != nil {
				c.Org = *tc.project
			}
			if tc.user != nil {
				c.Username = *tc.user
			}
			r := azbbRun(t, azbbEnv(5*time.Second), c)
			azbbAssert(t, r, tc.token, tc.wants)
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestAzureSlowServerTimesOut(t *testing.T) {
	t.Parallel()
	emu := azbbEmulators(t)
	tok := fake.AzureTokenFull + fake.MarkSlow
	const deadline = 300 * time.Millisecond
	start := time.Now()
	r := azbbRun(t, azbbEnv(deadline), emu.Credentials(providers.Azure, tok))
	azbbNetworkFailure(t, r, time.Since(start), deadline, "127.0.0.1", "timeout")
	azbbNoToken(t, r, tok)
}

func TestAzureNetworkFailures(t *testing.T) {
	t.Parallel()
	// A port nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := ln.Addr().String()
	_ = ln.Close()
	tlsSrv := azbbTLSServer(t)
	tlsHost := strings.TrimPrefix(tlsSrv.URL, "https://")

	tests := []struct {
		name, host, names string
		words             []string
	}{
		{"connection refused", "http://" + refused + "/acme", refused, []string{"refused"}},
		{"unknown host", "https://gitopscfg-test.invalid/acme", "gitopscfg-test.invalid", nil},
		{"untrusted TLS certificate", tlsSrv.URL + "/acme", tlsHost, []string{"CA bundle"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := providers.Credentials{Provider: providers.Azure, Host: tc.host, Org: "gitops", Username: "x", Token: fake.AzureTokenFull}
			const deadline = 3 * time.Second
			start := time.Now()
			r := azbbRun(t, azbbEnv(deadline), c)
			azbbNetworkFailure(t, r, time.Since(start), deadline, tc.names, tc.words...)
			azbbNoToken(t, r, c.Token)
		})
	}
}

func TestAzureRefusesPlainHTTP(t *testing.T) {
	t.Parallel()
	// A non-routable address: a request would hang until the deadline.
	c := providers.Credentials{Provider: providers.Azure, Host: "http://10.255.255.1/acme", Org: "gitops", Token: fake.AzureTokenFull}
	start := time.Now()
	r := azbbRun(t, azbbEnv(5*time.Second), c)
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Errorf("took %v: a request was attempted", took)
	}
	azbbAssert(t, r, c.Token, map[string]azbbWant{"network": azbbW(providers.Fail, "refusing plain http", "https://")})
	if _, ok := r.Find("auth"); ok {
		t.Errorf("an auth check ran: %s", azbbDump(r))
	}
}
