package providers

import (
	"context"
	"strings"
)

// A GitHub App acting as its installation: the round trip and the Git read check mint an
// installation token and use it as the platforms do (Git user x-access-token).

// useAppToken makes a GitHub App's round trip run as its installation: it mints an installation
// token and puts it, with the Git user x-access-token, in the place of the credential's secret.
// It returns why it cannot, or "" (and does nothing for any other credential).
func (d *deepRun) useAppToken(ctx context.Context, env *Env) string {
	if !isGitHubApp(d.creds) {
		return ""
	}
	c, why := asInstallation(ctx, env, d.creds)
	if why != "" {
		return "skipped: " + why
	}
	d.creds = c
	return ""
}

// asInstallation returns a GitHub App's credentials as its installation's: an installation
// token minted now in the place of the private key, with the Git user x-access-token (as the
// platforms use it); or why it cannot.
func asInstallation(ctx context.Context, env *Env, app Credentials) (Credentials, string) {
	var scratch Result
	s, ok := newSession(env, MustLookup(app.Provider), app, &scratch)
	if !ok {
		return app, "the API address is unusable (see network)"
	}
	a := &gitHubAppRun{s: s, org: strings.TrimSpace(s.Creds.Org), web: gitHubWebHost(s)}
	if !a.sign() || !a.readAppAndInstallation(ctx) {
		return app, "the App's JSON web token could not be used"
	}
	if a.app.err != nil {
		return app, "GitHub refused the App's JSON web token (run the check)"
	}
	in, ok := a.installation()
	if !ok || !a.mint(ctx, in) {
		return app, "no installation token could be minted for the App (run the check)"
	}
	c := app
	c.Kind, c.Token, c.Username = "", a.tok.val.GetToken(), gitHubAppGitUser
	return c, ""
}
