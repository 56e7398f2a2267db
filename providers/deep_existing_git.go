package providers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/go-git/go-billy/v5/memfs"
	git "github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/memory"
)

// maxRemoteText bounds what the round trip keeps of the remote's sideband messages ("remote: …").
const maxRemoteText = 8 << 10

// remoteText collects the remote's sideband messages of one push, up to maxRemoteText bytes.
type remoteText struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *remoteText) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if room := maxRemoteText - w.buf.Len(); room > 0 {
		w.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (w *remoteText) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func (e *existingRun) listRefs(ctx context.Context) ([]*plumbing.Reference, error) {
	remote := git.NewRemote(memory.NewStorage(), &gitconfig.RemoteConfig{Name: git.DefaultRemoteName, URLs: []string{e.t.URL}})
	refs, err := remote.ListContext(ctx, &git.ListOptions{Auth: e.t.Auth})
	if errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return nil, nil // an empty repository lists no refs
	}
	return refs, err
}

// pushBranch fetches the default branch's tip (depth 1), commits deepCheckFile on top of it in
// memory and pushes that commit to the throw-away branch.
func (e *existingRun) pushBranch(ctx context.Context) (Status, string) {
	ref, err := e.pushTarget(e.branch)
	if err != nil {
		return Fail, err.Error()
	}
	local, err := e.prepare(ctx, ref)
	if err != nil {
		return Fail, err.Error()
	}
	if e.pushed, err = e.commit(local); err != nil {
		return Fail, err.Error()
	}
	var said remoteText
	e.mayExist = true
	err = local.PushContext(ctx, &git.PushOptions{
		RemoteName: git.DefaultRemoteName,
		RefSpecs:   []gitconfig.RefSpec{gitconfig.RefSpec(ref + ":" + ref)},
		Auth:       e.t.Auth, Progress: &said,
	})
	if err != nil {
		if refusedBeforeSending(err) {
			e.mayExist = false
		}
		return Fail, e.pushError(err, said.String(), "push")
	}
	e.landed = true
	from := "on top of " + e.defaultBranch
	if e.base.IsZero() {
		from = "as the first commit"
	}
	return Pass, fmt.Sprintf("pushed commit %s (%s, %s) to the new branch %s; %s was not touched",
		e.pushed.String()[:7], deepCheckFile, from, e.branch, cmpOr(e.defaultBranch, "no branch"))
}

func cmpOr(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// prepare makes the in-memory repository the commit is made in: a depth-1 fetch of the default
// branch checked out as the throw-away branch, or an empty repository when the remote is empty.
func (e *existingRun) prepare(ctx context.Context, ref plumbing.ReferenceName) (*git.Repository, error) {
	local, err := git.InitWithOptions(memory.NewStorage(), memfs.New(), git.InitOptions{DefaultBranch: ref})
	if err == nil {
		_, err = local.CreateRemote(&gitconfig.RemoteConfig{Name: git.DefaultRemoteName, URLs: []string{e.t.URL}})
	}
	if err != nil {
		return nil, errors.New("cannot prepare an in-memory repository: " + err.Error())
	}
	if e.base.IsZero() {
		return local, nil
	}
	src := plumbing.NewBranchReferenceName(e.defaultBranch)
	err = local.FetchContext(ctx, &git.FetchOptions{
		RemoteName: git.DefaultRemoteName, Depth: 1, Tags: git.NoTags,
		RefSpecs: []gitconfig.RefSpec{gitconfig.RefSpec("+" + src + ":" + ref)},
		Auth:     e.t.Auth,
	})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil, errors.New(e.gitError(err, "fetch"))
	}
	wt, err := local.Worktree()
	if err == nil {
		err = wt.Checkout(&git.CheckoutOptions{Branch: ref, Force: true})
	}
	if err != nil {
		return nil, errors.New("cannot check out " + e.defaultBranch + " in memory: " + err.Error())
	}
	return local, nil
}

func (e *existingRun) commit(local *git.Repository) (plumbing.Hash, error) {
	return commitCheckFile(local, e.t.FullName, "This branch is temporary and is deleted by the check.",
		"gitopscfg round-trip check (throw-away branch)")
}

func (e *existingRun) verify(ctx context.Context) (Status, string) {
	refs, err := e.listRefs(ctx)
	if err != nil {
		return Fail, e.gitError(err, "ls-remote")
	}
	return landed(refs, e.branch, e.pushed)
}

// deleteBranch deletes the throw-away branch and confirms it is gone.
func (e *existingRun) deleteBranch(ctx context.Context) (Status, string) {
	ref, err := e.pushTarget(e.branch)
	if err != nil {
		return Fail, err.Error()
	}
	// After a refused push, look first: the refusal usually created no branch, and then nothing is
	// to be deleted (a push that went through created it for sure).
	if !e.landed {
		if present, err := e.hasBranch(ctx, ref); err == nil && !present {
			return Pass, fmt.Sprintf("the remote has no branch %s: the refused push created none, so nothing is left behind", e.branch)
		}
	}
	local := git.NewRemote(memory.NewStorage(), &gitconfig.RemoteConfig{Name: git.DefaultRemoteName, URLs: []string{e.t.URL}})
	var said remoteText
	err = local.PushContext(ctx, &git.PushOptions{
		RemoteName: git.DefaultRemoteName,
		RefSpecs:   []gitconfig.RefSpec{gitconfig.RefSpec(":" + ref)},
		Auth:       e.t.Auth, Progress: &said,
	})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return Fail, e.leftBehind(e.pushError(err, said.String(), "delete"))
	}
	present, err := e.hasBranch(ctx, ref)
	switch {
	case err != nil:
		return Fail, e.leftBehind("the deletion was sent, but reading the branches back failed (" + e.gitError(err, "ls-remote") + ")")
	case present:
		return Fail, e.leftBehind("the server accepted the deletion but still lists the branch")
	}
	return Pass, fmt.Sprintf("deleted the branch %s and confirmed it is gone; nothing is left behind", e.branch)
}

// hasBranch reports whether the remote lists ref now.
func (e *existingRun) hasBranch(ctx context.Context, ref plumbing.ReferenceName) (bool, error) {
	refs, err := e.listRefs(ctx)
	if err != nil {
		return false, err
	}
	for _, r := range refs {
		if r.Name() == ref {
			return true, nil
		}
	}
	return false, nil
}

// leftBehind names the branch a failed clean-up leaves, with the command that deletes it.
func (e *existingRun) leftBehind(why string) string {
	return fmt.Sprintf("%s; the branch %s is LEFT BEHIND in %s: delete it with `%s`", why, e.branch, e.t.FullName, e.deleteCommand())
}

// deleteCommand is the command that deletes the throw-away branch by hand.
func (e *existingRun) deleteCommand() string {
	return fmt.Sprintf("git push %s --delete %s", e.t.URL, e.branch)
}

// refusedBeforeSending reports whether a push failed before the server could have created the
// branch (it could not connect, or refused the credential): the clean-up then has nothing to do.
func refusedBeforeSending(err error) bool {
	return errors.Is(err, transport.ErrAuthenticationRequired) || errors.Is(err, transport.ErrAuthorizationFailed) ||
		errors.Is(err, transport.ErrRepositoryNotFound) || errors.Is(err, git.NoErrAlreadyUpToDate)
}

// protectedRe matches what GitHub ("protected branch hook declined", "GH006: Protected branch
// update failed"), GitLab ("You are not allowed to push code to protected branches", "You are not
// allowed to delete protected branches") and Gitea ("Not allowed to push to protected branch",
// "branch … is protected from deletion") say when a protected-branch rule refuses a push.
var protectedRe = regexp.MustCompile(`(?i)protected branch|GH006|is protected from`)

// remoteLines is the remote's sideband text as Git shows it: its non-empty lines, progress
// counters left out, at most a few.
func remoteLines(said string) []string {
	var lines []string
	for _, l := range strings.FieldsFunc(said, func(r rune) bool { return r == '\n' || r == '\r' }) {
		l = strings.TrimSpace(l)
		word, rest, _ := strings.Cut(l, ":")
		bare := strings.TrimSpace(rest) == "" && !strings.Contains(word, " ") // "error:" alone, as Gitea frames its refusals
		if l == "" || bare || strings.Contains(l, "%") || len(lines) >= 4 {
			continue
		}
		lines = append(lines, l)
	}
	return lines
}

// pushError turns a failed push (op "push" or "delete") into a sentence: a protected-branch rule
// is named as such, with the remote's own words.
func (e *existingRun) pushError(err error, said, op string) string {
	lines := remoteLines(said)
	quoted := ""
	if len(lines) > 0 {
		quoted = " (the server said: " + strings.Join(lines, " / ") + ")"
	}
	if protectedRe.MatchString(err.Error()) || protectedRe.MatchString(said) {
		what := "pushing the throw-away branch " + e.branch
		if op == "delete" {
			what = "deleting the throw-away branch " + e.branch
		}
		return fmt.Sprintf("a protected-branch rule of %s refuses %s: %s%s; exempt branches named %s… from the rule, "+
			"or allow this account to push and delete them", e.t.FullName, what, firstLine(err.Error()), quoted, RepoPrefix)
	}
	msg := e.gitError(err, op)
	if quoted != "" && !strings.Contains(msg, lines[0]) {
		msg += quoted
	}
	if strings.Contains(strings.ToLower(said), "permission denied") {
		msg += fmt.Sprintf(": the credential needs write access to %s (a team or role that may push to it)", e.t.FullName)
	}
	return msg
}

// gitError turns a go-git error of op into a sentence naming the cause.
func (e *existingRun) gitError(err error, op string) string {
	host := e.t.URL
	if u, perr := url.Parse(e.t.URL); perr == nil {
		host = u.Host
	}
	switch {
	case errors.Is(err, transport.ErrAuthorizationFailed):
		return fmt.Sprintf("the Git server refused %s of %s (403): the credential may not %s it", op, e.t.FullName, gitVerb(op))
	case errors.Is(err, transport.ErrAuthenticationRequired):
		return fmt.Sprintf("the Git server did not accept the credential for %s of %s (401)", op, e.t.FullName)
	case errors.Is(err, transport.ErrRepositoryNotFound):
		return fmt.Sprintf("the Git server says %s does not exist (404): check the repository's name, or the credential may not see it", e.t.URL)
	}
	if net := DescribeNetworkError(err, host); net != "" {
		return fmt.Sprintf("%s failed: %s", op, net)
	}
	if op == "push" || op == "delete" {
		return fmt.Sprintf("%s rejected: %s", op, firstLine(err.Error()))
	}
	return fmt.Sprintf("%s failed: %s", op, firstLine(err.Error()))
}

func gitVerb(op string) string {
	switch op {
	case "push", "delete":
		return "push to"
	}
	return "read"
}
