package providers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/go-github/v84/github"
)

// A GitHub App acting as its installation: the live check, the round trip and the Git read check
// mint an installation token and use it as the platforms do (Git user x-access-token). The
// platforms mint their own, so each token minted here is revoked as soon as its work is done
// (DELETE /installation/token, 204) rather than left alive for its hour; a revocation that fails
// is said as a warning (CheckRevoke), never as a failure.

// CheckRevoke is the warning a failed revocation of an installation token adds.
const CheckRevoke = "revoke"

// revokeTimeout bounds the revocation, which runs even after the run's context has ended.
const revokeTimeout = 10 * time.Second

// useAppToken makes a GitHub App's round trip run as its installation: it mints an installation
// token and puts it, with the Git user x-access-token, in the place of the credential's secret.
// It returns why it cannot, or "" (and does nothing for any other credential).
func (d *deepRun) useAppToken(ctx context.Context, env *Env) string {
	if !isGitHubApp(d.creds) {
		return ""
	}
	c, revoke, why := asInstallation(ctx, env, d.creds)
	if why != "" {
		return "skipped: " + why
	}
	d.creds, d.revoke = c, revoke
	return ""
}

// revokeMinted revokes the installation token the round trip minted, if any, and records a
// failure as a warning.
func (d *deepRun) revokeMinted(ctx context.Context) {
	if d.revoke == nil {
		return
	}
	if why := d.revoke(ctx); why != "" {
		d.result.Add(CheckRevoke, Warn, why)
	}
	d.revoke = nil
}

// asInstallation returns a GitHub App's credentials as its installation's: an installation
// token minted now in the place of the private key, with the Git user x-access-token (as the
// platforms use it), and the function that revokes that token; or why it cannot.
func asInstallation(ctx context.Context, env *Env, app Credentials) (Credentials, func(context.Context) string, string) {
	var scratch Result
	s, ok := newSession(env, MustLookup(app.Provider), app, &scratch)
	if !ok {
		return app, nil, "the API address is unusable (see network)"
	}
	a := &gitHubAppRun{s: s, org: strings.TrimSpace(s.Creds.Org), web: gitHubWebHost(s)}
	if !a.sign() || !a.readAppAndInstallation(ctx) {
		return app, nil, "the App's JSON web token could not be used"
	}
	if a.app.err != nil {
		return app, nil, "GitHub refused the App's JSON web token (run the check)"
	}
	in, ok := a.installation()
	if !ok || !a.mint(ctx, in) {
		return app, nil, "no installation token could be minted for the App (run the check)"
	}
	c := app
	c.Kind, c.Token, c.Username = "", a.tok.val.GetToken(), gitHubAppGitUser
	return c, a.revoke, ""
}

// revoke revokes the installation token a minted, with that token (DELETE /installation/token);
// it returns why it could not, or "". It runs even when ctx has ended: the token must not outlive
// the check for want of a few milliseconds.
func (a *gitHubAppRun) revoke(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), revokeTimeout)
	defer cancel()
	left := "it stays valid until it expires by itself within the hour"
	if t := a.tok.val.GetExpiresAt(); !t.IsZero() {
		left = "it stays valid until it expires by itself at " + t.UTC().Format("15:04 UTC")
	}
	gh, err := newGitHubClientToken(a.s, a.tok.val.GetToken())
	if err != nil {
		return "could not revoke the installation token minted for this check: " + err.Error() + "; " + left
	}
	resp, err := gh.Apps.RevokeInstallationToken(ctx)
	if err == nil {
		return ""
	}
	var er *github.ErrorResponse
	switch {
	case errors.As(err, &er) && resp != nil:
		return fmt.Sprintf("%s did not revoke the installation token minted for this check (DELETE /installation/token answered "+
			"HTTP %d%s); %s. Nothing else needs doing: the platforms mint their own", a.s.APIHost, resp.StatusCode, gitHubQuoted(er), left)
	default:
		msg := DescribeNetworkError(err, a.s.APIHost)
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Sprintf("could not revoke the installation token minted for this check (%s); %s. Nothing else needs doing: "+
			"the platforms mint their own", msg, left)
	}
}

// GitHubAppKeyPage names where the private keys of c's App are generated, without asking GitHub:
// slug is the App's, as its last check learned it ("" when unknown). An App is usually owned by
// the organisation it serves, so its page comes first; an account's own App has the other.
func GitHubAppKeyPage(c Credentials, slug string) string {
	web := strings.TrimSuffix(strings.TrimRight(MustLookup(GitHub).TokenURL(c.Host), "/"), "/settings/tokens")
	org := strings.TrimSpace(c.Org)
	if slug == "" || org == "" {
		return GitHubAppsPage(web, org, "")
	}
	return GitHubAppsPage(web, org, slug) + " (" + GitHubAppsPage(web, "", slug) + " when an account, not the organisation, owns it)"
}
