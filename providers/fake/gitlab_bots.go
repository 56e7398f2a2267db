package fake

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

const (
	// Group and project access tokens: their user is a bot (GET /user answers "bot": true) named
	// group_<group id>_bot_<hex> or project_<project id>_bot_<hex>, a member of that group or
	// project only, at the role the token was made with.

	// GitLabTokenGroupBot is a group access token of the group (Owner, api and write_repository):
	// it passes the check and the round trip, and rotates itself.
	GitLabTokenGroupBot = "glpat-demoGroupAccess00000"
	// GitLabTokenProjectBot is a project access token of project GitLabBotProjectID: not a member of
	// the group, so it cannot create projects there.
	GitLabTokenProjectBot = "glpat-demoProjectAccessTk0"
	// GitLabTokenOtherGroupBot is a group access token of another group (GitLabOtherGroupID).
	GitLabTokenOtherGroupBot = "glpat-demoOtherGroupsBot00"
	// GitLabTokenGroupBotOldGitLab is a group access token on a GitLab whose self-rotation takes
	// personal access tokens only: POST /personal_access_tokens/self/rotate answers 405.
	GitLabTokenGroupBotOldGitLab = "glpat-demoGroupBotOld00000"

	// GitLabBotProjectID is the project of GitLabTokenProjectBot; GitLabOtherGroupID the group of
	// GitLabTokenOtherGroupBot.
	GitLabBotProjectID = 4711
	GitLabOtherGroupID = 99
	// GitLabGroupBotUser is the user name of GitLabTokenGroupBot's bot.
	GitLabGroupBotUser = "group_81234567_bot_5a1f0c3e9d7b2468ace13579bdf02468"
)

// The bot tokens' scenarios join the static ones.
func init() {
	for tok, sc := range map[string]gitLabScenario{
		GitLabTokenGroupBot: {name: "argocd", scopes: []string{"api", "write_repository"}, access: 50, expiresDays: 300, bot: "group",
			user: GitLabGroupBotUser, userID: 9001},
		GitLabTokenProjectBot: {name: "argocd-project", scopes: []string{"api", "write_repository"}, expiresDays: 300, bot: "project",
			user: fmt.Sprintf("project_%d_bot_0f1e2d3c4b5a69788796a5b4c3d2e1f0", GitLabBotProjectID), userID: 9002, projectAccess: 40},
		GitLabTokenOtherGroupBot: {name: "argocd-other", scopes: []string{"api", "write_repository"}, expiresDays: 300, bot: "group",
			user: fmt.Sprintf("group_%d_bot_11111111111111111111111111111111", GitLabOtherGroupID), userID: 9003},
		GitLabTokenGroupBotOldGitLab: {name: "argocd-old", scopes: []string{"api", "write_repository"}, access: 50, expiresDays: 300, bot: "group",
			user: "group_81234567_bot_22222222222222222222222222222222", userID: 9004, noSelfRotation: true},
	} {
		gitLabScenarios[tok] = sc
	}
}

// projectMember is GET /projects/:id/members/all/:user_id: a project access token's bot is a
// member of its project (GitLabBotProjectID) at its role; anyone else is not found.
func (g *gitLab) projectMember(w http.ResponseWriter, project, user, base string, sc gitLabScenario) {
	if !g.allowed(w, sc, "api", "read_api") {
		return
	}
	if project != strconv.Itoa(GitLabBotProjectID) {
		g.message(w, http.StatusNotFound, "404 Project Not Found")
		return
	}
	if id, err := strconv.Atoi(user); err != nil || id != sc.userID || sc.projectAccess == 0 {
		g.message(w, http.StatusNotFound, "404 Not found")
		return
	}
	m := g.user(base, sc, false)
	m["access_level"], m["created_at"], m["expires_at"], m["membership_state"] = sc.projectAccess, "2026-01-05T10:00:00.000Z", nil, "active"
	WriteJSON(w, http.StatusOK, m)
}

// GitLabOtherGroupPath is the full path of group GitLabOtherGroupID; GitLabBotProjectPath the
// path of project GitLabBotProjectID. Each is readable by its own access token's bot, as on
// GitLab (a member may read its group or project), and by no one else.
const (
	GitLabOtherGroupPath = "acme-other"
	GitLabBotProjectPath = "acme/platform-config"
)

// botOwnGroup answers GET /groups/:id for a group access token's own group other than
// GitLabGroupPath; it reports false when id is not that group.
func (g *gitLab) botOwnGroup(w http.ResponseWriter, base, id string, sc gitLabScenario) bool {
	if sc.bot != "group" || id != strconv.Itoa(GitLabOtherGroupID) || !strings.HasPrefix(sc.user, "group_"+id+"_bot_") {
		return false
	}
	WriteJSON(w, http.StatusOK, map[string]any{
		"id": GitLabOtherGroupID, "web_url": base + "/groups/" + GitLabOtherGroupPath, "name": "Acme Other", "path": GitLabOtherGroupPath,
		"description": "", "visibility": "private", "project_creation_level": "maintainer", "subgroup_creation_level": "maintainer",
		"full_name": "Acme Other", "full_path": GitLabOtherGroupPath, "parent_id": nil, "created_at": "2024-02-01T09:00:00.000Z",
	})
	return true
}

// botOwnProject answers GET /projects/:id for a project access token's own project; it reports
// false when id is not that project.
func (g *gitLab) botOwnProject(w http.ResponseWriter, base, id string, sc gitLabScenario) bool {
	if sc.bot != "project" || id != strconv.Itoa(GitLabBotProjectID) {
		return false
	}
	ns, name, _ := strings.Cut(GitLabBotProjectPath, "/")
	WriteJSON(w, http.StatusOK, map[string]any{
		"id": GitLabBotProjectID, "name": name, "path": name, "name_with_namespace": "acme / " + name,
		"path_with_namespace": GitLabBotProjectPath, "web_url": base + "/" + GitLabBotProjectPath, "default_branch": "main",
		"visibility": "private", "namespace": map[string]any{"id": 81234560, "name": ns, "path": ns, "kind": "group", "full_path": ns},
		"created_at": "2024-03-01T09:00:00.000Z",
	})
	return true
}
