package providers

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

func checkGitLab(ctx context.Context, s *session) {
	gl, err := newGitLabClient(s)
	if err != nil {
		s.Add(CheckNetwork, Fail, fmt.Sprintf("the GitLab API URL %s is not usable (%v): check the Git host or API URL", s.APIBase, err))
		return
	}
	org := strings.TrimSpace(s.Creds.Org)
	known := knownUserID(ctx)
	r := gitLabFirstWave(ctx, gl, org, known)
	for _, err := range []error{r.tok.err, r.user.err, r.group.err} {
		if s.NetworkFailure(err) {
			return
		}
	}
	if !gitLabAuth(s, r.tok, r.user) {
		skipAfterAuth(s, "the token could not be used")
		return
	}
	userID := int64(0)
	if r.user.val != nil {
		userID = r.user.val.ID
	} else if r.tok.val != nil {
		userID = r.tok.val.UserID
	}
	if userID != 0 {
		s.SetUserID(userID)
	}
	if known == 0 || known != userID {
		// No hint, or the answer did not confirm it: the first wave's look-up (if any) was for
		// someone else.
		r.mem = gitLabReply[*gitlab.GroupMember]{}
		if r.group.err == nil && r.group.val != nil && userID != 0 {
			r.mem.val, r.mem.resp, r.mem.err = gl.GroupMembers.GetInheritedGroupMember(r.group.val.ID, userID, gitlab.WithContext(ctx))
		}
	}
	if s.NetworkFailure(r.mem.err) {
		return
	}
	bot := gitLabBotOf(r.user.val)
	page := s.TokenURL()
	if bot != nil {
		// The bot's own page and, for a project token outside the group, its role there (for the
		// org check's explanation): at once.
		var wg sync.WaitGroup
		if bot.Kind == "project" && r.mem.status() == http.StatusNotFound {
			wg.Go(func() { bot.role(ctx, gl, userID) })
		}
		wg.Go(func() { page = bot.page(ctx, gl, gitLabHost(s), r.group.val) })
		wg.Wait()
	}
	gitLabScopes(s, r.tok, page)
	gitLabGroup(s, org, r.user.val, bot, r.group, r.mem)
	gitLabExpiry(s, r.tok, page)
}

// gitLabAnswers holds what a GitLab check asks: the token, its user, the group and the user's
// membership in it.
type gitLabAnswers struct {
	tok   gitLabReply[*gitlab.PersonalAccessToken]
	user  gitLabReply[*gitlab.User]
	group gitLabReply[*gitlab.Group]
	mem   gitLabReply[*gitlab.GroupMember]
}

// gitLabFirstWave asks for the token, the user and the group at once, and for the membership too
// when the user id is known from an earlier check (known != 0).
func gitLabFirstWave(ctx context.Context, gl *gitlab.Client, org string, known int64) gitLabAnswers {
	var (
		tok   gitLabReply[*gitlab.PersonalAccessToken]
		user  gitLabReply[*gitlab.User]
		group gitLabReply[*gitlab.Group]
		mem   gitLabReply[*gitlab.GroupMember]
		wg    sync.WaitGroup
	)
	gid := gitLabGroupID(org)
	withCtx := gitlab.WithContext(ctx)
	if org != "" && known != 0 {
		wg.Go(func() { mem.val, mem.resp, mem.err = gl.GroupMembers.GetInheritedGroupMember(gid, known, withCtx) })
	}
	wg.Go(func() { tok.val, tok.resp, tok.err = gl.PersonalAccessTokens.GetSinglePersonalAccessToken(withCtx) })
	wg.Go(func() { user.val, user.resp, user.err = gl.Users.CurrentUser(withCtx) })
	if org != "" {
		// with_projects=false: GitLab otherwise embeds up to 100 projects in the group's JSON.
		//lint:ignore SA1019 the parameter is deprecated for API v5, but v4 still embeds projects without it
		opt := &gitlab.GetGroupOptions{WithProjects: gitlab.Ptr(false)}
		wg.Go(func() { group.val, group.resp, group.err = gl.Groups.GetGroup(gid, opt, withCtx) })
	}
	wg.Wait()
	return gitLabAnswers{tok: tok, user: user, group: group, mem: mem}
}

// gitLabAuth records the auth check and reports whether the token can be used.
func gitLabAuth(s *session, tok gitLabReply[*gitlab.PersonalAccessToken], user gitLabReply[*gitlab.User]) bool {
	newToken := fmt.Sprintf("Create a new one at %s with the scopes %s", s.TokenURL(), strings.Join(s.Provider.ScopeNames(), ", "))
	if gitLabRejected(s, newToken, tok.status(), tok.err) || gitLabRejected(s, newToken, user.status(), user.err) {
		return false
	}
	if tok.err == nil && tok.val != nil && (tok.val.Revoked || !tok.val.Active) {
		s.Add(CheckAuth, Fail, fmt.Sprintf("the token %q is no longer active (revoked or expired). %s", tok.val.Name, newToken))
		return false
	}
	name := ""
	if user.err == nil && user.val != nil && user.val.Username != "" {
		name = user.val.Username
		s.SetUser(name)
	}
	tokOK := tok.err == nil && tok.val != nil
	switch {
	case name != "" && gitLabBotOf(user.val) != nil:
		scopes := ""
		if tokOK {
			scopes = fmt.Sprintf(" %q, with the scopes %s", tok.val.Name, strings.Join(tok.val.Scopes, ", "))
		}
		s.Add(CheckAuth, Pass, fmt.Sprintf("authenticated as %s, the bot user of a %s%s (Git takes any non-blank username with it)",
			name, gitLabBotOf(user.val).Noun(), scopes))
		return true
	case name != "":
		if want := strings.TrimPrefix(strings.TrimSpace(s.Creds.Username), "@"); want != "" && !strings.EqualFold(want, name) {
			s.Add(CheckAuth, Warn, fmt.Sprintf("authenticated as %s, but the Username field says %s: GitLab accepts any username with "+
				"a token for Git, but correct the field so the platform's records name the right account", name, want))
		} else {
			s.Add(CheckAuth, Pass, "authenticated as "+name)
		}
		return true
	case tokOK:
		s.Add(CheckAuth, Pass, fmt.Sprintf("the token %q is valid (user id %d; its scopes do not allow reading the user's profile)", tok.val.Name, tok.val.UserID))
		return true
	}
	// Neither answered usefully: report the first failure.
	for _, r := range []struct {
		what   string
		status int
		err    error
	}{{"GET /personal_access_tokens/self", tok.status(), tok.err}, {"GET /user", user.status(), user.err}} {
		if r.err == nil {
			continue
		}
		s.Add(CheckAuth, Fail, gitLabUnexpected(s, r.what, r.status, r.err))
		return false
	}
	s.Add(CheckAuth, Fail, fmt.Sprintf("%s gave no user for this token: check the Git host; %s", s.APIHost, newToken))
	return false
}

// gitLabRejected records the failing auth check when an answer is a 401, saying why GitLab
// rejected the token, and reports whether it was one.
func gitLabRejected(s *session, newToken string, status int, err error) bool {
	if status != http.StatusUnauthorized {
		return false
	}
	b := gitLabError(err)
	desc := strings.ToLower(b.ErrorDescription)
	switch {
	case strings.Contains(desc, "expired"):
		s.Add(CheckAuth, Fail, fmt.Sprintf("the token has expired (%s rejected it: %q). %s", s.APIHost, b.ErrorDescription, newToken))
	case strings.Contains(desc, "revoked"):
		s.Add(CheckAuth, Fail, fmt.Sprintf("the token was revoked (%s rejected it: %q). %s", s.APIHost, b.ErrorDescription, newToken))
	case b.ErrorDescription != "":
		s.Add(CheckAuth, Fail, fmt.Sprintf("%s rejected the token: %q. %s", s.APIHost, b.ErrorDescription, newToken))
	default:
		s.Add(CheckAuth, Fail, fmt.Sprintf("bad credentials: %s does not know this token (HTTP 401: mistyped, deleted, or made on "+
			"another GitLab instance). %s", s.APIHost, newToken))
	}
	return true
}

func gitLabUnexpected(s *session, what string, status int, err error) string {
	if status < 300 {
		return fmt.Sprintf("%s answered %s with something that is not GitLab's JSON (%v): check that the Git host (or API URL) "+
			"points at a GitLab server", s.APIHost, what, err)
	}
	b := gitLabError(err)
	detail := ""
	if m, ok := b.Message.(string); ok && m != "" {
		detail = ": " + m
	} else if b.ErrorDescription != "" {
		detail = ": " + b.ErrorDescription
	}
	if status >= 500 {
		return fmt.Sprintf("%s answered %s with HTTP %d%s, a server-side error, so nothing could be checked: try again later", s.APIHost, what, status, detail)
	}
	return fmt.Sprintf("%s answered %s with HTTP %d%s: check the Git host and the token (%s)", s.APIHost, what, status, detail, s.TokenURL())
}

// gitLabHost is the GitLab host's address, for links to its pages.
func gitLabHost(s *session) string { return strings.TrimSuffix(s.TokenURL(), s.Provider.tokenPath) }

// gitLabScopes records the scope checks; page is where a token with the scopes is made.
func gitLabScopes(s *session, tok gitLabReply[*gitlab.PersonalAccessToken], page string) {
	if tok.err != nil || tok.val == nil {
		why := "this GitLab does not say which scopes the token has"
		if tok.status() != 0 {
			why = fmt.Sprintf("GET /personal_access_tokens/self answered HTTP %d (it needs GitLab 15.5 or later)", tok.status())
		}
		for _, sc := range s.Provider.Scopes {
			s.Add(ScopeCheckID(sc.Name), Warn, fmt.Sprintf("cannot be confirmed: %s. Make sure the token has %s (%s): see %s",
				why, sc.Name, sc.Why, page))
		}
		return
	}
	granted := tok.val.Scopes
	has := func(sc string) bool { return slices.Contains(granted, sc) }
	grantedText := strings.Join(granted, ", ")
	if grantedText == "" {
		grantedText = "none"
	}
	for _, sc := range s.Provider.Scopes {
		id := ScopeCheckID(sc.Name)
		switch {
		case has(sc.Name):
			s.Add(id, Pass, "granted")
		case sc.Name == "write_repository" && has("api"):
			s.Add(id, Pass, "covered by api: the api scope includes Git push over HTTPS, so write_repository is not needed as well")
		default:
			s.Add(id, Fail, fmt.Sprintf("missing: %s. GitLab cannot add scopes to an existing token: create a new one at %s with "+
				"the scopes %s (granted now: %s)", sc.Why, page, strings.Join(s.Provider.ScopeNames(), ", "), grantedText))
		}
	}
}

// gitLabCreationNeeds returns the minimum access level that may create projects under a group's
// project_creation_level (0: nobody but administrators) and the rule in words.
func gitLabCreationNeeds(level gitlab.ProjectCreationLevelValue) (gitlab.AccessLevelValue, string, bool) {
	switch level {
	case gitlab.DeveloperProjectCreation:
		return 30, "Developers and above may create projects", true
	case gitlab.MaintainerProjectCreation:
		return 40, "Maintainers and above may create projects", true
	case gitlab.OwnerProjectCreation:
		return 50, "only Owners may create projects", true
	case gitlab.NoOneProjectCreation:
		return 0, "no one may create projects", true
	case gitlab.AdministratorProjectCreation:
		return 0, "only instance administrators may create projects", true
	}
	return 40, "its project creation setting is not visible, so the usual default (Maintainers and above) is assumed", false
}

func accessName(l gitlab.AccessLevelValue) string {
	if n, ok := gitLabAccessNames[l]; ok {
		return fmt.Sprintf("%s (%d)", n, l)
	}
	return fmt.Sprintf("access level %d", l)
}

func gitLabGroup(s *session, org string, u *gitlab.User, bot *gitLabBot, group gitLabReply[*gitlab.Group], mem gitLabReply[*gitlab.GroupMember]) {
	if org == "" {
		s.Add(CheckOrg, Fail, "no group given: enter the GitLab Group ID (its numeric ID or full path, e.g. acme/gitops) in which "+
			"the GitOps projects are created")
		return
	}
	host := gitLabHost(s)
	switch st := group.status(); {
	case group.err == nil && group.val != nil:
	case st == http.StatusNotFound:
		s.Add(CheckOrg, Fail, fmt.Sprintf("group %s not found on %s (or you cannot see it): the GitOps projects are created there. "+
			"Check the Group ID (its numeric ID or full path as in its URL; your groups: %s/dashboard/groups)", org, s.APIHost, host))
		return
	case st == http.StatusForbidden:
		b := gitLabError(group.err)
		s.Add(CheckOrg, Fail, fmt.Sprintf("the token may not read group %s (HTTP 403 %s): it needs the api scope; create a new token at %s",
			org, b.Error, s.TokenURL()))
		return
	default:
		s.Add(CheckOrg, Fail, gitLabUnexpected(s, "GET /groups/"+org, st, group.err))
		return
	}
	path := group.val.FullPath
	if path == "" {
		path = org
	}
	members := fmt.Sprintf("%s/groups/%s/-/group_members", host, path)
	switch {
	case u != nil && u.IsAdmin:
		s.Add(CheckOrg, Pass, fmt.Sprintf("group %s: you are an instance administrator, so you may create and delete its projects", path))
	case mem.status() == http.StatusNotFound && bot != nil:
		s.Add(CheckOrg, Fail, gitLabBotNotMember(bot, path, fmt.Sprintf("%s/groups/%s/-/settings/access_tokens", host, path)))
	case mem.status() == http.StatusNotFound:
		s.Add(CheckOrg, Fail, fmt.Sprintf("you are not a member of group %s (nor of a group above it), so you cannot create the GitOps "+
			"projects there: ask an Owner to add you as Maintainer or Owner (%s)", path, members))
	case mem.val == nil && mem.err == nil && mem.status() == 0:
		s.Add(CheckOrg, Warn, fmt.Sprintf("group %s exists, but your role in it could not be read without your user id; check it at %s", path, members))
	case mem.err != nil || mem.val == nil:
		s.Add(CheckOrg, Fail, gitLabUnexpected(s, "GET /groups/"+path+"/members/all/:user_id", mem.status(), mem.err))
	default:
		gitLabGroupRole(s, gitLabRoleOf(bot, host, path, members), group.val.ProjectCreationLevel, mem.val.AccessLevel)
	}
}

// gitLabRole is how the org check speaks of whoever holds the role in the group: the admin, or a
// group access token's bot, whose role is fixed when the token is made.
type gitLabRole struct {
	host, path, members string
	bot                 bool
}

func gitLabRoleOf(bot *gitLabBot, host, path, members string) gitLabRole {
	return gitLabRole{host: host, path: path, members: members, bot: bot != nil}
}

// is and may name the holder: "you are", "you may"; "the token's role is", "it may".
func (r gitLabRole) is() string {
	return map[bool]string{false: "you are", true: "the token's role is"}[r.bot]
}
func (r gitLabRole) may() string { return map[bool]string{false: "you may", true: "it may"}[r.bot] }

// raise says how to get a higher role, or the group's setting changed.
func (r gitLabRole) raise(settings string) string {
	if r.bot {
		return fmt.Sprintf("a group access token's role is fixed when it is made: create one with a higher role at "+
			"%s/groups/%s/-/settings/access_tokens, or ask an Owner to change the setting (%s)", r.host, r.path, settings)
	}
	return fmt.Sprintf("ask an Owner to raise your role (%s) or to change the setting (%s)", r.members, settings)
}

// gitLabGroupRole records the org check from the access level in the group and the group's
// project creation setting: whether the GitOps projects may be created (and deleted) there.
func gitLabGroupRole(s *session, r gitLabRole, creation gitlab.ProjectCreationLevelValue, level gitlab.AccessLevelValue) {
	need, rule, known := gitLabCreationNeeds(creation)
	path := r.path
	settings := fmt.Sprintf("%s/groups/%s/-/edit (Permissions and group features > Roles allowed to create projects)", r.host, path)
	st := Pass
	if !known {
		st = Warn
	}
	switch {
	case need == 0:
		s.AddUnneeded(CheckOrg, Fail, fmt.Sprintf("group %s: %s there, so the GitOps projects cannot be created even though %s %s: "+
			"ask an Owner to change it (%s)", path, rule, r.is(), accessName(level), settings), "cannot create projects in "+path)
	case level < need:
		s.AddUnneeded(CheckOrg, Fail, fmt.Sprintf("group %s: %s %s, but %s there: %s", path, r.is(), accessName(level), rule, r.raise(settings)),
			"cannot create projects in "+path)
	case level < 50:
		s.AddUnneeded(CheckOrg, st, fmt.Sprintf("group %s: %s %s and %s, so %s create projects; deleting a project usually needs "+
			"the Owner role (the round-trip check, --deep, shows whether %s)", path, r.is(), accessName(level), rule, r.may(), r.may()),
			"may not delete projects in "+path)
	default:
		s.Add(CheckOrg, st, fmt.Sprintf("group %s: %s %s, so %s create and delete its projects (%s)", path, r.is(), accessName(level), r.may(), rule))
	}
}

func gitLabExpiry(s *session, tok gitLabReply[*gitlab.PersonalAccessToken], page string) {
	switch {
	case tok.err != nil || tok.val == nil:
		s.Add(CheckExpiry, Warn, fmt.Sprintf("the token's expiry date could not be read: see it at %s", page))
	case tok.val.ExpiresAt == nil:
		s.Add(CheckExpiry, Pass, "the token has no expiry date (you will not be warned before it stops working)")
	default:
		// A GitLab token expires at 00:00 UTC on its expiry date.
		addTokenExpiryCheck(s, time.Time(*tok.val.ExpiresAt).UTC(), "create a new one at "+page+" and update it here")
	}
}
