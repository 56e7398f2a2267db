package providers

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
)

// DeepTimeout bounds a round-trip check as a whole (live check included) when env.Timeout is not
// set; the command line sets env.Timeout from --timeout, 60 s by default with --deep.
const DeepTimeout = 60 * time.Second

// DeepDeleteTimeout bounds the clean-up (deep:delete). The clean-up runs on a context that
// survives the caller's cancellation and deadline, so Ctrl-C or a timeout still deletes the
// repository; this is its own, short, deadline.
const DeepDeleteTimeout = 20 * time.Second

// deepNameTries is how many names the round trip tries when a name exists already.
const deepNameTries = 4

// RunDeep runs the live check (Run) and, once authentication and the organisation check pass (a
// missing scope does not stop it), the round trip against a new private throw-away repository:
// deep:create (create through the API, then poll until the API returns it), deep:clone (HTTPS,
// in memory), deep:push (commit deepCheckFile to the default branch), deep:verify (the remote
// branch points at that commit) and deep:delete (delete through the API and confirm it is gone).
// Each stage is a Check with its own duration, appended to the live check's result. Stages after
// a failure are skipped, except deep:delete, which runs whenever a repository was created, even
// after ctx is cancelled. progress, if not nil, is called as each stage starts (Status Running)
// and ends (its final Check), from the calling goroutine.
//
// The token goes only into the Basic auth of go-git's HTTP transport: never into a URL, a file,
// argv, the environment or a Git configuration (the clone lives in memory). Like Run, RunDeep
// never returns an error: every problem is a failing check.
func RunDeep(ctx context.Context, env *Env, c Credentials, progress func(Check)) Result {
	start := time.Now()
	timeout := env.Timeout
	if timeout <= 0 {
		timeout = DeepTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if progress == nil {
		progress = func(Check) {}
	}
	report := progress
	progress = func(ch Check) { report(ch.Sealed(c)) } // events leave sealed, like the result

	r := Run(ctx, env, c)
	d := &deepRun{creds: c, result: &r, progress: progress, names: env.RepoNames}
	if d.names == nil {
		d.names = randomRepoName
	}
	if p, err := Lookup(string(c.Provider)); err == nil && p.gitOnly {
		d.runGitServer(ctx, env)
	} else if c.Repo != "" {
		d.runExisting(ctx, env)
	} else if why := deepBlocked(r); why != "" {
		for _, id := range DeepStages {
			d.skip(id, why)
		}
	} else if why := d.useAppToken(ctx, env); why != "" {
		for _, id := range DeepStages {
			d.skip(id, why)
		}
	} else if why := d.prepare(ctx, env); why != "" {
		for _, id := range DeepStages {
			d.skip(id, why)
		}
	} else {
		d.run(ctx)
	}
	d.revokeMinted(ctx)
	r.DurationMS = time.Since(start).Milliseconds()
	r.Finish()
	return r.Sealed(c)
}

// randomRepoName returns RepoPrefix followed by 6 random characters from [a-z0-9] (crypto/rand).
func randomRepoName() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 6)
	for i := range b {
		// rand.Text would do, but its alphabet is upper-case base32; draw bytes without modulo bias.
		for {
			var one [1]byte
			_, _ = rand.Read(one[:])
			if int(one[0]) < 256-256%len(alphabet) {
				b[i] = alphabet[int(one[0])%len(alphabet)]
				break
			}
		}
	}
	return RepoPrefix + string(b)
}

// deepBlocked says why the round trip cannot start after the live check r, or "" when it can:
// authentication and the organisation must not have failed (a missing scope does not block it).
func deepBlocked(r Result) string {
	if c, ok := r.Find(CheckNetwork); ok && c.Status == Fail {
		return "skipped: the host could not be reached (see network)"
	}
	auth, ok := r.Find(CheckAuth)
	if !ok || auth.Status == Fail || auth.Status == Skip {
		return "skipped: authentication must pass first (see auth)"
	}
	org, ok := r.Find(CheckOrg)
	if !ok || org.Status == Fail || org.Status == Skip {
		return "skipped: the organisation check must pass first (see org)"
	}
	if pk, ok := r.Find(CheckProjectKey); ok && pk.Status == Fail {
		return "skipped: the project key check must pass first (see project-key)"
	}
	return ""
}

// deepRun is one round trip in progress.
type deepRun struct {
	creds    Credentials
	result   *Result
	progress func(Check)
	names    func() string

	s       *session
	api     repoAPI
	git     http.RoundTripper  // the credential's transport for Git (CA bundle, proxy, client certificate)
	gitHost []string           // hosts the token may be sent to over Git
	ssh     *gitssh.PublicKeys // the SSH key and trusted host key when the transport is SSH

	repo *Repo // set once created: deep:delete then always runs
	// unsure names a repository that may have been created although Create failed, when looking
	// it up failed too: deep:delete then fails, naming it, rather than being skipped.
	unsure string
	// revoke revokes the installation token a GitHub App's round trip minted (useAppToken).
	revoke func(context.Context) string
	gitURL string          // the clone URL without userinfo
	local  *git.Repository // the in-memory clone
	branch string
	pushed plumbing.Hash
}

// prepare builds the session and repository API; it returns why it cannot, or "".
func (d *deepRun) prepare(ctx context.Context, env *Env) string {
	p, err := Lookup(string(d.creds.Provider))
	if err != nil {
		return "skipped: " + err.Error()
	}
	var scratch Result
	s, ok := newSession(env, p, d.creds, &scratch)
	if !ok {
		return "skipped: the API address is unusable (see network)"
	}
	if azServicePrincipal(s) {
		// The round trip signs in anew: the check's Entra token stayed in its own session.
		bearer, err := entraBearer(ctx, env, d.creds)
		if err != nil {
			return "skipped: " + err.Error()
		}
		s.bearer = bearer
		s.mint(bearer)
	}
	d.s, d.api = s, repoAPIFor(s)
	if d.api == nil {
		return "skipped: no repository lifecycle for " + string(p.ID)
	}
	if d.git, err = env.Clients.gitTransport(TransportOf(d.creds.Settings)); err != nil {
		return "skipped: " + err.Error()
	}
	if UsesSSH(d.creds) {
		if d.ssh, err = gitSSHAuth(d.creds); err != nil {
			return "skipped: " + err.Error()
		}
	}
	host := d.creds.Host
	if host == "" {
		host = p.DefaultHost
	}
	for _, raw := range []string{host, d.creds.APIURL, s.APIBase} {
		if u, err := url.Parse(raw); err == nil && u.Host != "" {
			d.gitHost = append(d.gitHost, strings.ToLower(u.Host))
		}
	}
	return ""
}

func (d *deepRun) run(ctx context.Context) {
	ctx = withGitTransport(ctx, d.git)
	ok := d.stage(CheckDeepCreate, "creating a private throw-away repository", func() (Status, string) { return d.create(ctx) })
	for _, st := range []struct {
		id, running string
		fn          func(context.Context) (Status, string)
	}{
		{CheckDeepClone, "cloning over " + d.transportName(), d.clone},
		{CheckDeepPush, "committing " + deepCheckFile + " and pushing", d.push},
		{CheckDeepVerify, "reading the branch back from the remote", d.verify},
	} {
		if !ok {
			d.skip(st.id, "skipped: an earlier stage failed")
			continue
		}
		ok = d.stage(st.id, st.running, func() (Status, string) { return st.fn(ctx) })
	}
	if d.repo == nil && d.unsure != "" {
		d.stage(CheckDeepDelete, "looking for "+d.unsure, func() (Status, string) {
			return Fail, fmt.Sprintf("%s may have been created (the creation's answer was lost and it could not be looked up): "+
				"look for it in %s %s and delete it if it is there; deleting repositories needs %s",
				d.unsure, d.s.Provider.OrgNoun, d.creds.Org, d.api.DeletePermission())
		})
		return
	}
	if d.repo == nil {
		d.skip(CheckDeepDelete, "skipped: no repository was created")
		return
	}
	// Clean up even when ctx is cancelled or past its deadline.
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), DeepDeleteTimeout)
	defer cancel()
	deleted := d.stage(CheckDeepDelete, "deleting "+d.repo.FullName, func() (Status, string) { return d.delete(dctx) })
	if ok && deleted {
		d.confirmScopes()
	}
}

// confirmScopes turns the scope warnings the live check could not settle without writing (an API
// token's unlisted scopes, Azure's Code write, a fine-grained token's permissions) into passes once
// the round trip has created, pushed to and deleted a repository: that proves every required
// scope. Advisory scopes, which no GitOps call needs, keep their warning.
func (d *deepRun) confirmScopes() {
	d.confirmScopesBy(func(sc Scope, live string) (string, bool) {
		if sc.Advisory {
			return "", false
		}
		return "confirmed by the round trip, which created, pushed to and deleted a repository (the live check alone could not tell: " + live + ")", true
	})
}

// confirmScopesBy turns each required scope's warning into a pass with the message confirm gives
// it (the scope, the live check's message), where confirm says the round trip proved it.
func (d *deepRun) confirmScopesBy(confirm func(sc Scope, live string) (string, bool)) {
	p, err := Lookup(string(d.creds.Provider))
	if err != nil {
		return
	}
	for i, c := range d.result.Checks {
		name, isScope := strings.CutPrefix(c.ID, "scope:")
		if !isScope || c.Status != Warn {
			continue
		}
		for _, sc := range p.Scopes {
			if sc.Name != name {
				continue
			}
			if msg, ok := confirm(sc, c.Message); ok {
				d.result.Checks[i].Status, d.result.Checks[i].Message = Pass, msg
			}
		}
	}
}

// stage runs one stage, reporting its start and end to progress and recording it in the result.
// It reports whether the stage passed (a warning counts as passing).
func (d *deepRun) stage(id, running string, fn func() (Status, string)) bool {
	d.progress(Check{ID: id, Status: Running, Message: running})
	t0 := time.Now()
	st, msg := fn()
	ms := time.Since(t0).Milliseconds()
	// The one place a stage's message is redacted: every stage message, whatever server text it
	// quotes, passes here (and through skip) on its way out.
	if d.s != nil {
		msg = d.s.redact(msg) // and the tokens the run obtained (a service principal's)
	}
	c := Check{ID: id, Status: st, Message: d.creds.Redact(msg), DurationMS: &ms}
	d.result.Checks = append(d.result.Checks, c)
	d.progress(c)
	return st == Pass || st == Warn
}

func (d *deepRun) skip(id, why string) {
	var zero int64
	c := Check{ID: id, Status: Skip, Message: d.creds.Redact(why), DurationMS: &zero}
	d.result.Checks = append(d.result.Checks, c)
	d.progress(c)
}

// transportName names the round trip's Git transport, for messages.
func (d *deepRun) transportName() string {
	if d.ssh != nil {
		return "SSH"
	}
	return "HTTPS"
}
