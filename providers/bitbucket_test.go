package providers_test

import (
	"testing"
	"time"

	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// bitbucketTokenURL is where Atlassian API tokens are made.
const bitbucketTokenURL = "https://id.atlassian.com/manage-profile/security/api-tokens"

func TestBitbucketScenarios(t *testing.T) {
	t.Parallel()
	emu := sharedEmulators(t)
	const (
		readRepo   = "scope:read:repository:bitbucket"
		writeRepo  = "scope:write:repository:bitbucket"
		adminRepo  = "scope:admin:repository:bitbucket"
		deleteRepo = "scope:delete:repository:bitbucket"
		readWS     = "scope:read:workspace:bitbucket"
		readProj   = "scope:read:project:bitbucket"
		notChecked = "not checked"
	)
	unconfirmed := func(scope string) want {
		return expect(providers.Warn, "unconfirmed", "--deep", scope, bitbucketTokenURL)
	}
	missing := func(scope string) want {
		return expect(providers.Fail, "missing "+scope, "needed to", bitbucketTokenURL)
	}
	tests := []struct {
		name          string
		token         string
		user, ws, key *string
		now           time.Time
		wants         wants
	}{
		{name: "full access API token", token: fake.BitbucketTokenFull, wants: wants{
			"auth":        expect(providers.Pass, fake.BitbucketDisplayName, "API token"),
			readRepo:      expect(providers.Pass),
			writeRepo:     unconfirmed("write:repository:bitbucket"),
			adminRepo:     unconfirmed("admin:repository:bitbucket"),
			deleteRepo:    unconfirmed("delete:repository:bitbucket"),
			readWS:        expect(providers.Pass),
			readProj:      expect(providers.Pass),
			"org":         expect(providers.Pass, fake.BitbucketWorkspace, "administer"),
			"project-key": expect(providers.Pass, fake.BitbucketProjectKey),
			"expiry":      expect(providers.Skip, bitbucketTokenURL),
		}},
		{name: "no project key: oldest project", token: fake.BitbucketTokenFull, key: ptr(""), wants: wants{
			"project-key": expect(providers.Pass, "oldest project", fake.BitbucketOldestProjectKey, fake.BitbucketOldestProjectName),
		}},
		{name: "missing read:repository", token: fake.BitbucketTokenNoReadRepo, wants: wants{
			readRepo: missing("read:repository:bitbucket"),
			// The 403's "granted" list names the rest.
			writeRepo: expect(providers.Pass), deleteRepo: expect(providers.Pass),
		}},
		{name: "missing read:workspace", token: fake.BitbucketTokenNoReadWorkspace, wants: wants{
			readWS: missing("read:workspace:bitbucket"),
			"org":  expect(providers.Skip, notChecked),
		}},
		{name: "missing read:project", token: fake.BitbucketTokenNoReadProject, wants: wants{
			readProj:      missing("read:project:bitbucket"),
			"project-key": expect(providers.Skip, notChecked),
		}},
		{name: "missing read:project without key", token: fake.BitbucketTokenNoReadProject, key: ptr(""), wants: wants{
			readProj: missing("read:project:bitbucket"),
		}},
		// Write scopes of an API token cannot be seen without writing: a warning, never a pass.
		{name: "missing write:repository", token: fake.BitbucketTokenNoWriteRepo, wants: wants{
			writeRepo: unconfirmed("write:repository:bitbucket"),
		}},
		{name: "missing admin:repository", token: fake.BitbucketTokenNoAdminRepo, wants: wants{
			adminRepo: unconfirmed("admin:repository:bitbucket"),
		}},
		{name: "missing delete:repository", token: fake.BitbucketTokenNoDeleteRepo, wants: wants{
			deleteRepo: unconfirmed("delete:repository:bitbucket"),
		}},
		{name: "workspace access token (Bearer)", token: fake.BitbucketAccessToken, user: ptr(""), wants: wants{
			"auth":     expect(providers.Pass, "workspace access token"),
			writeRepo:  expect(providers.Pass, "granted"),
			adminRepo:  expect(providers.Pass, "granted"),
			deleteRepo: expect(providers.Pass, "granted"),
			"org":      expect(providers.Pass, fake.BitbucketWorkspace),
		}},
		{name: "access token without repository:delete", token: fake.BitbucketAccessTokenNoDelete, user: ptr(""), wants: wants{
			deleteRepo: expect(providers.Fail, "missing delete:repository:bitbucket", "Access tokens", "cannot be edited"),
			writeRepo:  expect(providers.Pass),
		}},
		{name: "app password after removal", token: fake.BitbucketAppPassword, user: ptr(fake.BitbucketUsername), wants: wants{
			"auth": expect(providers.Fail, "app passwords no longer work", "2026-07-28", bitbucketTokenURL, "e-mail"),
			readWS: expect(providers.Skip, notChecked),
			"org":  expect(providers.Skip, notChecked),
		}},
		{name: "app password before removal", token: fake.BitbucketAppPassword, user: ptr(fake.BitbucketUsername),
			now: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), wants: wants{
				"auth": expect(providers.Fail, "stop working on 2026-07-28", bitbucketTokenURL),
			}},
		{name: "API token with the Bitbucket username", token: fake.BitbucketTokenFull, user: ptr(fake.BitbucketUsername), wants: wants{
			"auth": expect(providers.Fail, "Atlassian account e-mail", bitbucketTokenURL),
		}},
		{name: "API token sent as Bearer", token: fake.BitbucketTokenFull, user: ptr(""), wants: wants{
			"auth": expect(providers.Fail, "Bearer", "e-mail"),
		}},
		{name: "expired", token: fake.BitbucketTokenExpired, wants: wants{
			"auth": expect(providers.Fail, "invalid, expired or revoked", bitbucketTokenURL),
		}},
		{name: "revoked", token: fake.BitbucketTokenRevoked, wants: wants{
			"auth": expect(providers.Fail, "invalid, expired or revoked", bitbucketTokenURL),
		}},
		{name: "unknown workspace", token: fake.BitbucketTokenFull, ws: ptr("no-such-ws"), wants: wants{
			"org":         expect(providers.Fail, `"no-such-ws" does not exist`, "Workspace ID"),
			"project-key": expect(providers.Skip, notChecked),
		}},
		{name: "workspace without access", token: fake.BitbucketTokenFull, ws: ptr(fake.BitbucketForeignWorkspace), wants: wants{
			"org": expect(providers.Fail, "no access", fake.BitbucketForeignWorkspace),
		}},
		{name: "unknown project key", token: fake.BitbucketTokenFull, key: ptr("NOPE"), wants: wants{
			"project-key": expect(providers.Fail, `"NOPE"`, "leave it empty"),
			"org":         expect(providers.Pass),
		}},
		{name: "member, not administrator", token: fake.BitbucketTokenMember, user: ptr("msmith@example.com"), wants: wants{
			"auth": expect(providers.Pass, "Mary Smith"),
			"org":  expect(providers.Warn, "not an administrator"),
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
			env := atAfterAppPasswords(envWithTimeout(5 * time.Second))
			if !tc.now.IsZero() {
				env.Now = func() time.Time { return tc.now }
			}
			r := runCheck(t, env, c)
			assertResult(t, r, tc.wants)
		})
	}
}
