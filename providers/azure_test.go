package providers_test

import (
	"testing"
	"time"

	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

func TestAzureScenarios(t *testing.T) {
	t.Parallel()
	emu := sharedEmulators(t)
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
		wants   wants
	}{
		{name: "full access", token: fake.AzureTokenFull, wants: wants{
			"auth":   expect(providers.Pass, fake.AzureDisplayName, fake.AzureUser),
			scope:    expect(providers.Warn, "unconfirmed", "--deep", tokenURL),
			"org":    expect(providers.Pass, fake.AzureProject),
			"expiry": expect(providers.Skip, "Microsoft Entra", tokenURL),
		}},
		{name: "public project", token: fake.AzureTokenFull, project: ptr(fake.AzurePublicProject), wants: wants{
			"org": expect(providers.Warn, "it is public", "takes its project's visibility", "readable by anyone"),
		}},
		{name: "any username works, even empty", token: fake.AzureTokenFull, user: ptr(""), wants: wants{
			"auth": expect(providers.Pass, fake.AzureDisplayName),
		}},
		{name: "no Code scope (TF400813)", token: fake.AzureTokenNoCode, wants: wants{
			"auth": expect(providers.Pass),
			scope:  expect(providers.Fail, "missing", "TF400813", "Code: Read, write, & manage", "needed to create", tokenURL),
			"org":  expect(providers.Pass, fake.AzureProject),
		}},
		{name: "expired", token: fake.AzureTokenExpired, wants: wants{
			"auth":   expect(providers.Fail, "expired", tokenURL),
			"expiry": expect(providers.Fail, "expired", tokenURL),
			scope:    expect(providers.Skip, notChecked),
			"org":    expect(providers.Skip, notChecked),
		}},
		{name: "revoked", token: fake.AzureTokenRevoked, wants: wants{
			"auth": expect(providers.Fail, "revoked", tokenURL),
		}},
		{name: "invalid: 203 sign-in page", token: fake.AzureTokenInvalid, wants: wants{
			"auth": expect(providers.Fail, "sign-in page", "203", tokenURL),
			scope:  expect(providers.Skip, notChecked),
		}},
		{name: "unknown token", token: "nonsense-token-0123456789", wants: wants{
			"auth": expect(providers.Fail, "sign-in page", tokenURL),
		}},
		{name: "unknown project", token: fake.AzureTokenFull, project: ptr("no-such-project"), wants: wants{
			"auth": expect(providers.Pass),
			"org":  expect(providers.Fail, `"no-such-project" does not exist`, "/_projects"),
			scope:  expect(providers.Skip, notChecked),
		}},
		{name: "no project", token: fake.AzureTokenFull, project: ptr(""), wants: wants{
			"org": expect(providers.Fail, "Project Name"),
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
			r := runCheck(t, atAfterAppPasswords(envWithTimeout(5*time.Second)), c)
			assertResult(t, r, tc.wants)
		})
	}
}

func ptr[T any](v T) *T { return &v }
