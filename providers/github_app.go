package providers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v84/github"

	"gitopscfg/config"
)

// The live check of a GitHub App (ARCHITECTURE.md: the provider's check). GET /user is not
// available to Apps, so the App's check reads the App and its installation instead: it signs the
// App's JWT with the private key and sends, at once, GET /app and the installation's look-up (GET
// /orgs/{org}/installation, or GET /app/installations/{id} with the POST that mints its token when
// the installation's ID is known); then it mints an installation token (POST
// /app/installations/{id}/access_tokens), reads GET /installation/repositories with it and revokes
// it (DELETE /installation/token, github_app_install.go). The longest chain is four requests,
// three when the installation's ID is given.

// Check ids of a GitHub App's permissions.
const (
	CheckPermAdministration = "permission:administration"
	CheckPermContents       = "permission:contents"
	CheckPermMetadata       = "permission:metadata"
)

// gitHubAppGitUser is the Git username that goes with an installation token.
const gitHubAppGitUser = "x-access-token"

// gitHubAppRun is what one App check learned, request by request.
type gitHubAppRun struct {
	s       *session
	org     string
	jwt     string
	app     gitHubReply[*github.App]
	inst    gitHubReply[*github.Installation]
	tok     gitHubReply[*github.InstallationToken]
	repos   gitHubReply[*github.ListRepositories]
	web     string // the web host, for the pages the messages name
	instID  int64
	viaOrgs bool // the installation was looked up from the organisation
}

func checkGitHubApp(ctx context.Context, s *session) {
	a := &gitHubAppRun{s: s, org: strings.TrimSpace(s.Creds.Org), web: gitHubWebHost(s)}
	if !a.sign() {
		return
	}
	if !a.readAppAndInstallation(ctx) {
		return
	}
	if !a.gitHubAppAuth() {
		skipAppChecks(s, "the App could not authenticate")
		return
	}
	in, ok := a.installation()
	if !ok {
		skipAppChecks(s, "the App's installation on the organisation is not usable")
		return
	}
	if !a.mint(ctx, in) {
		skipAppChecks(s, "no installation token could be minted")
		return
	}
	a.readRepositories(ctx)
	revoked, later := a.revokeNowOrLater(ctx)
	a.recordInstallation(in)
	a.permissions(in)
	a.expiry(revoked == "", later)
	if revoked != "" {
		s.Add(CheckRevoke, Warn, revoked)
	}
}

// gitHubWebHost is the web address of the credential's GitHub, without a trailing slash.
func gitHubWebHost(s *session) string {
	return strings.TrimSuffix(strings.TrimRight(s.Provider.TokenURL(s.Creds.Host), "/"), "/settings/tokens")
}

// sign makes the App's JWT; it records why it cannot.
func (a *gitHubAppRun) sign() bool {
	key, err := gitHubAppKey(a.s.Creds.Token)
	if err == nil {
		a.jwt, err = GitHubAppJWT(key, strings.TrimSpace(a.s.Creds.AppID), a.s.Now)
	}
	if err != nil {
		a.s.Add(CheckAuth, Fail, "the App's private key cannot sign: "+err.Error())
		skipAppChecks(a.s, "the App could not authenticate")
		return false
	}
	a.s.mint(a.jwt)
	return true
}

// readAppAndInstallation sends GET /app and the installation's look-up at once (and, with the
// installation's ID given, the token's POST too); it reports false after a network failure.
func (a *gitHubAppRun) readAppAndInstallation(ctx context.Context) bool {
	gh, err := newGitHubClientToken(a.s, a.jwt)
	if err != nil {
		a.s.Add(CheckNetwork, Fail, fmt.Sprintf("the GitHub API URL %s is not usable (%v): check the Git host or API URL", a.s.APIBase, err))
		return false
	}
	var wg sync.WaitGroup
	wg.Go(func() { a.app.val, a.app.resp, a.app.err = gh.Apps.Get(ctx, "") })
	if id := strings.TrimSpace(a.s.Creds.InstallationID); id != "" {
		a.instID, _ = strconv.ParseInt(id, 10, 64)
		wg.Go(func() { a.inst.val, a.inst.resp, a.inst.err = gh.Apps.GetInstallation(ctx, a.instID) })
		wg.Go(func() {
			a.tok.val, a.tok.resp, a.tok.err = gh.Apps.CreateInstallationToken(ctx, a.instID, &github.InstallationTokenOptions{})
		})
	} else {
		a.viaOrgs = true
		wg.Go(func() { a.inst.val, a.inst.resp, a.inst.err = gh.Apps.FindOrganizationInstallation(ctx, a.org) })
	}
	wg.Wait()
	for _, err := range []error{a.app.err, a.inst.err, a.tok.err} {
		if a.s.NetworkFailure(err) {
			return false
		}
	}
	return true
}

// skipAppChecks records the App's checks that depend on a usable App and installation as skipped.
func skipAppChecks(s *session, why string) {
	for _, id := range []string{CheckPermAdministration, CheckPermContents, CheckPermMetadata, CheckOrg, CheckExpiry} {
		s.mu.Lock()
		_, done := s.result.Find(id)
		s.mu.Unlock()
		if !done {
			s.Add(id, Skip, "not checked: "+why)
		}
	}
}

// gitHubAppAuth records the auth check from GET /app and reports whether the App authenticated.
func (a *gitHubAppRun) gitHubAppAuth() bool {
	s, r := a.s, a.app
	if msg := gitHubRateLimited(s, r.err); msg != "" {
		s.Add(CheckAuth, Fail, msg)
		return false
	}
	var er *github.ErrorResponse
	errors.As(r.err, &er)
	switch {
	case r.err == nil && r.val != nil && r.val.GetID() != 0:
		s.SetUser(r.val.GetSlug())
		s.Add(CheckAuth, Pass, fmt.Sprintf("GitHub App %s (%s, ID %d): GitHub accepts the JSON web token its private key signs",
			r.val.GetName(), r.val.GetSlug(), r.val.GetID()))
		return true
	case r.status() == http.StatusUnauthorized && er != nil && gitHubJWTTimeRefused(er.Message):
		s.Add(CheckAuth, Fail, a.clockMessage(er.Message))
	case r.status() == http.StatusUnauthorized:
		s.Add(CheckAuth, Fail, fmt.Sprintf("GitHub could not verify the App's JSON web token (HTTP 401%s): the private key is not "+
			"the key of App %s (another App's, or one deleted since), or the App ID is wrong. Check the App ID on the App's "+
			"settings page (%s/settings/apps, or the organisation's), generate a private key there if needed, and give it "+
			"with set --app-key FILE", gitHubQuoted(er), strings.TrimSpace(s.Creds.AppID), a.web))
	case r.status() >= 200 && r.status() < 300, r.status() == 0:
		s.Add(CheckAuth, Fail, fmt.Sprintf("%s answered GET /app with something that is not GitHub's App JSON (%v): check that "+
			"the Git host (or API URL) points at a GitHub server", s.APIHost, r.err))
	default:
		s.Add(CheckAuth, Fail, gitHubUnexpected(s, "GET /app", r.status(), r.err))
	}
	return false
}

// gitHubQuoted is `: "message"` of GitHub's error answer, or "".
func gitHubQuoted(er *github.ErrorResponse) string {
	if er == nil || er.Message == "" {
		return ""
	}
	return fmt.Sprintf(": %q", er.Message)
}

// gitHubJWTTimeRefused reports whether GitHub's message refuses the JWT's iat or exp.
func gitHubJWTTimeRefused(msg string) bool {
	return strings.Contains(msg, "'Issued at' claim") || strings.Contains(msg, "'Expiration time' claim")
}

// clockMessage says that GitHub refused the JWT's times, and by how much this machine's clock
// differs from GitHub's (from the answer's Date header).
func (a *gitHubAppRun) clockMessage(msg string) string {
	skew := "cannot be measured (the answer has no Date header)"
	if d, err := http.ParseTime(a.app.header().Get("Date")); err == nil {
		diff := a.s.Now.Sub(d).Round(time.Second)
		switch {
		case diff > 0:
			skew = fmt.Sprintf("is %s ahead of GitHub's", diff)
		case diff < 0:
			skew = fmt.Sprintf("is %s behind GitHub's", -diff)
		default:
			skew = "agrees with GitHub's to the second"
		}
	}
	return fmt.Sprintf("GitHub refused the times in the App's JSON web token (HTTP 401: %q): this machine's clock %s. The token "+
		"says it was issued %s ago and expires in %s, and GitHub takes neither an issue time in its future nor an expiry more "+
		"than 10 minutes ahead: set this machine's clock right (NTP); the platforms sign their own tokens, so their clocks "+
		"must be right too", msg, skew, gitHubAppJWTBackdate, gitHubAppJWTLife)
}

// installationWanted says which installation the check looked for, for messages.
func (a *gitHubAppRun) installationWanted() string {
	if a.viaOrgs {
		return "the App's installation on organisation " + a.org
	}
	return "installation " + strconv.FormatInt(a.instID, 10)
}

// installation records a failing org check unless the look-up found a usable installation on
// the organisation, and returns it.
func (a *gitHubAppRun) installation() (*github.Installation, bool) {
	s, r, slug := a.s, a.inst, a.app.val.GetSlug()
	switch {
	case r.status() == http.StatusNotFound && a.viaOrgs:
		s.Add(CheckOrg, Fail, fmt.Sprintf("App %s is not installed on organisation %s: an owner of %s installs it at "+
			"%s/apps/%s/installations/new, for All repositories", slug, a.org, a.org, a.web, slug))
		return nil, false
	case r.status() == http.StatusNotFound:
		s.Add(CheckOrg, Fail, fmt.Sprintf("installation %d is not one of App %s's (or it was removed): give the ID at the end of "+
			"%s/organizations/%s/settings/installations/<id>, or leave --installation-id empty to find the organisation's", a.instID, slug, a.web, a.org))
		return nil, false
	case r.err != nil && r.status() >= 300:
		s.Add(CheckOrg, Fail, gitHubUnexpected(s, "the look-up of "+a.installationWanted(), r.status(), r.err))
		return nil, false
	case r.err != nil || r.val == nil:
		s.Add(CheckOrg, Fail, fmt.Sprintf("%s answered the look-up of %s with something that is not GitHub's JSON (%v)", s.APIHost, a.installationWanted(), r.err))
		return nil, false
	}
	in := r.val
	if acct := in.GetAccount().GetLogin(); !strings.EqualFold(acct, a.org) {
		s.Add(CheckOrg, Fail, fmt.Sprintf("installation %d is on account %s, not on organisation %s: give the ID of the App's "+
			"installation on %s, or leave --installation-id empty to find it", in.GetID(), acct, a.org, a.org))
		return nil, false
	}
	if in.SuspendedAt != nil {
		s.Add(CheckOrg, Fail, fmt.Sprintf("the installation of App %s on organisation %s is suspended (since %s): suspended, it "+
			"mints no tokens, so no platform reaches the repositories. An owner of %s can unsuspend it at %s (unless the App's "+
			"owner suspended it: then only they can)", slug, a.org, in.GetSuspendedAt().UTC().Format("2006-01-02"), a.org, in.GetHTMLURL()))
		return nil, false
	}
	return in, true
}

// mint mints an installation token (or reads the answer of the POST sent with the look-up); it
// records why it could not.
func (a *gitHubAppRun) mint(ctx context.Context, in *github.Installation) bool {
	if a.tok.resp == nil && a.tok.err == nil {
		gh, err := newGitHubClientToken(a.s, a.jwt)
		if err != nil {
			return false
		}
		a.tok.val, a.tok.resp, a.tok.err = gh.Apps.CreateInstallationToken(ctx, in.GetID(), &github.InstallationTokenOptions{})
		if a.s.NetworkFailure(a.tok.err) {
			return false
		}
	}
	var er *github.ErrorResponse
	errors.As(a.tok.err, &er)
	switch {
	case a.tok.status() == http.StatusForbidden && er != nil && strings.Contains(strings.ToLower(er.Message), "suspended"):
		a.s.Add(CheckOrg, Fail, fmt.Sprintf("GitHub refused to mint an installation token (HTTP 403%s): the installation on %s is "+
			"suspended; an owner of %s can unsuspend it at %s (unless the App's owner suspended it: then only they can)",
			gitHubQuoted(er), a.org, a.org, in.GetHTMLURL()))
		return false
	case a.tok.err != nil:
		a.s.Add(CheckOrg, Fail, gitHubUnexpected(a.s, fmt.Sprintf("POST /app/installations/%d/access_tokens", in.GetID()), a.tok.status(), a.tok.err))
		return false
	case a.tok.val.GetToken() == "":
		a.s.Add(CheckOrg, Fail, fmt.Sprintf("%s answered the installation token's POST without a token", a.s.APIHost))
		return false
	}
	a.s.mint(a.tok.val.GetToken())
	return true
}

// readRepositories reads GET /installation/repositories with the installation token.
func (a *gitHubAppRun) readRepositories(ctx context.Context) {
	gh, err := newGitHubClientToken(a.s, a.tok.val.GetToken())
	if err != nil {
		return
	}
	a.repos.val, a.repos.resp, a.repos.err = gh.Apps.ListRepos(ctx, &github.ListOptions{PerPage: 1})
	a.s.NetworkFailure(a.repos.err)
}

// recordInstallation records the org check of a usable installation: which repositories it
// covers, and whether its token reads them.
func (a *gitHubAppRun) recordInstallation(in *github.Installation) {
	s := a.s
	seen := ""
	switch r := a.repos; {
	case r.err == nil && r.val != nil:
		seen = fmt.Sprintf("; its token sees %d repositories now", r.val.GetTotalCount())
	case r.status() != 0:
		s.Add(CheckOrg, Fail, "the installation token was minted, but "+gitHubUnexpected(s, "GET /installation/repositories", r.status(), r.err))
		return
	default:
		return // a network failure, recorded
	}
	if in.GetRepositorySelection() == "selected" {
		s.Add(CheckOrg, Warn, fmt.Sprintf("App %s is installed on organisation %s for selected repositories only (installation %d%s): "+
			"a repository created later is outside the installation until someone adds it, so creating repositories through the "+
			"App is useless to a platform. Choose All repositories at %s", a.app.val.GetSlug(), a.org, in.GetID(), seen, in.GetHTMLURL()))
		return
	}
	s.Add(CheckOrg, Pass, fmt.Sprintf("App %s is installed on organisation %s for all repositories (installation %d%s)",
		a.app.val.GetSlug(), a.org, in.GetID(), seen))
}

// expiry records that an installation token lives an hour, and that the platforms mint their own.
// revoked says whether the one this check minted was revoked already, later that it is being
// revoked as the check ends (RunDeferred).
func (a *gitHubAppRun) expiry(revoked, later bool) {
	until := "an hour"
	switch t := a.tok.val.GetExpiresAt(); {
	case later:
		until = "an hour (the one this check minted is revoked as the check ends)"
	case revoked:
		until = "an hour (the one this check minted was revoked when it was done)"
	case !t.IsZero():
		until = "an hour (the one this check minted until " + t.UTC().Format("15:04 UTC") + ")"
	}
	a.s.Add(CheckExpiry, Pass, "nothing to renew: an installation token lives "+until+", and Argo CD and Flux mint their own "+
		"from the App's private key, which does not expire; to replace the key, generate a new one on "+a.keyPage()+
		", give it with `gitopscfg set "+a.s.Creds.CredentialName()+" --app-key FILE`, then delete the old one there")
}

// keyPage is the App's settings page, where its private keys are generated: its organisation's
// when an organisation owns the App.
func (a *gitHubAppRun) keyPage() string {
	app := a.app.val
	org := ""
	if app.GetOwner().GetType() == "Organization" {
		org = app.GetOwner().GetLogin()
	}
	return GitHubAppsPage(a.web, org, app.GetSlug())
}

// gitHubAppNeeds are the installation permissions GitOps needs, and why.
var gitHubAppNeeds = []struct {
	id, name, level, why string
}{
	{CheckPermAdministration, "Administration", "write", "to create and delete the GitOps repositories"},
	{CheckPermContents, "Contents", "write", "to clone and push to them"},
	{CheckPermMetadata, "Metadata", "read", "to read them at all"},
}

// permissions records one check per permission GitOps needs, from the installation's
// permissions (which an owner accepts) and the App's (which it asks for).
func (a *gitHubAppRun) permissions(in *github.Installation) {
	granted := gitHubPermLevels(in.GetPermissions())
	asked := gitHubPermLevels(a.app.val.GetPermissions())
	for _, n := range gitHubAppNeeds {
		key := strings.ToLower(n.name)
		switch got := granted[key]; {
		case got == n.level || (n.level == "read" && got == "write"):
			a.s.Add(n.id, Pass, fmt.Sprintf("%s: %s granted", n.name, got))
		case asked[key] == n.level || (n.level == "read" && asked[key] == "write"):
			a.s.Add(n.id, Fail, fmt.Sprintf("%s: %s is needed %s; the App asks for it, but the installation on %s has %s: an owner "+
				"of %s accepts the App's new permissions at %s", n.name, n.level, n.why, a.org, levelText(got), a.org, in.GetHTMLURL()))
		default:
			a.s.Add(n.id, Fail, fmt.Sprintf("%s: %s is needed %s, and the installation has %s: give the App the repository "+
				"permission %s: %s on its settings page (Permissions & events), then an owner of %s accepts it at %s",
				n.name, n.level, n.why, levelText(got), n.name, levelText(n.level), a.org, in.GetHTMLURL()))
		}
	}
}

func levelText(l string) string {
	switch l {
	case "":
		return "none"
	case "write":
		return "read and write"
	}
	return l
}

// gitHubPermLevels reads the three permissions GitOps needs.
func gitHubPermLevels(p *github.InstallationPermissions) map[string]string {
	return map[string]string{"administration": p.GetAdministration(), "contents": p.GetContents(), "metadata": p.GetMetadata()}
}

// isGitHubApp reports whether c is a GitHub App.
func isGitHubApp(c Credentials) bool { return c.Kind == config.CredentialGitHubApp }
