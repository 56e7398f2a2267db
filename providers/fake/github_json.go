package fake

import (
	"fmt"
	"strings"
)

func (g *gitHub) user(base, login string, full bool) map[string]any {
	u := simpleUser(base, login, GitHubUserID, "User")
	u["node_id"] = "MDQ6VXNlcjU4MzIzMQ=="
	if full { // GET /user: the public-user of GitHub's description (user_view_type public)
		u["name"] = "The Octocat"
		u["company"] = "@acme"
		u["public_repos"] = 8
		u["created_at"] = "2011-01-25T18:44:36Z"
		u["updated_at"] = "2026-01-22T12:13:14Z"
		u["blog"], u["location"], u["email"], u["hireable"], u["bio"] = "", nil, nil, nil, nil
		u["public_gists"], u["followers"], u["following"] = 0, 21, 3
	}
	return u
}

func (g *gitHub) orgSimple(base string, org gitHubOrgInfo) map[string]any {
	return map[string]any{
		"login": org.login, "id": org.id, "node_id": org.nodeID,
		"url":         base + "/orgs/" + org.login,
		"repos_url":   base + "/orgs/" + org.login + "/repos",
		"avatar_url":  fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?v=4", org.id),
		"description": org.description,
		"events_url":  base + "/orgs/" + org.login + "/events", "hooks_url": base + "/orgs/" + org.login + "/hooks",
		"issues_url":         base + "/orgs/" + org.login + "/issues",
		"members_url":        base + "/orgs/" + org.login + "/members{/member}",
		"public_members_url": base + "/orgs/" + org.login + "/public_members{/member}",
	}
}

// org is GET /orgs/{org}. GitHub shows "many of the organization response values" (the
// repository-creation settings, private repository counts, default permission, 2FA requirement)
// only to an owner whose token has admin:org (the description of orgs/get); for anyone else those
// fields are absent, not false.
func (g *gitHub) org(base string, org gitHubOrgInfo, sc gitHubScenario) map[string]any {
	o := g.orgSimple(base, org)
	o["name"] = org.name
	o["html_url"] = strings.TrimSuffix(base, "/api/v3") + "/" + org.login
	o["type"] = "Organization"
	o["public_repos"] = 0
	o["created_at"] = "2015-03-04T10:11:12Z"
	o["updated_at"], o["archived_at"] = "2026-01-02T03:04:05Z", nil
	o["has_organization_projects"], o["has_repository_projects"] = true, true
	o["public_gists"], o["followers"], o["following"] = 0, 0, 0
	if sc.state != "active" || sc.role != "admin" || (!sc.fineGrained && !gitHubHas(sc, "admin:org")) {
		return o
	}
	n := 0
	g.mu.Lock()
	for _, rp := range g.repos {
		if rp.Org == org.login {
			n++
		}
	}
	g.mu.Unlock()
	allowed := !sc.createForbidden
	o["total_private_repos"] = n
	o["owned_private_repos"] = n
	o["members_can_create_repositories"] = allowed
	o["members_can_create_public_repositories"] = allowed
	o["members_can_create_private_repositories"] = allowed
	o["default_repository_permission"] = "read"
	o["two_factor_requirement_enabled"] = true
	return o
}

// hasRepo reports whether the repository full (owner/name) exists.
func (g *gitHub) hasRepo(full string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.repos[strings.ToLower(full)] != nil
}
