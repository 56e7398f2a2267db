package providers

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	git "github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/memory"

	"gitopscfg/assets"
)

// GitServer is the generic provider: any Git server, without an API of ours (a plain Git server,
// Bitbucket Data Center, an internal mirror). Its credential names one repository (URL, over
// https:// or ssh://); its live check is Git's own (can authenticate, can read the repository),
// and its round trip the existing-repository one.
const GitServer ID = "git"

func init() {
	register(Provider{
		ID: GitServer, Name: "Other Git server", OrgNoun: "repository",
		tokenURL:  "https://git-scm.com/docs/gitcredentials",
		TokenNoun: "token or password",
		gitOnly:   true,
		Fields: append([]Field{
			{Key: FieldURL, Label: "Repository URL", Placeholder: "https://git.example.com/acme/gitops.git",
				Example: "https://git.example.com/acme/gitops.git or ssh://git@git.example.com:2222/acme/gitops.git",
				Help:    assets.FieldHelp("git", "url"), Check: gitRepoURL},
			{Key: FieldHost, Label: "Git Host", CommandLineOnly: true, Optional: true, Help: assets.FieldHelp("git", "host")},
			usernameField(assets.FieldHelp("git", "username"), "jdoe"),
			{Key: FieldToken, Label: "Token or password", Secret: true, Optional: true, Help: assets.FieldHelp("git", "token")},
			{Key: FieldCABundle, Label: "CA bundle", Optional: true, Advanced: true, Example: "/etc/ssl/certs/corp-ca.pem",
				Help: assets.FieldHelp("advanced", "ca_bundle")},
		}, sshFields...),
		apiBase:   func(_ *url.URL, base string) string { return base },
		check:     checkGitServer,
		gitAccess: gitServerAccess,
	})
}

// gitRepoURL is the rule of the generic provider's URL: an https:// (http:// to loopback) or
// ssh:// URL of one repository, or Git's scp-like git@host:path, without credentials, query or
// fragment.
func gitRepoURL(s string) (string, error) {
	if scp := SCPToSSHURL(s); scp != s {
		// git@host:path, as Git takes it: checked in its ssh:// form, kept as given (its path may
		// be relative to the account's home, where an ssh:// path is absolute).
		if _, err := gitRepoURL(scp); err != nil {
			return "", err
		}
		return s, nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || strings.Trim(u.Path, "/") == "" {
		return "", fmt.Errorf("%q is not a repository URL: write it as https://host/path/repo.git or ssh://git@host[:port]/path/repo.git", s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", errors.New("the repository URL must not have a query (?…) or fragment (#…)")
	}
	switch u.Scheme {
	case "ssh":
		if _, p := u.User.Password(); p {
			return "", errors.New("the repository URL must not contain a password: give the SSH key with --ssh-key")
		}
		return s, nil
	case "https", "http":
		if u.User != nil {
			return "", errors.New("the repository URL must not contain a username or password: enter them in their own fields")
		}
		if err := RequireSafeURL(s); err != nil {
			return "", err
		}
		return s, nil
	}
	return "", fmt.Errorf("%q is neither an https:// nor an ssh:// URL, nor an scp-like git@host:path", s)
}

// GitServerHost is the Git host the generic provider's credential is sent to: its URL's scheme and
// host ("" for an ssh:// URL, whose address SSHAddress gives).
func GitServerHost(repoURL string) string {
	u, err := url.Parse(strings.TrimSpace(repoURL))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	return u.Scheme + "://" + u.Host + "/"
}

func gitServerAccess(write bool, _ string) string {
	if write {
		return "the account needs write access to the repository, and a protected branch or a server hook may refuse the push"
	}
	return "check the username and the token (or password), and that the account may read the repository"
}

// checkGitServer is the generic provider's live check, Git's own: list the repository's refs
// (ls-remote) over HTTPS with the token, or over SSH with the key and the trusted host key.
func checkGitServer(ctx context.Context, s *session) {
	c := s.Creds
	if UsesSSH(c) {
		start := time.Now()
		st, msg := lsRemoteSSH(ctx, c, c.URL)
		d := time.Since(start).Milliseconds()
		gitServerVerdict(s, st, msg, d)
		return
	}
	if strings.TrimSpace(c.Token) == "" {
		s.Add(CheckAuth, Fail, "no token and no SSH key: give a token (--token-stdin) or an SSH key (--ssh-key FILE)")
		s.Add(CheckRead, Skip, "skipped: nothing to authenticate with")
		return
	}
	if strings.HasPrefix(strings.TrimSpace(c.URL), "ssh://") {
		s.Add(CheckAuth, Fail, "the repository URL is an ssh:// URL but no SSH key is stored: give one with --ssh-key FILE (or --ssh-key-generate)")
		s.Add(CheckRead, Skip, "skipped: nothing to authenticate with")
		return
	}
	ch := CanRead(ctx, s.env, c, c.URL)
	gitServerVerdict(s, ch.Status, ch.Message, derefMS(ch.DurationMS))
}

// gitServerVerdict records the auth and read checks from one ls-remote's outcome: Git
// authenticates and reads in one request, so a refusal before the refs is an authentication one.
func gitServerVerdict(s *session, st Status, msg string, _ int64) {
	if st == Pass {
		s.SetUser(strings.TrimSpace(s.Creds.Username))
		s.Add(CheckAuth, Pass, "the Git server accepted the "+gitServerMeans(s.Creds))
		s.Add(CheckRead, Pass, msg)
		return
	}
	if strings.Contains(msg, "(401)") || strings.Contains(msg, "did not accept the key") || strings.Contains(msg, "REFUSED") {
		s.Add(CheckAuth, Fail, msg)
		s.Add(CheckRead, Skip, "skipped: authentication must pass first (see auth)")
		return
	}
	if strings.Contains(msg, "cannot reach") {
		s.Add(CheckNetwork, Fail, msg)
		s.Add(CheckAuth, Skip, "skipped: the server could not be reached (see network)")
		s.Add(CheckRead, Skip, "skipped: the server could not be reached (see network)")
		return
	}
	s.Add(CheckAuth, Pass, "the Git server accepted the "+gitServerMeans(s.Creds)+" (the repository could not be read: see read)")
	s.Add(CheckRead, Fail, msg)
}

func gitServerMeans(c Credentials) string {
	if UsesSSH(c) {
		return "SSH key"
	}
	return "token as " + fmt.Sprintf("%q", GitUsername(c))
}

func derefMS(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// lsRemoteSSH lists the refs of repoURL over SSH with c's key, checking the server's host key
// against the trusted one: Git's own read check over SSH.
func lsRemoteSSH(ctx context.Context, c Credentials, repoURL string) (Status, string) {
	auth, err := gitSSHAuth(c)
	if err != nil {
		return Fail, err.Error()
	}
	_, hostport, _ := SSHAddress(c)
	remote := git.NewRemote(memory.NewStorage(), &gitconfig.RemoteConfig{Name: git.DefaultRemoteName, URLs: []string{repoURL}})
	refs, err := remote.ListContext(ctx, &git.ListOptions{Auth: auth})
	switch {
	case errors.Is(err, transport.ErrEmptyRemoteRepository):
		return Pass, fmt.Sprintf("%s may read %s as %q over SSH: the repository is empty", c.CredentialName(), repoURL, auth.User)
	case errors.Is(err, transport.ErrRepositoryNotFound):
		return Fail, fmt.Sprintf("the Git server says %s does not exist, or the key may not see it", repoURL)
	case err != nil:
		if msg, ok := sshError(err, c, hostport, auth.User, "ls-remote"); ok {
			return Fail, msg
		}
		if net := DescribeNetworkError(err, hostport); net != "" {
			return Fail, "cannot reach the Git server: " + net
		}
		return Fail, "ls-remote over SSH failed: " + firstLine(err.Error())
	}
	head := ""
	for _, r := range refs {
		if r.Name() == plumbing.HEAD && r.Type() == plumbing.SymbolicReference {
			head = r.Target().Short()
		}
	}
	n := len(refs)
	if head != "" {
		return Pass, fmt.Sprintf("%s may read %s as %q over SSH: Git lists %s, HEAD → %s", c.CredentialName(), repoURL, auth.User, countRefs(n), head)
	}
	return Pass, fmt.Sprintf("%s may read %s as %q over SSH: Git lists %s", c.CredentialName(), repoURL, auth.User, countRefs(n))
}
