package providers

import (
	"context"
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

// deepCheckFile is the file the round trip commits and pushes.
const deepCheckFile = "gitopscfg-check.txt"

// auth is the only place the token goes: the Basic auth of go-git's HTTP transport; or, when the
// credential's transport is SSH, its key with the trusted host key (see ssh.go).
func (d *deepRun) auth() transport.AuthMethod {
	if d.ssh != nil {
		return d.ssh
	}
	return &githttp.BasicAuth{Username: d.gitUser(), Password: d.creds.Token}
}

// gitUser is the user name Git authenticates as, for messages too.
func (d *deepRun) gitUser() string {
	if d.ssh != nil {
		return d.ssh.User
	}
	user := d.api.GitUsername()
	if user == "" {
		user = "gitopscfg" // any non-empty username works with a token where the provider ignores it
	}
	return user
}

// remoteURL is the URL the round trip clones and pushes: the API's HTTPS clone URL (checked by
// cloneURL), or the repository's ssh:// URL when the transport is SSH.
func (d *deepRun) remoteURL() (string, error) {
	if d.ssh != nil {
		return SSHRepoURL(d.creds, d.repo.FullName)
	}
	return d.cloneURL(d.repo.CloneURL)
}

// gitAuth is the authentication of Git over HTTPS: the token as Basic auth's password, or a
// service principal's Entra token as "Authorization: Bearer", which Azure Repos takes.
func (d *deepRun) gitAuth() transport.AuthMethod {
	if d.s != nil && d.s.bearer != "" {
		return &githttp.TokenAuth{Token: d.s.bearer}
	}
	return d.auth()
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
	u, err := d.remoteURL()
	if err != nil {
		return Fail, err.Error()
	}
	d.gitURL = u
	local, err := git.CloneContext(ctx, memory.NewStorage(), memfs.New(), &git.CloneOptions{
		URL: u, Auth: d.gitAuth(), RemoteName: git.DefaultRemoteName, Tags: git.NoTags,
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
	var err error
	d.pushed, err = commitCheckFile(d.local, d.repo.FullName, "This repository is temporary and is deleted by the check.",
		"gitopscfg round-trip check")
	if err != nil {
		return Fail, err.Error()
	}
	ref := plumbing.NewBranchReferenceName(d.branch)
	err = d.local.PushContext(ctx, &git.PushOptions{
		RemoteName: git.DefaultRemoteName,
		RefSpecs:   []gitconfig.RefSpec{gitconfig.RefSpec(ref + ":" + ref)},
		Auth:       d.gitAuth(),
	})
	if err != nil {
		return Fail, d.gitError(err, "push")
	}
	return Pass, fmt.Sprintf("pushed commit %s (%s) to %s", d.pushed.String()[:7], deepCheckFile, d.branch)
}

func (d *deepRun) verify(ctx context.Context) (Status, string) {
	remote := git.NewRemote(memory.NewStorage(), &gitconfig.RemoteConfig{Name: git.DefaultRemoteName, URLs: []string{d.gitURL}})
	refs, err := remote.ListContext(ctx, &git.ListOptions{Auth: d.gitAuth()})
	if err != nil {
		return Fail, d.gitError(err, "ls-remote")
	}
	return landed(refs, d.branch, d.pushed)
}

// landed says whether refs, the remote's after a push, show branch at the pushed commit.
func landed(refs []*plumbing.Reference, branch string, pushed plumbing.Hash) (Status, string) {
	want := plumbing.NewBranchReferenceName(branch)
	for _, ref := range refs {
		if ref.Name() != want {
			continue
		}
		if ref.Hash() != pushed {
			return Fail, fmt.Sprintf("the push did not land: %s on the remote points at %s, not at the pushed commit %s",
				branch, ref.Hash().String()[:7], pushed.String()[:7])
		}
		return Pass, fmt.Sprintf("%s on the remote points at the pushed commit %s", branch, pushed.String()[:7])
	}
	return Fail, fmt.Sprintf("the push did not land: the remote has no branch %s after the push", branch)
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
	if msg, ok := sshError(err, d.creds, host, d.gitUser(), op); ok {
		return msg
	}
	var msg string
	switch {
	case errors.Is(err, transport.ErrAuthorizationFailed):
		msg = fmt.Sprintf("the Git server answered 403 Forbidden to %s as %q%s: %s", op, d.gitUser(), detail, d.s.Provider.gitAccessHint(op, d.s.TokenURL()))
		if op == "push" {
			msg = "push rejected: " + msg
		}
	case errors.Is(err, transport.ErrAuthenticationRequired):
		msg = fmt.Sprintf("the Git server did not accept the token for %s as %q (401)%s: %s", op, d.gitUser(), detail, d.s.Provider.gitAccessHint(op, d.s.TokenURL()))
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

// commitCheckFile commits deepCheckFile, saying whose check it is (of) and what becomes of it
// (note), in local's in-memory worktree, with message.
func commitCheckFile(local *git.Repository, of, note, message string) (plumbing.Hash, error) {
	wt, err := local.Worktree()
	if err != nil {
		return plumbing.ZeroHash, errors.New("cannot open the in-memory worktree: " + err.Error())
	}
	f, err := wt.Filesystem.Create(deepCheckFile)
	if err == nil {
		_, err = fmt.Fprintf(f, "gitopscfg round-trip check of %s at %s\n%s\n", of, time.Now().UTC().Format(time.RFC3339), note)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		_, err = wt.Add(deepCheckFile)
	}
	if err != nil {
		return plumbing.ZeroHash, errors.New("cannot write " + deepCheckFile + " in memory: " + err.Error())
	}
	sig := &object.Signature{Name: "gitopscfg", Email: "gitopscfg@localhost", When: time.Now()}
	h, err := wt.Commit(message, &git.CommitOptions{Author: sig, Committer: sig})
	if err != nil {
		return plumbing.ZeroHash, errors.New("cannot commit in memory: " + err.Error())
	}
	return h, nil
}
