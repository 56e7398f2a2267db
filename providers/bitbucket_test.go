package providers_test

import (
	"net"
	"strings"
	"testing"
	"time"

	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

const azbbAPITokens = "https://id.atlassian.com/manage-profile/security/api-tokens"

func TestBitbucketScenarios(t *testing.T) {
	t.Parallel()
	emu := azbbEmulators(t)
	const (
		readRepo   = "scope:read:repository:bitbucket"
		writeRepo  = "scope:write:repository:bitbucket"
		adminRepo  = "scope:admin:repository:bitbucket"
		deleteRepo = "scope:delete:repository:bitbucket"
		readWS     = "scope:read:workspace:bitbucket"
		readProj   = "scope:read:project:bitbucket"
		notChecked = "not checked"
	)
	unconfirmed := func(scope string) azbbWant {
		return azbbW(providers.Warn, "unconfirmed", "--deep", scope, azbbAPITokens)
	}
	missing := func(scope string) azbbWant {
		return azbbW(providers.Fail, "missing "+scope, "needed to", azbbAPITokens)
	}
	tests := []struct {
		name          string
		token         string
		user, ws, key *string
		now           time.Time
		wants         map[string]azbbWant
	}{
		{name: "full access API token", token: fake.BitbucketTokenFull, wants: map[string]azbbWant{
			"auth":        azbbW(providers.Pass, fake.BitbucketDisplayName, "API token"),
			readRepo:      azbbW(providers.Pass),
			writeRepo:     unconfirmed("write:repository:bitbucket"),
			adminRepo:     unconfirmed("admin:repository:bitbucket"),
			deleteRepo:    unconfirmed("delete:repository:bitbucket"),
			readWS:        azbbW(providers.Pass),
			readProj:      azbbW(providers.Pass),
			"org":         azbbW(providers.Pass, fake.BitbucketWorkspace, "administer"),
			"project-key": azbbW(providers.Pass, fake.BitbucketProjectKey),
			"expiry":      azbbW(providers.Skip, azbbAPITokens),
		}},
		{name: "no project key: oldest project", token: fake.BitbucketTokenFull, key: ptr(""), wants: map[string]azbbWant{
			"project-key": azbbW(providers.Pass, "oldest project", fake.BitbucketOldestProjectKey, fake.BitbucketOldestProjectName),
		}},
		{name: "missing read:repository", token: fake.BitbucketTokenNoReadRepo, wants: map[string]azbbWant{
			readRepo: missing("read:repository:bitbucket"),
			// The 403's "granted" list names the rest.
			writeRepo: azbbW(providers.Pass), deleteRepo: azbbW(providers.Pass),
		}},
		{name: "missing read:workspace", token: fake.BitbucketTokenNoReadWorkspace, wants: map[string]azbbWant{
			readWS: missing("read:workspace:bitbucket"),
			"org":  azbbW(providers.Skip, notChecked),
		}},
		{name: "missing read:project", token: fake.BitbucketTokenNoReadProject, wants: map[string]azbbWant{
			readProj:      missing("read:project:bitbucket"),
			"project-key": azbbW(providers.Skip, notChecked),
		}},
		{name: "missing read:project without key", token: fake.BitbucketTokenNoReadProject, key: ptr(""), wants: map[string]azbbWant{
			readProj: missing("read:project:bitbucket"),
		}},
		// Write scopes of an API token cannot be seen without writing: a warning, never a pass.
		{name: "missing write:repository", token: fake.BitbucketTokenNoWriteRepo, wants: map[string]azbbWant{
			writeRepo: unconfirmed("write:repository:bitbucket"),
		}},
		{name: "missing admin:repository", token: fake.BitbucketTokenNoAdminRepo, wants: map[string]azbbWant{
			adminRepo: unconfirmed("admin:repository:bitbucket"),
		}},
		{name: "missing delete:repository", token: fake.BitbucketTokenNoDeleteRepo, wants: map[string]azbbWant{
			deleteRepo: unconfirmed("delete:repository:bitbucket"),
		}},
		{name: "workspace access token (Bearer)", token: fake.BitbucketAccessToken, user: ptr(""), wants: map[string]azbbWant{
			"auth":     azbbW(providers.Pass, "workspace access token"),
			writeRepo:  azbbW(providers.Pass, "granted"),
			adminRepo:  azbbW(providers.Pass, "granted"),
			deleteRepo: azbbW(providers.Pass, "granted"),
			"org":      azbbW(providers.Pass, fake.BitbucketWorkspace),
		}},
		{name: "access token without repository:delete", token: fake.BitbucketAccessTokenNoDelete, user: ptr(""), wants: map[string]azbbWant{
			deleteRepo: azbbW(providers.Fail, "missing delete:repository:bitbucket", "Access tokens", "cannot be edited"),
			writeRepo:  azbbW(providers.Pass),
		}},
		{name: "app password after removal", token: fake.BitbucketAppPassword, user: ptr(fake.BitbucketUsername), wants: map[string]azbbWant{
			"auth": azbbW(providers.Fail, "app passwords no longer work", "2026-07-28", azbbAPITokens, "e-mail"),
			readWS: azbbW(providers.Skip, notChecked),
			"org":  azbbW(providers.Skip, notChecked),
		}},
		{name: "app password before removal", token: fake.BitbucketAppPassword, user: ptr(fake.BitbucketUsername),
			now: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), wants: map[string]azbbWant{
				"auth": azbbW(providers.Fail, "stop working on 2026-07-28", azbbAPITokens),
			}},
		{name: "API token with the Bitbucket username", token: fake.BitbucketTokenFull, user: ptr(fake.BitbucketUsername), wants: map[string]azbbWant{
			"auth": azbbW(providers.Fail, "Atlassian account e-mail", azbbAPITokens),
		}},
		{name: "API token sent as Bearer", token: fake.BitbucketTokenFull, user: ptr(""), wants: map[string]azbbWant{
			"auth": azbbW(providers.Fail, "Bearer", "e-mail"),
		}},
		{name: "expired", token: fake.BitbucketTokenExpired, wants: map[string]azbbWant{
			"auth": azbbW(providers.Fail, "invalid, expired or revoked", azbbAPITokens),
		}},
		{name: "revoked", token: fake.BitbucketTokenRevoked, wants: map[string]azbbWant{
			"auth": azbbW(providers.Fail, "invalid, expired or revoked", azbbAPITokens),
		}},
		{name: "unknown workspace", token: fake.BitbucketTokenFull, ws: ptr("no-such-ws"), wants: map[string]azbbWant{
			"org":         azbbW(providers.Fail, `"no-such-ws" does not exist`, "Workspace ID"),
			"project-key": azbbW(providers.Skip, notChecked),
		}},
		{name: "workspace without access", token: fake.BitbucketTokenFull, ws: ptr(fake.BitbucketForeignWorkspace), wants: map[string]azbbWant{
			"org": azbbW(providers.Fail, "no access", fake.BitbucketForeignWorkspace),
		}},
		{name: "unknown project key", token: fake.BitbucketTokenFull, key: ptr("NOPE"), wants: map[string]azbbWant{
			"project-key": azbbW(providers.Fail, `"NOPE"`, "leave it empty"),
			"org":         azbbW(providers.Pass),
		}},
		{name: "member, not administrator", token: fake.BitbucketTokenMember, user: ptr("msmith@example.com"), wants: map[string]azbbWant{
			"auth": azbbW(providers.Pass, "Mary Smith"),
			"org":  azbbW(providers.Warn, "not an administrator"),
		}},
		{name: "server error", token: fake.BitbucketTokenFull + fake.MarkServerError, wants: map[string]azbbWant{
			"auth": azbbW(providers.Fail, "HTTP 500", "try again later"),
		}},
		{name: "malformed JSON", token: fake.BitbucketTokenFull + fake.MarkMalformed, wants: map[string]azbbWant{
			"auth": azbbW(providers.Fail, "unreadable JSON"),
		}},
		{name: "connection reset", token: fake.BitbucketTokenFull + fake.MarkReset, wants: map[string]azbbWant{
			"network": azbbW(providers.Fail, "127.0.0.1"),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := emu.Credentials(providers.Bitbucket, tc.token)
			if tc.user != nil {
				c.Username = *tc.user
			}
			if tc.ws != nil {
				c.Org = *tc.ws
			}
			if tc.key != nil {
				c.ProjectKey = *tc.key
			}
			env := azbbEnv(5 * time.Second)
			if !tc.now.IsZero() {
				env.Now = func() time.Time { return tc.now }
			}
			r := azbbRun(t, env, c)
			azbbAssert(t, r, tc.token, tc.wants)
		})
	}
}

func TestBitbucketSlowServerTimesOut(t *testing.T) {
	t.Parallel()
	emu := azbbEmulators(t)
	tok := fake.BitbucketTokenFull + fake.MarkSlow
	const deadline = 300 * time.Millisecond
	start := time.Now()
	r := azbbRun(t, azbbEnv(deadline), emu.Credentials(providers.Bitbucket, tok))
	azbbNetworkFailure(t, r, time.Since(start), deadline, "127.0.0.1", "timeout")
	azbbNoToken(t, r, tok)
}

func TestBitbucketNetworkFailures(t *testing.T) {
	t.Parallel()
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
		{"connection refused", "http://" + refused + "/", refused, []string{"refused"}},
		{"unknown host", "https://bitbucket.gitopscfg-test.invalid/", "bitbucket.gitopscfg-test.invalid", nil},
		{"untrusted TLS certificate", tlsSrv.URL + "/", tlsHost, []string{"CA bundle"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := providers.Credentials{Provider: providers.Bitbucket, Host: tc.host, Org: "acme", Username: fake.BitbucketEmail,
				Token: fake.BitbucketTokenFull}
			const deadline = 3 * time.Second
			start := time.Now()
			r := azbbRun(t, azbbEnv(deadline), c)
			azbbNetworkFailure(t, r, time.Since(start), deadline, tc.names, tc.words...)
			azbbNoToken(t, r, c.Token)
		})
	}
}

func TestBitbucketRefusesPlainHTTP(t *testing.T) {
	t.Parallel()
	c := providers.Credentials{Provider: providers.Bitbucket, Host: "https://bitbucket.org/", APIURL: "http://10.255.255.1/2.0",
		Org: "acme", Username: fake.BitbucketEmail, Token: fake.BitbucketTokenFull}
	start := time.Now()
	r := azbbRun(t, azbbEnv(5*time.Second), c)
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Errorf("took %v: a request was attempted", took)
	}
	azbbAssert(t, r, c.Token, map[string]azbbWant{"network": azbbW(providers.Fail, "refusing plain http")})
	if _, ok := r.Find("auth"); ok {
		t.Errorf("an auth check ran: %s", azbbDump(r))
	}
}
