package fake

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// gitHubJWTMaxAhead is how far ahead of GitHub's clock a JWT may expire.
const gitHubJWTMaxAhead = 10 * time.Minute

// verifyJWT checks an App's JWT as GitHub does and returns the App's ID, or GitHub's message for
// a refused one.
func (g *gitHub) verifyJWT(tok string) (appID, msg string) {
	const undecodable = "A JSON web token could not be decoded"
	parts := strings.Split(tok, ".")
	enc := base64.RawURLEncoding
	head, err1 := enc.DecodeString(parts[0])
	body, err2 := enc.DecodeString(parts[1])
	sig, err3 := enc.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return "", undecodable
	}
	var h struct {
		Alg string `json:"alg"`
	}
	var c struct {
		IAT json.Number `json:"iat"`
		EXP json.Number `json:"exp"`
		ISS any         `json:"iss"`
	}
	if json.Unmarshal(head, &h) != nil || h.Alg != "RS256" || json.Unmarshal(body, &c) != nil {
		return "", undecodable
	}
	appID = fmt.Sprint(c.ISS)
	if _, ok := gitHubApps[appID]; !ok {
		return "", undecodable
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(&gitHubAppKeys()[0].PublicKey, crypto.SHA256, sum[:], sig) != nil {
		return "", undecodable
	}
	now := g.now().Unix()
	iat, errIAT := c.IAT.Int64()
	exp, errEXP := c.EXP.Int64()
	switch {
	case errIAT != nil || iat > now:
		return "", "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued"
	case errEXP != nil || exp <= now:
		return "", "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires"
	case exp > now+int64(gitHubJWTMaxAhead/time.Second):
		return "", "'Expiration time' claim ('exp') is too far in the future"
	}
	return appID, ""
}

// simpleUser is GitHub's simple-user of an account (typ "User", "Organization" or "Bot").
func simpleUser(base, login string, id int64, typ string) map[string]any {
	web := strings.TrimSuffix(base, "/api/v3")
	u := base + "/users/" + login
	return map[string]any{
		"login": login, "id": id, "node_id": fmt.Sprintf("MDQ6VXNlcjk%d", id),
		"avatar_url": fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?v=4", id), "gravatar_id": "",
		"url": u, "html_url": web + "/" + login, "followers_url": u + "/followers",
		"following_url": u + "/following{/other_user}", "gists_url": u + "/gists{/gist_id}",
		"starred_url": u + "/starred{/owner}{/repo}", "subscriptions_url": u + "/subscriptions",
		"organizations_url": u + "/orgs", "repos_url": u + "/repos", "events_url": u + "/events{/privacy}",
		"received_events_url": u + "/received_events", "type": typ, "site_admin": false, "user_view_type": "public",
	}
}

// appJSON is GET /app: the App ("integration"), owned by the first organisation.
func (g *gitHub) appJSON(base string, a gitHubApp) map[string]any {
	owner := gitHubOrgs[0]
	web := strings.TrimSuffix(base, "/api/v3")
	return map[string]any{
		"id": a.id, "slug": a.slug, "node_id": fmt.Sprintf("MDM6QXBw%d", a.id), "client_id": fmt.Sprintf("Iv23liDEMO%d", a.id),
		"owner": simpleUser(base, owner.login, owner.id, "Organization"), "name": a.name,
		"description": "Delivers the GitOps repositories' credentials", "external_url": web + "/" + owner.login,
		"html_url": web + "/apps/" + a.slug, "created_at": "2024-05-06T07:08:09Z", "updated_at": "2026-01-02T03:04:05Z",
		"permissions": a.permissions(), "events": []string{}, "installations_count": 2,
	}
}

// installationJSON is the installation of App appID on organisation o.
func (g *gitHub) installationJSON(base, appID string, a gitHubApp, o gitHubOrgInfo) map[string]any {
	id, _ := json.Number(GitHubAppInstallation(appID, o.login)).Int64()
	web := strings.TrimSuffix(base, "/api/v3")
	inst := map[string]any{
		"id": id, "account": simpleUser(base, o.login, o.id, "Organization"), "repository_selection": a.selection(),
		"access_tokens_url": fmt.Sprintf("%s/app/installations/%d/access_tokens", base, id),
		"repositories_url":  base + "/installation/repositories",
		"html_url":          fmt.Sprintf("%s/organizations/%s/settings/installations/%d", web, o.login, id),
		"app_id":            a.id, "client_id": fmt.Sprintf("Iv23liDEMO%d", a.id), "app_slug": a.slug,
		"target_id": o.id, "target_type": "Organization", "permissions": a.permissions(), "events": []string{},
		"created_at": "2024-05-06T07:10:11Z", "updated_at": "2026-01-02T03:04:05Z",
		"single_file_name": nil, "has_multiple_single_files": false, "single_file_paths": []string{},
		"suspended_by": nil, "suspended_at": nil,
	}
	if a.suspended {
		inst["suspended_by"] = simpleUser(base, GitHubUser, GitHubUserID, "User")
		inst["suspended_at"] = "2026-02-03T04:05:06Z"
	}
	return inst
}
