package providers

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// Group and project access tokens (docs.gitlab.com, "Group access tokens", "Project access
// tokens") act as a bot user that GitLab makes for each token: GET /user answers "bot": true and
// the username group_<group id>_bot_<hex> or project_<project id>_bot_<hex> (project_<id>_bot on
// older instances). The bot is a member of that group or project only, at the role the token was
// made with (fixed for its life); GET /personal_access_tokens/self describes the token (scopes,
// expiry) as for a personal one, and POST /personal_access_tokens/self/rotate rotates it where
// GitLab lets group and project tokens rotate themselves (older instances answer 405 to any token
// that is not a personal one). Git over HTTPS takes any non-blank username with them.

// gitLabBotName matches a bot user's name: its kind and the id of its group or project.
var gitLabBotName = regexp.MustCompile(`^(group|project)_([1-9][0-9]*)_bot(?:_[0-9a-f]+)?$`)

// gitLabBot is the token's bot user: Kind is "group" or "project" ("" when its name does not say),
// ID the group's or project's id.
type gitLabBot struct {
	Kind string
	ID   int64
	// Role is a project token's access level in its project, when it was read (0: unknown).
	Role gitlab.AccessLevelValue
}

// role reads a project token's access level in its project (GET /projects/:id/members/all/:user_id).
func (b *gitLabBot) role(ctx context.Context, gl *gitlab.Client, userID int64) {
	if m, _, err := gl.ProjectMembers.GetInheritedProjectMember(b.ID, userID, gitlab.WithContext(ctx)); err == nil && m != nil {
		b.Role = m.AccessLevel
	}
}

// gitLabBotOf returns the bot behind a token whose user is u, or nil for a person's token.
func gitLabBotOf(u *gitlab.User) *gitLabBot {
	if u == nil || !u.Bot {
		return nil
	}
	m := gitLabBotName.FindStringSubmatch(u.Username)
	if m == nil {
		return &gitLabBot{}
	}
	id, _ := strconv.ParseInt(m[2], 10, 64)
	return &gitLabBot{Kind: m[1], ID: id}
}

// Noun names the token: "group access token of group 81234567".
func (b *gitLabBot) Noun() string {
	if b.Kind == "" {
		return "group or project access token"
	}
	return fmt.Sprintf("%s access token of %s %d", b.Kind, b.Kind, b.ID)
}

// tokenPage is where the bot's tokens are made, rotated and revoked, from what is known without
// asking: the group's Access tokens page when the group is the configured one (its full path is
// known), else the page in words.
func (b *gitLabBot) tokenPage(host string, group *gitlab.Group) string {
	if b.Kind == "group" && group != nil && group.ID == b.ID && group.FullPath != "" {
		return gitLabAccessTokensPage(host, "group", group.FullPath)
	}
	if b.Kind == "" {
		return "the Access tokens page of its group or project (Settings > Access tokens)"
	}
	return fmt.Sprintf("the Access tokens page of %s %d (Settings > Access tokens)", b.Kind, b.ID)
}

// page is tokenPage with the path of the bot's group or project read with the token itself when
// it is not known (GET /groups/:id, GET /projects/:id: a bot may read its own group or
// project); a look-up that fails leaves the page in words.
func (b *gitLabBot) page(ctx context.Context, gl *gitlab.Client, host string, group *gitlab.Group) string {
	if b.Kind == "group" && group != nil && group.ID == b.ID || b.ID == 0 {
		return b.tokenPage(host, group)
	}
	withCtx := gitlab.WithContext(ctx)
	switch b.Kind {
	case "group":
		//lint:ignore SA1019 the parameter is deprecated for API v5, but v4 still embeds projects without it
		g, _, err := gl.Groups.GetGroup(b.ID, &gitlab.GetGroupOptions{WithProjects: gitlab.Ptr(false)}, withCtx)
		if err == nil && g != nil && g.FullPath != "" {
			return gitLabAccessTokensPage(host, "group", g.FullPath)
		}
	case "project":
		p, _, err := gl.Projects.GetProject(b.ID, nil, withCtx)
		if err == nil && p != nil && p.PathWithNamespace != "" {
			return gitLabAccessTokensPage(host, "project", p.PathWithNamespace)
		}
	}
	return b.tokenPage(host, group)
}

// gitLabAccessTokensPage is the Access tokens page of a group (HOST/groups/PATH/-/settings/
// access_tokens) or of a project (HOST/PATH/-/settings/access_tokens), as GitLab routes them.
func gitLabAccessTokensPage(host, kind, path string) string {
	host = strings.TrimRight(host, "/")
	if kind == "group" {
		return host + "/groups/" + path + "/-/settings/access_tokens"
	}
	return host + "/" + path + "/-/settings/access_tokens"
}

// gitLabBotNotMember explains why a bot is not a member of the configured group: a project token
// reaches its project only, a group token its group and the groups below.
func gitLabBotNotMember(b *gitLabBot, path, groupPage string) string {
	fix := fmt.Sprintf("create a group access token of %s at %s with the Owner role (Maintainer may create projects but "+
		"not delete them) and the scopes api, write_repository, or use a personal access token", path, groupPage)
	switch b.Kind {
	case "project":
		role := ""
		if b.Role != 0 {
			role = ", role " + accessName(b.Role) + " there"
		}
		return fmt.Sprintf("this is a project access token (project %d%s): it reaches that project only, so it cannot create the "+
			"GitOps projects in group %s: %s", b.ID, role, path, fix)
	case "group":
		return fmt.Sprintf("this is a group access token of group %d, which is neither group %s nor a group above it, so it "+
			"cannot create projects there: %s", b.ID, path, fix)
	}
	return fmt.Sprintf("this token's bot user is not a member of group %s (nor of a group above it): %s", path, fix)
}
