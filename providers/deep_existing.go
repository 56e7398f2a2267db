package providers

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

// Round-trip stage ids of the existing-repository mode, in the order they run: the repository is
// never created nor deleted, only a throw-away branch in it.
const (
	CheckDeepRead         = "deep:read"
	CheckDeepPushBranch   = "deep:push-branch"
	CheckDeepVerifyBranch = CheckDeepVerify
	CheckDeepDeleteBranch = "deep:delete-branch"
)

// ExistingStages lists the existing-repository mode's stage ids in order.
var ExistingStages = []string{CheckDeepRead, CheckDeepPushBranch, CheckDeepVerifyBranch, CheckDeepDeleteBranch}

// ExistingRepo is an existing repository the round trip pushes a throw-away branch to. A provider
// with an API fills APIRead; one without (a plain Git server) leaves it nil, and deep:read is then
// Git's own read of the repository alone.
type ExistingRepo struct {
	// URL is the repository's Git URL without userinfo (https://…, http:// to loopback, ssh://…).
	URL string
	// FullName is the repository as the admin named it (OWNER/REPO, group/sub/repo), for messages.
	FullName string
	// Auth is the Git transport's authentication (HTTP Basic with the token, or an SSH key); the
	// token goes nowhere else.
	Auth transport.AuthMethod
	// Transport is the credential's own transport for Git over HTTP(S): its CA bundle, proxy and
	// client certificate (nil: http.DefaultTransport). go-git is given none of these itself.
	Transport http.RoundTripper
	// APIRead, when set, reads the repository through the provider's API first: what it found, or
	// an error that says what is wrong (the repository does not exist, the token may not read it).
	APIRead func(ctx context.Context) (APIFound, error)
	// Redact masks the secret in every message that may quote a server (nil: nothing to mask).
	Redact func(string) string
	// BranchName names the throw-away branch (nil: RepoPrefix + 6 random [a-z0-9]).
	BranchName func() string
	// DeleteTimeout bounds the branch's clean-up, which survives the caller's cancellation
	// (0: DeepDeleteTimeout).
	DeleteTimeout time.Duration
}

// APIFound is what a provider's API says of an existing repository.
type APIFound struct {
	// URL, when not empty, is the Git URL (checked, without userinfo) that replaces ExistingRepo.URL.
	URL string
	// DefaultBranch is the branch the API names as the default ("" when it names none).
	DefaultBranch string
	// Said is a sentence of what the API found, for deep:read's message.
	Said string
}

// RunExisting runs the existing-repository round trip on t and appends its stages to r, reporting
// each start (Status Running) and end to progress (nil: none): deep:read (the API, when there is
// one, and Git's ref advertisement: the repository exists and the credential reads it),
// deep:push-branch (one commit on top of the default branch, pushed to a new throw-away branch;
// never to the default branch), deep:verify (the remote branch points at that commit) and
// deep:delete-branch (the branch deleted and confirmed gone; it runs whenever the push may have
// created the branch, even after ctx is cancelled). It reports whether every stage passed.
func RunExisting(ctx context.Context, t ExistingRepo, r *Result, progress func(Check)) bool {
	if progress == nil {
		progress = func(Check) {}
	}
	if t.Redact == nil {
		t.Redact = func(s string) string { return s }
	}
	if t.BranchName == nil {
		t.BranchName = randomRepoName
	}
	if t.DeleteTimeout <= 0 {
		t.DeleteTimeout = DeepDeleteTimeout
	}
	if t.Transport != nil {
		ctx = withGitTransport(ctx, t.Transport)
	}
	e := &existingRun{t: t, st: stager{result: r, progress: progress, redact: t.Redact}}
	return e.run(ctx)
}

// SkipExisting records every stage of the existing-repository mode as skipped for why.
func SkipExisting(r *Result, progress func(Check), redact func(string) string, why string) {
	if progress == nil {
		progress = func(Check) {}
	}
	if redact == nil {
		redact = func(s string) string { return s }
	}
	st := stager{result: r, progress: progress, redact: redact}
	for _, id := range ExistingStages {
		st.skip(id, why)
	}
}

// stager records round-trip stages in a result and reports them as they start and end.
type stager struct {
	result   *Result
	progress func(Check)
	redact   func(string) string
}

// stage runs fn as stage id; it reports whether the stage passed (a warning counts as passing).
func (s stager) stage(id, running string, fn func() (Status, string)) bool {
	s.progress(Check{ID: id, Status: Running, Message: running})
	t0 := time.Now()
	st, msg := fn()
	ms := time.Since(t0).Milliseconds()
	c := Check{ID: id, Status: st, Message: s.redact(msg), DurationMS: &ms}
	s.result.Checks = append(s.result.Checks, c)
	s.progress(c)
	return st == Pass || st == Warn
}

func (s stager) skip(id, why string) {
	var zero int64
	c := Check{ID: id, Status: Skip, Message: s.redact(why), DurationMS: &zero}
	s.result.Checks = append(s.result.Checks, c)
	s.progress(c)
}

// existingRun is one existing-repository round trip in progress.
type existingRun struct {
	t  ExistingRepo
	st stager

	defaultBranch string // the repository's default branch ("" when it is empty)
	base          plumbing.Hash
	branch        string // the throw-away branch
	pushed        plumbing.Hash
	// mayExist: the push was sent, so the branch may exist on the remote and must be deleted;
	// landed: the push went through, so it does.
	mayExist, landed bool
}

func (e *existingRun) run(ctx context.Context) bool {
	ok := e.st.stage(CheckDeepRead, "reading "+e.t.FullName, func() (Status, string) { return e.read(ctx) })
	if ok {
		e.branch = e.t.BranchName()
		ok = e.st.stage(CheckDeepPushBranch, "pushing one commit to a throw-away branch "+e.branch,
			func() (Status, string) { return e.pushBranch(ctx) })
	} else {
		e.st.skip(CheckDeepPushBranch, "skipped: the repository could not be read (see "+CheckDeepRead+")")
	}
	if ok {
		ok = e.st.stage(CheckDeepVerifyBranch, "reading "+e.branch+" back from the remote", func() (Status, string) { return e.verify(ctx) })
	} else {
		e.st.skip(CheckDeepVerifyBranch, "skipped: an earlier stage failed")
	}
	if !e.mayExist {
		e.st.skip(CheckDeepDeleteBranch, "skipped: no branch was pushed")
		return false
	}
	// Clean up even when ctx is cancelled or past its deadline.
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.t.DeleteTimeout)
	defer cancel()
	deleted := e.st.stage(CheckDeepDeleteBranch, "deleting the branch "+e.branch, func() (Status, string) { return e.deleteBranch(dctx) })
	return ok && deleted
}

// read asks the API (when there is one), then Git, about the repository.
func (e *existingRun) read(ctx context.Context) (Status, string) {
	var said []string
	if e.t.APIRead != nil {
		found, err := e.t.APIRead(ctx)
		if err != nil {
			return Fail, err.Error()
		}
		if found.URL != "" {
			e.t.URL = found.URL
		}
		e.defaultBranch = found.DefaultBranch
		said = append(said, found.Said)
	}
	refs, err := e.listRefs(ctx)
	if err != nil {
		return Fail, e.gitError(err, "ls-remote")
	}
	head, base, n := defaultOf(refs, e.defaultBranch)
	e.defaultBranch, e.base = head, base
	switch {
	case n == 0:
		said = append(said, fmt.Sprintf("Git reads %s: it is empty, so the throw-away branch starts from nothing", e.t.URL))
	case head == "":
		return Fail, fmt.Sprintf("Git reads %s (%s), but names no default branch and none is known: set one on the repository", e.t.URL, countRefs(n))
	default:
		said = append(said, fmt.Sprintf("Git reads %s: %s, default branch %s at %s", e.t.URL, countRefs(n), head, base.String()[:7]))
	}
	return Pass, strings.Join(said, "; ")
}

// defaultOf finds the default branch among refs: want when given and present, else HEAD's target;
// it returns the branch, its commit and how many branches and tags there are.
func defaultOf(refs []*plumbing.Reference, want string) (branch string, at plumbing.Hash, n int) {
	byName := map[string]plumbing.Hash{}
	var headTarget string
	var headHash plumbing.Hash
	for _, ref := range refs {
		switch {
		case ref.Name() == plumbing.HEAD && ref.Type() == plumbing.SymbolicReference:
			headTarget = ref.Target().Short()
		case ref.Name() == plumbing.HEAD:
			headHash = ref.Hash()
		case ref.Name().IsBranch() || ref.Name().IsTag():
			n++
			if ref.Name().IsBranch() {
				byName[ref.Name().Short()] = ref.Hash()
			}
		}
	}
	for _, name := range []string{want, headTarget} {
		if h, ok := byName[name]; ok && name != "" {
			return name, h, n
		}
	}
	if !headHash.IsZero() {
		for name, h := range byName {
			if h == headHash {
				return name, h, n
			}
		}
	}
	return "", plumbing.ZeroHash, n
}

// pushTarget is the only way a refspec of the round trip is made: it refuses the default branch,
// and any branch that is not a throw-away branch of the check, whatever the caller names.
func (e *existingRun) pushTarget(branch string) (plumbing.ReferenceName, error) {
	switch {
	case branch == "" || branch == e.defaultBranch:
		return "", fmt.Errorf("refusing to push to %q: it is the default branch of %s, and the check pushes to a throw-away branch only", branch, e.t.FullName)
	case !strings.HasPrefix(branch, RepoPrefix):
		return "", fmt.Errorf("refusing to push to %q: the check pushes only to branches named %s…", branch, RepoPrefix)
	}
	return plumbing.NewBranchReferenceName(branch), nil
}

// StagesFor lists the round-trip stage ids c's round trip runs, in order: the existing-repository
// mode's when c names a repository, the throw-away repository's otherwise.
func StagesFor(c Credentials) []string {
	if strings.TrimSpace(c.Repo) != "" {
		return ExistingStages
	}
	return DeepStages
}

// AllDeepStages lists every round-trip stage id of both modes, each once.
var AllDeepStages = []string{CheckDeepCreate, CheckDeepRead, CheckDeepClone, CheckDeepPush, CheckDeepPushBranch, CheckDeepVerify,
	CheckDeepDelete, CheckDeepDeleteBranch}

// IsDeepStage reports whether id is a round-trip stage of either mode.
func IsDeepStage(id string) bool {
	for _, s := range AllDeepStages {
		if s == id {
			return true
		}
	}
	return false
}

// LeftBehind returns the failed clean-up stage of r, if any: a repository (deep:delete) or a
// branch (deep:delete-branch) the round trip left behind, which its message names.
func LeftBehind(r Result) (Check, bool) {
	for _, id := range []string{CheckDeepDelete, CheckDeepDeleteBranch} {
		if c, ok := r.Find(id); ok && c.Status == Fail {
			return c, true
		}
	}
	return Check{}, false
}
