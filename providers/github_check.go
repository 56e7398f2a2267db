package providers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v84/github"
)

func checkGitHub(ctx context.Context, s *session) {
	if isGitHubApp(s.Creds) {
		checkGitHubApp(ctx, s)
		return
	}
	gh, err := newGitHubClient(s)
	if err != nil {
		s.Add(CheckNetwork, Fail, fmt.Sprintf("the GitHub API URL %s is not usable (%v): check the Git host or API URL", s.APIBase, err))
		return
	}
	org := strings.TrimSpace(s.Creds.Org)
	var (
		user  gitHubReply[*github.User]
		ghOrg gitHubReply[*github.Organization]
		mem   gitHubReply[*github.Membership]
		wg    sync.WaitGroup
	)
	wg.Go(func() { user.val, user.resp, user.err = gh.Users.Get(ctx, "") })
	if org != "" {
		escaped := url.PathEscape(org)
		wg.Go(func() { ghOrg.val, ghOrg.resp, ghOrg.err = gh.Organizations.Get(ctx, escaped) })
		wg.Go(func() { mem.val, mem.resp, mem.err = gh.Organizations.GetOrgMembership(ctx, "", escaped) })
	}
	wg.Wait()

	for _, err := range []error{user.err, ghOrg.err, mem.err} {
		if s.NetworkFailure(err) {
			return
		}
	}
	if !gitHubAuth(s, user) {
		skipAfterAuth(s, "the token could not be used")
		return
	}
	if msg := gitHubRateLimited(s, ghOrg.err, mem.err); msg != "" {
		s.Add(CheckOrg, Fail, msg)
	} else {
		gitHubOrg(s, org, ghOrg, mem)
	}
	gitHubScopes(s, user.header())
	gitHubExpiry(s, user.header())
}

// skipAfterAuth records the checks that depend on a usable token as skipped.
func skipAfterAuth(s *session, why string) {
	for _, sc := range s.Provider.Scopes {
		s.Add(ScopeCheckID(sc.Name), Skip, "not checked: "+why)
	}
	s.Add(CheckOrg, Skip, "not checked: "+why)
	s.Add(CheckExpiry, Skip, "not checked: "+why)
}

// gitHubAuth records the auth check from GET /user and reports whether the token can be used.
func gitHubAuth(s *session, user gitHubReply[*github.User]) bool {
	if msg := gitHubRateLimited(s, user.err); msg != "" {
		s.Add(CheckAuth, Fail, msg)
		return false
	}
	switch {
	case user.err == nil && user.val != nil && user.val.GetLogin() != "":
		login := user.val.GetLogin()
		s.SetUser(login)
		if want := strings.TrimSpace(s.Creds.Username); want != "" && !strings.EqualFold(want, login) {
			s.Add(CheckAuth, Warn, fmt.Sprintf("authenticated as %s, but the Username field says %s: GitHub ignores the username "+
				"when a token is used for Git, but correct the field so the platform's records name the right account", login, want))
		} else {
			s.Add(CheckAuth, Pass, "authenticated as "+login)
		}
		return true
	case user.status() >= 200 && user.status() < 300, user.status() == 0:
		s.Add(CheckAuth, Fail, fmt.Sprintf("%s answered GET /user with something that is not GitHub's user JSON (%v): "+
			"check that the Git host (or API URL) points at a GitHub server, and try again", s.APIHost, user.err))
	case user.status() == http.StatusForbidden && strings.HasPrefix(s.Creds.Token, "ghs_"):
		s.Add(CheckAuth, Fail, "this is a GitHub App installation token (ghs_…): it lives an hour, and GitHub does not let it read "+
			"GET /user, so it can be neither checked nor kept as a token. Store the App itself: set NAME --provider github --org ORG "+
			"--app-id ID --app-key FILE")
	case user.status() == http.StatusUnauthorized:
		s.Add(CheckAuth, Fail, fmt.Sprintf("bad credentials or expired/revoked token: %s rejected it (HTTP 401). "+
			"Create a new one at %s with the scopes %s", s.APIHost, s.TokenURL(), strings.Join(s.Provider.ScopeNames(), ", ")))
	default:
		s.Add(CheckAuth, Fail, gitHubUnexpected(s, "GET /user", user.status(), user.err))
	}
	return false
}

// gitHubUnexpected describes an answer with an unexpected status.
func gitHubUnexpected(s *session, what string, status int, err error) string {
	msg := ""
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Message != "" {
		msg = ": " + er.Message
	}
	if status >= 500 {
		return fmt.Sprintf("%s answered %s with HTTP %d%s, a server-side error, so nothing could be checked: try again later", s.APIHost, what, status, msg)
	}
	return fmt.Sprintf("%s answered %s with HTTP %d%s: check the Git host and the token (%s)", s.APIHost, what, status, msg, s.TokenURL())
}

// gitHubRateLimited returns a failing message when any err is a GitHub rate-limit answer.
func gitHubRateLimited(s *session, errs ...error) string {
	for _, err := range errs {
		var rl *github.RateLimitError
		var abuse *github.AbuseRateLimitError
		switch {
		case errors.As(err, &rl):
			reset := rl.Rate.Reset.UTC()
			when := "later"
			if !reset.IsZero() {
				when = fmt.Sprintf("%s (in %s)", reset.Format("2006-01-02 15:04:05 UTC"), roundedDuration(reset.Sub(s.Now)))
			}
			return fmt.Sprintf("rate limited until %s: GitHub's API rate limit for this account (%d requests an hour) is used up, "+
				"so the token could not be checked. Wait until then, or check with a token of another account", when, rl.Rate.Limit)
		case errors.As(err, &abuse):
			wait := "a minute"
			if abuse.RetryAfter != nil {
				wait = roundedDuration(*abuse.RetryAfter)
			}
			return fmt.Sprintf("rate limited: GitHub's secondary rate limit was hit, so the token could not be checked; wait %s and try again", wait)
		}
	}
	return ""
}

func roundedDuration(d time.Duration) string {
	if d < time.Second {
		return "a moment"
	}
	return d.Round(time.Second).String()
}

// gitHubSSO returns the authorisation URL of an X-GitHub-SSO "required" answer, and whether it was one.
func gitHubSSO(h http.Header) (string, bool) {
	v := h.Get("X-GitHub-SSO")
	if !strings.HasPrefix(strings.TrimSpace(v), "required") {
		return "", false
	}
	for part := range strings.SplitSeq(v, ";") {
		if u, ok := strings.CutPrefix(strings.TrimSpace(part), "url="); ok {
			return u, true
		}
	}
	return "", true
}

func gitHubSSOMessage(s *session, org, ssoURL string) string {
	where := "on " + s.TokenURL() + " choose Configure SSO > Authorize next to the token"
	if ssoURL != "" {
		where = "open " + ssoURL + " to authorise it (or " + where + ")"
	}
	return fmt.Sprintf("organisation %s enforces SAML single sign-on and this token is not authorised for it, "+
		"so it cannot create or reach the GitOps repositories there: %s", org, where)
}

// gitHubOrg records the org check from GET /orgs/{org} and GET /user/memberships/orgs/{org}.
func gitHubOrg(s *session, org string, o gitHubReply[*github.Organization], m gitHubReply[*github.Membership]) {
	if org == "" {
		s.Add(CheckOrg, Fail, "no organisation given: enter the GitHub Organisation Name in which the GitOps repositories are "+
			"created (the name in https://github.com/<name>)")
		return
	}
	for _, r := range []http.Header{o.header(), m.header()} {
		if u, ok := gitHubSSO(r); ok {
			s.Add(CheckOrg, Fail, gitHubSSOMessage(s, org, u))
			return
		}
	}
	host := strings.TrimRight(s.Provider.TokenURL(s.Creds.Host), "/")
	host = strings.TrimSuffix(host, "/settings/tokens")
	name, ok := gitHubOrgFound(s, org, host, o)
	if !ok || !gitHubMembershipRead(s, org, name, host, m) {
		return
	}
	gitHubOrgRole(s, name, host, o.val, m.val)
}

// gitHubOrgFound records a failing org check unless GET /orgs/{org} found the organisation, and
// returns its name as GitHub spells it.
func gitHubOrgFound(s *session, org, host string, o gitHubReply[*github.Organization]) (string, bool) {
	switch {
	case o.status() == http.StatusNotFound && strings.HasPrefix(s.Creds.Token, "github_pat_"):
		s.Add(CheckOrg, Fail, fmt.Sprintf("organisation %s not found on %s, or this fine-grained token cannot see it: the GitOps "+
			"repositories are created there. Check the name (your organisations: %s/settings/organizations); if it is right, %s",
			org, s.APIHost, host, gitHubUnseenOrg(s, org)))
		return "", false
	case o.status() == http.StatusNotFound:
		s.Add(CheckOrg, Fail, fmt.Sprintf("organisation %s not found on %s (or this token cannot see it): the GitOps repositories "+
			"are created there. Check the name (your organisations: %s/settings/organizations); a fine-grained token must have "+
			"the organisation as its resource owner (%s)", org, s.APIHost, host, s.TokenURL()))
		return "", false
	case o.err != nil && o.status() >= 300:
		s.Add(CheckOrg, Fail, gitHubUnexpected(s, "GET /orgs/"+org, o.status(), o.err))
		return "", false
	case o.err != nil || o.val == nil:
		s.Add(CheckOrg, Fail, fmt.Sprintf("%s answered GET /orgs/%s with something that is not GitHub's JSON (%v)", s.APIHost, org, o.err))
		return "", false
	}
	if name := o.val.GetLogin(); name != "" {
		return name, true
	}
	return org, true
}

// gitHubMembershipRead records the org check when GET /user/memberships/orgs/{org} gave no
// membership to judge, and reports whether it gave one.
func gitHubMembershipRead(s *session, org, name, host string, m gitHubReply[*github.Membership]) bool {
	switch {
	case m.status() == http.StatusNotFound:
		s.Add(CheckOrg, Fail, fmt.Sprintf("you are not a member of organisation %s, so you cannot create the GitOps repositories "+
			"there: ask an owner to invite you (%s/orgs/%s/people), or use the token of a member", name, host, name))
		return false
	case m.status() == http.StatusForbidden:
		s.Add(CheckOrg, Warn, gitHubMembershipRefused(s, name, m.header()))
		return false
	case m.err != nil && m.status() >= 300:
		s.Add(CheckOrg, Fail, gitHubUnexpected(s, "GET /user/memberships/orgs/"+org, m.status(), m.err))
		return false
	case m.err != nil || m.val == nil:
		s.Add(CheckOrg, Fail, fmt.Sprintf("%s answered GET /user/memberships/orgs/%s with something that is not GitHub's JSON (%v)", s.APIHost, org, m.err))
		return false
	}
	return true
}

// gitHubOrgRole records the org check from the membership's state and role and the organisation's
// member privileges: whether this account may create (and delete) the GitOps repositories there.
func gitHubOrgRole(s *session, name, host string, o *github.Organization, m *github.Membership) {
	role, state := m.GetRole(), m.GetState()
	switch {
	case state == "pending":
		s.Add(CheckOrg, Fail, fmt.Sprintf("your invitation to organisation %s is still pending: accept it at %s/orgs/%s/invitation "+
			"before repositories can be created there", name, host, name))
	case state != "active":
		s.Add(CheckOrg, Fail, fmt.Sprintf("your membership in organisation %s is %q, not active: ask an owner (%s/orgs/%s/people)", name, state, host, name))
	case role == "admin":
		s.Add(CheckOrg, Pass, fmt.Sprintf("organisation %s: you are an owner (admin), so you may create and delete its repositories", name))
	case role == "billing_manager":
		// A billing manager manages the organisation's billing only: no repository access at all.
		s.Add(CheckOrg, Fail, fmt.Sprintf("organisation %s: you are its billing manager, a role that manages billing but cannot "+
			"create repositories, so the GitOps repositories cannot be created there: ask an owner to make you a member who may "+
			"create repositories, or an owner (%s/orgs/%s/people), or use the token of such an account", name, host, name))
	case o.MembersCanCreatePrivateRepos != nil && !o.GetMembersCanCreatePrivateRepos(),
		o.MembersCanCreateRepos != nil && !o.GetMembersCanCreateRepos():
		s.AddUnneeded(CheckOrg, Fail, fmt.Sprintf("organisation %s: you are a %s, not an owner, and members may not create private repositories "+
			"there: ask an owner to make you an owner or to allow it (%s/organizations/%s/settings/member_privileges)", name, role, host, name),
			"cannot create repositories in "+name)
	case o.MembersCanCreatePrivateRepos != nil || o.MembersCanCreateRepos != nil:
		s.AddUnneeded(CheckOrg, Warn, fmt.Sprintf("organisation %s: you are a %s, not an owner. Members may create repositories there, but "+
			"deleting them also needs the organisation to let members delete repositories, which the API does not show; "+
			"ask an owner (%s/organizations/%s/settings/member_privileges) or run the round-trip check (--deep)", name, role, host, name),
			"may not delete repositories in "+name)
	default:
		// GET /orgs/{org} shows members_can_create_* to owners only (with admin:org): for anyone
		// else they are absent, which says nothing about the setting.
		s.AddUnneeded(CheckOrg, Warn, fmt.Sprintf("organisation %s: you are a %s, not an owner, and GitHub shows only owners whether members "+
			"may create repositories there, so that is unknown: ask an owner to check the organisation settings, Member privileges, "+
			"Repository creation (%s/organizations/%s/settings/member_privileges; deleting needs members to be allowed to delete "+
			"repositories too); the round-trip check (--deep) confirms it by creating and deleting a repository", name, role, host, name),
			"may not create or delete repositories in "+name)
	}
}

// gitHubGrantedScopes parses X-OAuth-Scopes; present reports whether the header was sent at all.
func gitHubGrantedScopes(h http.Header) (granted map[string]bool, present bool) {
	vals, present := h[http.CanonicalHeaderKey("X-OAuth-Scopes")]
	granted = map[string]bool{}
	for _, v := range vals {
		for sc := range strings.SplitSeq(v, ",") {
			if sc = strings.TrimSpace(sc); sc != "" {
				granted[sc] = true
			}
		}
	}
	return granted, present
}

// gitHubCoveredBy returns the granted scope that includes scope, or "".
func gitHubCoveredBy(granted map[string]bool, scope string) string {
	if granted[scope] {
		return scope
	}
	for g := range granted {
		for _, c := range gitHubScopeCovers[g] {
			if c == scope {
				return g
			}
		}
	}
	return ""
}

// gitHubPartial lists the granted scopes that are part of scope (e.g. public_repo for repo).
func gitHubPartial(granted map[string]bool, scope string) []string {
	var part []string
	for _, c := range gitHubScopeCovers[scope] {
		if granted[c] {
			part = append(part, c)
		}
	}
	return part
}

func gitHubScopes(s *session, h http.Header) {
	granted, present := gitHubGrantedScopes(h)
	tok := s.Creds.Token
	classic := strings.HasPrefix(tok, "ghp_") || strings.HasPrefix(tok, "gho_")
	if gitHubAppToken(tok) {
		gitHubAppTokenScopes(s)
		return
	}
	if strings.HasPrefix(tok, "github_pat_") || (!present && !classic) {
		gitHubFineGrainedScopes(s)
		return
	}
	// A classic token with no X-OAuth-Scopes header is read like an empty one: no scopes.
	list := make([]string, 0, len(granted))
	for g := range granted {
		list = append(list, g)
	}
	sort.Strings(list)
	grantedText := "none"
	if len(list) > 0 {
		grantedText = strings.Join(list, ", ")
	}
	for _, sc := range s.Provider.Scopes {
		id := ScopeCheckID(sc.Name)
		by := gitHubCoveredBy(granted, sc.Name)
		switch {
		case by == sc.Name:
			s.Add(id, Pass, "granted")
		case by != "":
			s.Add(id, Pass, "granted through "+by)
		case sc.Advisory:
			s.Add(id, Warn, fmt.Sprintf("not granted: it is %s. Tick it at %s only if your platform's policy insists",
				sc.Why, s.TokenURL()))
		default:
			msg := fmt.Sprintf("missing: %s. Edit the token at %s and tick %s (granted now: %s)", sc.Why, s.TokenURL(), sc.Name, grantedText)
			if part := gitHubPartial(granted, sc.Name); len(part) > 0 {
				msg = fmt.Sprintf("missing: only %s of it is granted, but %s needs the whole of %s (%s). Edit the token at %s and tick %s",
					strings.Join(part, ", "), s.Provider.Name, sc.Name, sc.Why, s.TokenURL(), sc.Name)
			}
			s.Add(id, Fail, msg)
		}
	}
}

// parseGitHubExpiry parses GitHub-Authentication-Token-Expiration in either layout GitHub uses.
func parseGitHubExpiry(v string) (time.Time, bool) {
	for _, layout := range gitHubExpiryLayouts {
		if t, err := time.Parse(layout, strings.TrimSpace(v)); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func gitHubExpiry(s *session, h http.Header) {
	v := h.Get("GitHub-Authentication-Token-Expiration")
	if v == "" {
		s.Add(CheckExpiry, Pass, "the token has no expiry date (GitHub recommends one; you will not be warned before it stops working)")
		return
	}
	t, ok := parseGitHubExpiry(v)
	if !ok {
		s.Add(CheckExpiry, Warn, fmt.Sprintf("the expiry date GitHub sent (%q) could not be read: see the token's page at %s", v, gitHubTokenPage(s)))
		return
	}
	addTokenExpiryCheck(s, t, gitHubRenewal(s))
}

// gitHubTokenPage is where the session's token is managed: a GitHub App's settings pages for a
// token an App issued, the personal-token page otherwise.
func gitHubTokenPage(s *session) string {
	if gitHubAppToken(s.Creds.Token) {
		return GitHubAppsPage(gitHubWebHost(s), s.Creds.Org, "")
	}
	return s.TokenURL()
}

// gitHubRenewal says how to replace the session's token before or after it expires: a token a
// GitHub App issued is renewed by its App, so the App itself is what to store.
func gitHubRenewal(s *session) string {
	if gitHubAppToken(s.Creds.Token) {
		return fmt.Sprintf("it is a %s, which its App renews: store the App itself (`gitopscfg set %s --app-id ID --app-key FILE`; "+
			"generate its private key on %s), and the platforms mint their own tokens from it",
			gitHubTokenKind(s.Creds.Token), s.Creds.CredentialName(), GitHubAppsPage(gitHubWebHost(s), s.Creds.Org, ""))
	}
	return "create a new one at " + s.TokenURL() + " and update it here"
}

// GitHubAppsPage is the settings page of the GitHub App slug at web (without a trailing slash),
// where its private keys are generated: the organisation's page for an App org owns, the
// account's otherwise (org ""). With no slug it names both lists of Apps.
func GitHubAppsPage(web, org, slug string) string {
	web = strings.TrimRight(web, "/")
	switch {
	case slug != "" && org != "":
		return web + "/organizations/" + org + "/settings/apps/" + slug
	case slug != "":
		return web + "/settings/apps/" + slug
	case org != "":
		return "the App's settings page (" + web + "/organizations/" + org + "/settings/apps for organisation " + org +
			"'s Apps, " + web + "/settings/apps for your own)"
	}
	return "the App's settings page (" + web + "/settings/apps, or an organisation's /organizations/ORG/settings/apps)"
}

// addTokenExpiryCheck records the token's expiry and the expiry check: fail when past, warn within
// expiryWarnWithin, pass otherwise; renew says what to do about it ("create a new one at …").
func addTokenExpiryCheck(s *session, t time.Time, renew string) {
	s.SetExpiry(t)
	left := t.Sub(s.Now)
	date := t.UTC().Format("2006-01-02 15:04 UTC")
	switch {
	case left <= 0:
		s.Add(CheckExpiry, Fail, fmt.Sprintf("the token expired on %s: GitOps stops working with it; %s", date, renew))
	case left <= expiryWarnWithin:
		s.Add(CheckExpiry, Warn, fmt.Sprintf("expires in %s (%s): GitOps stops working then; %s", daysText(left), date, renew))
	default:
		s.Add(CheckExpiry, Pass, fmt.Sprintf("expires on %s (in %s)", date, daysText(left)))
	}
}

func daysText(d time.Duration) string {
	days := int(d.Hours() / 24)
	switch {
	case days == 0:
		return "less than a day"
	case days == 1:
		return "1 day"
	}
	return fmt.Sprintf("%d days", days)
}
