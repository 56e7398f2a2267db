package providers

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-git/go-billy/v5/memfs"
	git "github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/memory"
)

// DeepTimeout bounds a round-trip check as a whole (live check included) when env.Timeout is not
// set; the command line sets env.Timeout from --timeout, 60 s by default with --deep.
const DeepTimeout = 60 * time.Second

// DeepDeleteTimeout bounds the clean-up (deep:delete). The clean-up runs on a context that
// survives the caller's cancellation and deadline, so Ctrl-C or a timeout still deletes the
// repository; this is its own, short, deadline.
const DeepDeleteTimeout = 20 * time.Second

// deepCheckFile is the file the round trip commits and pushes.
const deepCheckFile = "gitopscfg-check.txt"

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
	if why := deepBlocked(r); why != "" {
		for _, id := range DeepStages {
			d.skip(id, why)
		}
	} else if why := d.prepare(env); why != "" {
		for _, id := range DeepStages {
			d.skip(id, why)
		}
	} else {
		d.run(ctx)
	}
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
	ca      []byte   // the provider's CA bundle (PEM) for Git; nil for the system roots
	gitHost []string // hosts the token may be sent to over Git

	repo *Repo // set once created: deep:delete then always runs
	// unsure names a repository that may have been created although Create failed, when looking
	// it up failed too: deep:delete then fails, naming it, rather than being skipped.
	unsure string
	gitURL string          // the clone URL without userinfo
	local  *git.Repository // the in-memory clone
	branch string
	pushed plumbing.Hash
}

// prepare builds the session and repository API; it returns why it cannot, or "".
func (d *deepRun) prepare(env *Env) string {
	p, err := Lookup(string(d.creds.Provider))
	if err != nil {
		return "skipped: " + err.Error()
	}
	var scratch Result
	s, ok := newSession(env, p, d.creds, &scratch)
	if !ok {
		return "skipped: the API address is unusable (see network)"
	}
	d.s, d.api = s, repoAPIFor(s)
	if d.api == nil {
		return "skipped: no repository lifecycle for " + string(p.ID)
	}
	if d.creds.CABundle != "" {
		pem, err := ReadCABundle(d.creds.CABundle)
		if err != nil {
			return "skipped: " + err.Error()
		}
		d.ca = pem
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
	ok := d.stage(CheckDeepCreate, "creating a private throw-away repository", func() (Status, string) { return d.create(ctx) })
	for _, st := range []struct {
		id, running string
		fn          func(context.Context) (Status, string)
	}{
		{CheckDeepClone, "cloning over HTTPS", d.clone},
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
			if sc.Name == name && !sc.Advisory {
				d.result.Checks[i].Status = Pass
				d.result.Checks[i].Message = "confirmed by the round trip, which created, pushed to and deleted a repository (the live check alone could not tell: " + c.Message + ")"
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

// create creates the repository (another name on a collision) and polls until the API returns it.
func (d *deepRun) create(ctx context.Context) (Status, string) {
	var taken []string
	for range deepNameTries {
		name := d.names()
		repo, err := d.api.Create(ctx, name)
		if errors.Is(err, ErrNameTaken) {
			taken = append(taken, name)
			continue
		}
		if err != nil {
			return Fail, d.createFailed(ctx, name, err)
		}
		d.repo = &repo
		break
	}
	if d.repo == nil {
		return Fail, fmt.Sprintf("could not find a free repository name: %s exist already", strings.Join(taken, ", "))
	}
	t0 := time.Now()
	polls, answered, err := d.waitUntil(ctx, true)
	note := ""
	if len(taken) > 0 {
		note = fmt.Sprintf("; %s existed already, so another name was used", strings.Join(taken, ", "))
	}
	if err != nil && answered > 0 && ctx.Err() != nil {
		// The API kept answering, only never with the repository: that is not a timeout of the API.
		return Fail, fmt.Sprintf("created %s, but it never appeared: the API answered %s within %s that it does not exist, "+
			"until the check's deadline; the provider may be slow to show new repositories (run the check again, or give it "+
			"a longer --timeout), or the token may not read the repositories it creates%s",
			d.repo.FullName, timesText(answered), time.Since(t0).Round(100*time.Millisecond), note)
	}
	if err != nil {
		return Fail, fmt.Sprintf("created %s, but the API did not return it (%d polls): %s%s",
			d.repo.FullName, polls, d.describe(err, "reading it back failed"), note)
	}
	after := "at once"
	if polls > 1 {
		after = fmt.Sprintf("after %d polls", polls)
	}
	return d.created(after, note)
}

// created describes the new repository by the visibility the API shows: a repository the
// provider made public is a warning, since GitOps repositories hold the cluster's configuration.
// A repository API whose repositories have no visibility of their own says it itself
// (createdReporter).
func (d *deepRun) created(after, note string) (Status, string) {
	if own, ok := d.api.(createdReporter); ok {
		return own.reportCreated(*d.repo, after, note)
	}
	vis, full := d.repo.Visibility, d.repo.FullName
	switch {
	case vis == "public":
		return Warn, fmt.Sprintf("created repository %s, but the API shows it as public although a private one was asked for: "+
			"check the organisation's repository policies before GitOps repositories are created there; the API returned it %s%s",
			full, after, note)
	case vis == "":
		return Pass, fmt.Sprintf("created repository %s (the API does not show its visibility); the API returned it %s%s",
			full, after, note)
	}
	return Pass, fmt.Sprintf("created %s repository %s; the API returned it %s%s", vis, full, after, note)
}

// createFailed describes a failed Create. Unless the provider definitely refused (a 4xx), the
// server may have created the repository without the answer reaching us (a timeout, Ctrl-C, a
// reset, a 5xx, an unreadable answer): it is then looked up by name, on a context that survives
// cancellation, and if it exists it becomes the repository deep:delete removes.
func (d *deepRun) createFailed(ctx context.Context, name string, err error) string {
	msg := d.describe(err, "creating the repository failed")
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Status >= 400 && apiErr.Status < 500 {
		return msg
	}
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), DeepDeleteTimeout)
	defer cancel()
	repo, found, ferr := d.api.Find(lctx, name)
	switch {
	case ferr != nil:
		d.unsure = d.creds.Org + "/" + name
		return fmt.Sprintf("%s; whether %s was created all the same could not be read (%s): see deep:delete",
			msg, d.unsure, d.describe(ferr, "the look-up failed"))
	case found:
		d.repo = &repo
		return msg + "; the repository was created all the same, so deep:delete removes it"
	}
	return msg + "; no repository was created"
}

// waitUntil polls Exists with backoff (0, 100 ms, 200 ms, … capped at 2 s) until it answers want
// or ctx ends; it returns how many polls it made and how many of them the API answered (with the
// other state than want).
func (d *deepRun) waitUntil(ctx context.Context, want bool) (polls, answered int, err error) {
	delay := time.Duration(0)
	for polls = 1; ; polls++ {
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return polls - 1, answered, ctx.Err()
			case <-t.C:
			}
		}
		got, err := d.api.Exists(ctx, *d.repo)
		if err != nil {
			return polls, answered, err
		}
		if got == want {
			return polls, answered, nil
		}
		answered++
		delay = min(max(2*delay, 100*time.Millisecond), 2*time.Second)
	}
}

// timesText is "once", "twice" or "N times".
func timesText(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}

// auth is the only place the token goes: the Basic auth of go-git's HTTP transport.
func (d *deepRun) auth() *githttp.BasicAuth {
	user := d.api.GitUsername()
	if user == "" {
		user = "gitopscfg" // any non-empty username works with a token where the provider ignores it
	}
	return &githttp.BasicAuth{Username: user, Password: d.creds.Token}
}

// cloneURL checks the API's clone URL: it must parse, carries no userinfo once cleaned (Bitbucket
// and Azure DevOps put "user@" in theirs), goes over https (plain http to loopback only) and
// points at the configured Git or API host, so the token is never sent anywhere else.
func (d *deepRun) cloneURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("the API returned an unusable clone URL %q", raw)
	}
	u.User = nil
	clean := u.String()
	if err := RequireSafeURL(clean); err != nil {
		return "", err
	}
	host := strings.ToLower(u.Host)
	for _, h := range d.gitHost {
		if host == h {
			return clean, nil
		}
	}
	if extra, ok := d.api.(extraCloneHost); ok {
		if h := extra.cloneHost(); h != "" && host == h {
			return clean, nil
		}
	}
	return "", fmt.Errorf("the API returned a clone URL on %s, which is neither the Git host nor the API host (%s): refusing to send the token there",
		u.Host, strings.Join(d.gitHost, ", "))
}

func (d *deepRun) clone(ctx context.Context) (Status, string) {
	u, err := d.cloneURL(d.repo.CloneURL)
	if err != nil {
		return Fail, err.Error()
	}
	d.gitURL = u
	local, err := git.CloneContext(ctx, memory.NewStorage(), memfs.New(), &git.CloneOptions{
		URL: u, Auth: d.auth(), CABundle: d.ca, RemoteName: git.DefaultRemoteName, Tags: git.NoTags,
	})
	switch {
	case errors.Is(err, transport.ErrEmptyRemoteRepository):
		d.branch = d.repo.DefaultBranch
		if d.branch == "" {
			d.branch = "main"
		}
		local, err = git.InitWithOptions(memory.NewStorage(), memfs.New(), git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName(d.branch)})
		if err == nil {
			_, err = local.CreateRemote(&gitconfig.RemoteConfig{Name: git.DefaultRemoteName, URLs: []string{u}})
		}
		if err != nil {
			return Fail, "cannot prepare an in-memory repository: " + err.Error()
		}
		d.local = local
		return Pass, fmt.Sprintf("cloned %s: the repository is empty; the push goes to %s", u, d.branch)
	case err != nil:
		return Fail, d.gitError(err, "clone")
	}
	d.local = local
	head, err := local.Head()
	if err != nil {
		return Fail, "cloned, but the clone has no branch checked out: " + err.Error()
	}
	d.branch = head.Name().Short()
	return Pass, fmt.Sprintf("cloned %s: branch %s at %s", u, d.branch, head.Hash().String()[:7])
}

func (d *deepRun) push(ctx context.Context) (Status, string) {
	wt, err := d.local.Worktree()
	if err != nil {
		return Fail, "cannot open the in-memory worktree: " + err.Error()
	}
	f, err := wt.Filesystem.Create(deepCheckFile)
	if err == nil {
		_, err = fmt.Fprintf(f, "gitopscfg round-trip check of %s at %s\nThis repository is temporary and is deleted by the check.\n",
			d.repo.FullName, time.Now().UTC().Format(time.RFC3339))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		_, err = wt.Add(deepCheckFile)
	}
	if err != nil {
		return Fail, "cannot write " + deepCheckFile + " in memory: " + err.Error()
	}
	sig := &object.Signature{Name: "gitopscfg", Email: "gitopscfg@localhost", When: time.Now()}
	d.pushed, err = wt.Commit("gitopscfg round-trip check", &git.CommitOptions{Author: sig, Committer: sig})
	if err != nil {
		return Fail, "cannot commit in memory: " + err.Error()
	}
	ref := plumbing.NewBranchReferenceName(d.branch)
	err = d.local.PushContext(ctx, &git.PushOptions{
		RemoteName: git.DefaultRemoteName,
		RefSpecs:   []gitconfig.RefSpec{gitconfig.RefSpec(ref + ":" + ref)},
		Auth:       d.auth(), CABundle: d.ca,
	})
	if err != nil {
		return Fail, d.gitError(err, "push")
	}
	return Pass, fmt.Sprintf("pushed commit %s (%s) to %s", d.pushed.String()[:7], deepCheckFile, d.branch)
}

func (d *deepRun) verify(ctx context.Context) (Status, string) {
	remote := git.NewRemote(memory.NewStorage(), &gitconfig.RemoteConfig{Name: git.DefaultRemoteName, URLs: []string{d.gitURL}})
	refs, err := remote.ListContext(ctx, &git.ListOptions{Auth: d.auth(), CABundle: d.ca})
	if err != nil {
		return Fail, d.gitError(err, "ls-remote")
	}
	want := plumbing.NewBranchReferenceName(d.branch)
	for _, ref := range refs {
		if ref.Name() != want {
			continue
		}
		if ref.Hash() != d.pushed {
			return Fail, fmt.Sprintf("the push did not land: %s on the remote points at %s, not at the pushed commit %s",
				d.branch, ref.Hash().String()[:7], d.pushed.String()[:7])
		}
		return Pass, fmt.Sprintf("%s on the remote points at the pushed commit %s", d.branch, d.pushed.String()[:7])
	}
	return Fail, fmt.Sprintf("the push did not land: the remote has no branch %s after the push", d.branch)
}

func (d *deepRun) delete(ctx context.Context) (Status, string) {
	err := d.api.Delete(ctx, *d.repo)
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Scheduled {
		return Warn, fmt.Sprintf("%s (%s) is marked for deletion, not yet removed: %s", d.repo.FullName, d.leftURL(), apiErr.Msg)
	}
	if err != nil {
		return Fail, d.leftOver(d.describe(err, "deleting failed"))
	}
	if _, _, err := d.waitUntil(ctx, false); err != nil {
		return Fail, d.leftOver("the API accepted the deletion but still returns the repository (" + d.describe(err, "reading it back failed") + ")")
	}
	return Pass, fmt.Sprintf("deleted %s and confirmed it is gone", d.repo.FullName)
}

// leftOver is the message of a failed clean-up: it names the repository, its URL and the missing
// permission, so nothing is left behind silently.
func (d *deepRun) leftOver(why string) string {
	msg := fmt.Sprintf("%s; the repository %s is LEFT BEHIND at %s: delete it by hand", why, d.repo.FullName, d.leftURL())
	if perm := d.api.DeletePermission(); perm != "" {
		msg += ", and give the token " + perm + " so the check can clean up after itself"
	}
	return msg
}

func (d *deepRun) leftURL() string {
	if d.repo.WebURL != "" {
		return d.repo.WebURL
	}
	u, err := url.Parse(d.repo.CloneURL)
	if err != nil {
		return d.repo.FullName
	}
	u.User = nil
	return u.String()
}

// describe turns a repository API error into a sentence for the admin (stage redacts it).
func (d *deepRun) describe(err error, what string) string {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Error()
	}
	if msg := DescribeNetworkError(err, d.s.APIHost); msg != "" {
		return msg
	}
	return what + ": " + err.Error()
}

// gitError turns a go-git error of op ("clone", "push", "ls-remote") into an actionable sentence.
func (d *deepRun) gitError(err error, op string) string {
	host := d.gitURL
	if u, perr := url.Parse(d.gitURL); perr == nil {
		host = u.Host
	}
	// go-git wraps the server's answer as "<sentinel>: <body>": keep the body, which names the cause.
	detail := ""
	for _, sentinel := range []error{transport.ErrAuthorizationFailed, transport.ErrAuthenticationRequired} {
		if errors.Is(err, sentinel) {
			_, body, _ := strings.Cut(err.Error(), sentinel.Error())
			detail = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(body), ":"))
		}
	}
	if detail != "" {
		detail = " (" + firstLine(detail) + ")"
	}
	var msg string
	switch {
	case errors.Is(err, transport.ErrAuthorizationFailed):
		msg = fmt.Sprintf("the Git server answered 403 Forbidden to %s as %q%s: %s", op, d.auth().Username, detail, d.s.Provider.gitAccessHint(op, d.s.TokenURL()))
		if op == "push" {
			msg = "push rejected: " + msg
		}
	case errors.Is(err, transport.ErrAuthenticationRequired):
		msg = fmt.Sprintf("the Git server did not accept the token for %s as %q (401)%s: %s", op, d.auth().Username, detail, d.s.Provider.gitAccessHint(op, d.s.TokenURL()))
		if op == "push" {
			msg = "push rejected: " + msg
		}
	case errors.Is(err, transport.ErrRepositoryNotFound):
		msg = fmt.Sprintf("the Git server says %s does not exist (404) although the API created it: the token may lack read access over Git (%s)", d.gitURL, d.s.TokenURL())
	case errors.Is(err, git.NoErrAlreadyUpToDate):
		msg = "nothing was pushed: the branch was already up to date"
	default:
		if net := DescribeNetworkError(err, host); net != "" {
			msg = fmt.Sprintf("%s failed: %s", op, net)
		} else if op == "push" {
			msg = fmt.Sprintf("push rejected: %s: a branch protection or push rule may refuse it (check the rules of branch %s)", firstLine(err.Error()), d.branch)
		} else {
			msg = fmt.Sprintf("%s failed: %s", op, firstLine(err.Error()))
		}
	}
	return msg
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return strings.TrimSpace(s[:i])
	}
	return s
}
