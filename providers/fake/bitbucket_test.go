package fake_test

import (
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

func TestBitbucketEmulatorAnswers(t *testing.T) {
	t.Parallel()
	base := kit.Emulators(t, fake.Options{}).URL(providers.Bitbucket) + "/2.0"
	email := fake.BitbucketEmail
	t.Run("API token: /user without x-oauth-scopes", func(t *testing.T) {
		a := get(t, base+"/user", email, fake.BitbucketTokenFull)
		m := a.json(t)
		if a.status != 200 || m["display_name"] != fake.BitbucketDisplayName || m["type"] != "user" {
			t.Errorf("%d %s", a.status, a.body)
		}
		if _, ok := a.header["X-Oauth-Scopes"]; ok {
			t.Errorf("API token answered with x-oauth-scopes")
		}
	})
	t.Run("access token: scope headers", func(t *testing.T) {
		a := get(t, base+"/user", "", fake.BitbucketAccessToken)
		if a.status != 200 || a.header.Get("X-Credential-Type") != "workspace_access_token" ||
			!strings.Contains(a.header.Get("X-Oauth-Scopes"), "repository:delete") || a.header.Get("X-Accepted-Oauth-Scopes") != "account" {
			t.Errorf("%d %v", a.status, a.header)
		}
	})
	t.Run("missing scope: 403 naming it", func(t *testing.T) {
		a := get(t, base+"/repositories/"+fake.BitbucketWorkspace, email, fake.BitbucketTokenNoReadRepo)
		e := a.json(t)["error"].(map[string]any)
		req := e["detail"].(map[string]any)["required"].([]any)
		if a.status != 403 || e["message"] != "Your credentials lack one or more required privilege scopes." ||
			len(req) != 1 || req[0] != "read:repository:bitbucket" {
			t.Errorf("%d %s", a.status, a.body)
		}
	})
	t.Run("unknown workspace: 404", func(t *testing.T) {
		a := get(t, base+"/workspaces/nope", email, fake.BitbucketTokenFull)
		if e := a.json(t)["error"].(map[string]any); a.status != 404 || e["message"] != "No workspace with identifier 'nope'." {
			t.Errorf("%d %s", a.status, a.body)
		}
	})
	t.Run("foreign workspace: 403", func(t *testing.T) {
		if a := get(t, base+"/workspaces/"+fake.BitbucketForeignWorkspace, email, fake.BitbucketTokenFull); a.status != 403 {
			t.Errorf("%d %s", a.status, a.body)
		}
	})
	t.Run("projects sorted by creation", func(t *testing.T) {
		a := get(t, base+"/workspaces/"+fake.BitbucketWorkspace+"/projects?sort=created_on&pagelen=1", email, fake.BitbucketTokenFull)
		m := a.json(t)
		vs := m["values"].([]any)
		if a.status != 200 || len(vs) != 1 || vs[0].(map[string]any)["key"] != fake.BitbucketOldestProjectKey || m["next"] == nil {
			t.Errorf("%d %s", a.status, a.body)
		}
		a = get(t, base+"/workspaces/"+fake.BitbucketWorkspace+"/projects?sort=-created_on&pagelen=1", email, fake.BitbucketTokenFull)
		if vs := a.json(t)["values"].([]any); vs[0].(map[string]any)["key"] != fake.BitbucketProjectKey {
			t.Errorf("descending: %s", a.body)
		}
	})
	t.Run("unknown project key: 404", func(t *testing.T) {
		if a := get(t, base+"/workspaces/"+fake.BitbucketWorkspace+"/projects/NOPE", email, fake.BitbucketTokenFull); a.status != 404 {
			t.Errorf("%d %s", a.status, a.body)
		}
	})
	t.Run("administrator flag", func(t *testing.T) {
		q := `?q=workspace.slug="` + fake.BitbucketWorkspace + `"`
		admin := get(t, base+"/user/workspaces"+q, email, fake.BitbucketTokenFull).json(t)["values"].([]any)
		member := get(t, base+"/user/workspaces"+q, "msmith@example.com", fake.BitbucketTokenMember).json(t)["values"].([]any)
		if len(admin) != 1 || admin[0].(map[string]any)["administrator"] != true ||
			len(member) != 1 || member[0].(map[string]any)["administrator"] != false {
			t.Errorf("admin %v, member %v", admin, member)
		}
	})
	t.Run("credentials refused", func(t *testing.T) {
		for name, a := range map[string]answer{
			"app password":            get(t, base+"/user", fake.BitbucketUsername, fake.BitbucketAppPassword),
			"expired":                 get(t, base+"/user", email, fake.BitbucketTokenExpired),
			"API token with username": get(t, base+"/user", fake.BitbucketUsername, fake.BitbucketTokenFull),
			"API token as Bearer":     get(t, base+"/user", "", fake.BitbucketTokenFull),
			"access token as Basic":   get(t, base+"/user", email, fake.BitbucketAccessToken),
		} {
			if a.status != 401 || a.json(t)["type"] != "error" {
				t.Errorf("%s: %d %s", name, a.status, a.body)
			}
		}
	})
	t.Run("CHANGE-2770 listings are gone", func(t *testing.T) {
		for _, p := range []string{"/workspaces", "/user/permissions/workspaces"} {
			if a := get(t, base+p, email, fake.BitbucketTokenFull); a.status != 410 {
				t.Errorf("%s: %d", p, a.status)
			}
		}
	})
}
