package providers

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// runGitServer is RunDeep's mode for the generic provider: the existing-repository round trip
// (a throw-away branch, never a repository) on its one repository, read by Git alone (it has no
// API), over HTTPS with the token or over SSH with the key and the trusted host key.
func (d *deepRun) runGitServer(ctx context.Context, env *Env) {
	redact := d.creds.Redact
	if why := existingBlocked(*d.result); why != "" {
		SkipExisting(d.result, d.progress, redact, why)
		return
	}
	auth, rt, err := gitServerAuth(env, d.creds)
	if err != nil {
		SkipExisting(d.result, d.progress, redact, "skipped: "+err.Error())
		return
	}
	raw := strings.TrimSpace(d.creds.URL)
	name := raw
	if u, err := url.Parse(raw); err == nil {
		name = strings.Trim(u.Path, "/")
	}
	t := ExistingRepo{URL: raw, FullName: name, Auth: auth, Transport: rt, Redact: redact, BranchName: d.names}
	RunExisting(ctx, t, d.result, d.progress)
}

// gitServerAuth is the generic provider's Git authentication: its SSH key (with the trusted host
// key) when it has one, else HTTP Basic with the username and the token over the credential's own
// transport (CA bundle, proxy, client certificate).
func gitServerAuth(env *Env, c Credentials) (transport.AuthMethod, http.RoundTripper, error) {
	if UsesSSH(c) {
		a, err := gitSSHAuth(c)
		return a, nil, err
	}
	rt, err := env.Clients.gitTransport(TransportOf(c.Settings))
	if err != nil {
		return nil, nil, err
	}
	return &githttp.BasicAuth{Username: GitUsername(c), Password: c.Token}, rt, nil
}
