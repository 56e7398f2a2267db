package fake

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// GitDefaultBranch is the branch every emulated repository starts on (its HEAD), as the five
// providers default to for new repositories.
const GitDefaultBranch = "main"

// errRepoExists is what an emulator's create helper returns when the name is taken.
var errRepoExists = errors.New("a repository of that name exists already")

// gitBackend serves Git's smart HTTP protocol for bare repositories under one root directory,
// with the real `git http-backend` run through net/http/cgi. One backend serves all four
// emulators of an Emulators (Start hands it to each through repoHost.useGit); each emulator keeps
// its repositories under its own sub-directory, named after its provider id ("github/acme/x.git").
//
// The backend does no authentication: an emulator checks a request's Basic auth against its own
// token rules first (and may refuse a push with rejectGit), then calls ServeHTTP. Credentials are
// never passed on to git: the Authorization header is removed before the CGI environment is built.
//
// Its methods are safe for concurrent use; git itself serialises ref updates within a repository.
type gitBackend struct {
	root string // GIT_PROJECT_ROOT
	git  string // path of the git binary
}

// newGitBackend returns a backend whose repositories live under root (which must exist).
func newGitBackend(root string) (*gitBackend, error) {
	bin, err := exec.LookPath("git")
	if err != nil {
		return nil, fmt.Errorf("the emulators serve Git with the git binary, which is not installed: %w", err)
	}
	return &gitBackend{root: root, git: bin}, nil
}

// Create makes a bare repository at path (relative to the root, e.g. "github/acme/x.git") whose
// HEAD is GitDefaultBranch. With withInitialCommit, that branch holds one commit with a README.md
// (as a provider's "initialise with a README" does); otherwise the repository is empty.
func (b *gitBackend) Create(path string, withInitialCommit bool) error {
	dir, err := b.dir(path)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return err
	}
	if _, err := b.run(nil, "", "init", "--bare", "--quiet", "--initial-branch="+GitDefaultBranch, dir); err != nil {
		return err
	}
	if !withInitialCommit {
		return nil
	}
	return b.initialCommit(dir)
}

// initialCommit puts one commit with a README.md on GitDefaultBranch of the bare repository dir.
func (b *gitBackend) initialCommit(dir string) error {
	readme := "# " + strings.TrimSuffix(filepath.Base(dir), ".git") + "\n"
	blob, err := b.run(strings.NewReader(readme), dir, "hash-object", "-w", "--stdin")
	if err != nil {
		return err
	}
	tree, err := b.run(strings.NewReader("100644 blob "+blob+"\tREADME.md\n"), dir, "mktree")
	if err != nil {
		return err
	}
	commit, err := b.run(nil, dir, "commit-tree", tree, "-m", "Initial commit")
	if err != nil {
		return err
	}
	_, err = b.run(nil, dir, "update-ref", "refs/heads/"+GitDefaultBranch, commit)
	return err
}

// Delete removes the repository at path; deleting a missing repository is not an error.
func (b *gitBackend) Delete(path string) error {
	dir, err := b.dir(path)
	if err != nil {
		return err
	}
	return os.RemoveAll(dir)
}

// Head returns the commit a branch of the repository at path points at ("" when the branch does
// not exist), for tests that check what a push left behind.
func (b *gitBackend) Head(path, branch string) string {
	dir, err := b.dir(path)
	if err != nil {
		return ""
	}
	out, err := b.run(nil, dir, "rev-parse", "--verify", "--quiet", "refs/heads/"+branch)
	if err != nil {
		return ""
	}
	return out
}

// ServeHTTP answers one Git smart-HTTP request for the repository at repoPath (relative to the
// root) with git http-backend; pathInfo is what follows the repository in the URL: "/info/refs",
// "/git-upload-pack" or "/git-receive-pack". Pushes are enabled (http.receivepack).
func (b *gitBackend) ServeHTTP(w http.ResponseWriter, r *http.Request, repoPath, pathInfo string) {
	b.serve(w, r, repoPath, pathInfo, "")
}

// ServeHTTPRefusing is ServeHTTP for a pusher the server refuses in its pre-receive hook, after
// the pack is sent, as Gitea refuses a user without write access: every ref update fails with
// "pre-receive hook declined", and the hook prints refusal in Gitea's form ("error: <refusal>"
// between two "error:" lines).
func (b *gitBackend) ServeHTTPRefusing(w http.ResponseWriter, r *http.Request, repoPath, pathInfo, refusal string) {
	b.serve(w, r, repoPath, pathInfo, refusal)
}

// refusingHook is the pre-receive hook of ServeHTTPRefusing (core.hooksPath), which prints the
// refusal it is given in GITOPSCFG_REFUSAL.
const refusingHook = "#!/bin/sh\ncat >/dev/null\nprintf 'error:\\nerror: %s\\nerror:\\n' \"$GITOPSCFG_REFUSAL\" >&2\nexit 1\n"

// writeRefusingHook writes refusingHook into the directory hooks (once per push: it is tiny).
func (b *gitBackend) writeRefusingHook(hooks string) error {
	if err := os.MkdirAll(hooks, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(hooks, "pre-receive.*")
	if err != nil {
		return err
	}
	_, err = f.WriteString(refusingHook)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o700)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), filepath.Join(hooks, "pre-receive"))
}

func (b *gitBackend) serve(w http.ResponseWriter, r *http.Request, repoPath, pathInfo, refusal string) {
	if _, err := b.dir(repoPath); err != nil {
		http.Error(w, "Repository not found.", http.StatusNotFound)
		return
	}
	req := r.Clone(r.Context())
	// Never hand credentials to the CGI process (they would become HTTP_AUTHORIZATION in its
	// environment).
	user := RequestUser(r)
	req.Header.Del("Authorization")
	req.Header.Del("PRIVATE-TOKEN")
	req.URL.Path = "/" + repoPath + pathInfo
	req.URL.RawPath = ""
	if req.ContentLength < 0 || len(req.TransferEncoding) > 0 {
		// CGI needs a length: buffer a chunked body (Git requests here are small).
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
		req.TransferEncoding = nil
	}
	if user == "" {
		user = "git"
	}
	count := "GIT_CONFIG_COUNT=2"
	var refusing []string
	if refusal != "" {
		hooks := filepath.Join(b.root, ".refusing-hooks")
		if err := b.writeRefusingHook(hooks); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		count = "GIT_CONFIG_COUNT=3"
		refusing = []string{"GIT_CONFIG_KEY_2=core.hooksPath", "GIT_CONFIG_VALUE_2=" + hooks, "GITOPSCFG_REFUSAL=" + refusal}
	}
	env := append(b.env(),
		"GIT_PROJECT_ROOT="+b.root,
		"GIT_HTTP_EXPORT_ALL=1",
		"REMOTE_USER="+user,
		count,
		"GIT_CONFIG_KEY_0=http.receivepack",
		"GIT_CONFIG_VALUE_0=true",
		// No "git gc --auto" after each push: these repositories live for seconds.
		"GIT_CONFIG_KEY_1=receive.autogc",
		"GIT_CONFIG_VALUE_1=false",
	)
	env = append(env, refusing...)
	h := &cgi.Handler{Path: b.git, Args: []string{"http-backend"}, Dir: b.root, Env: env, Stderr: io.Discard}
	h.ServeHTTP(w, req)
}

// isGitPush reports whether a Git smart-HTTP request belongs to a push: the receive-pack
// advertisement (GET info/refs?service=git-receive-pack) or the pack upload itself.
func isGitPush(r *http.Request, pathInfo string) bool {
	return pathInfo == "/git-receive-pack" ||
		(pathInfo == "/info/refs" && r.URL.Query().Get("service") == "git-receive-pack")
}

// splitGitPath splits a URL path such as "/acme/x.git/info/refs" into the repository part
// ("acme/x.git") and the smart-HTTP part ("/info/refs"); ok is false for anything else.
func splitGitPath(urlPath string) (repo, pathInfo string, ok bool) {
	for _, suffix := range []string{"/info/refs", "/git-upload-pack", "/git-receive-pack"} {
		if rest, found := strings.CutSuffix(urlPath, suffix); found {
			repo = strings.Trim(rest, "/")
			return repo, suffix, repo != "" && !strings.Contains(repo, "..")
		}
	}
	return "", "", false
}

// rejectGit answers a Git request with status and a plain-text message, as providers do when
// they refuse a clone or push over HTTPS (e.g. 403 "Permission to acme/x.git denied to octocat.").
func rejectGit(w http.ResponseWriter, status int, msg string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="Git"`)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}

// dir maps a repository path to its directory, refusing anything that would leave the root.
func (b *gitBackend) dir(path string) (string, error) {
	clean := filepath.Clean("/" + path)
	if clean == "/" || strings.Contains(path, "..") {
		return "", errors.New("invalid repository path " + path)
	}
	return filepath.Join(b.root, clean), nil
}

// env is the environment every git process runs with: no system or user configuration, HOME in
// the root, a fixed identity for commits the emulator makes itself.
func (b *gitBackend) env() []string {
	return []string{
		"HOME=" + b.root,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + os.DevNull,
		"GIT_AUTHOR_NAME=Emulator", "GIT_AUTHOR_EMAIL=emulator@localhost",
		"GIT_COMMITTER_NAME=Emulator", "GIT_COMMITTER_EMAIL=emulator@localhost",
		"PATH=" + os.Getenv("PATH"),
	}
}

// run runs git with args in dir (the root when empty) and returns its trimmed standard output.
func (b *gitBackend) run(stdin io.Reader, dir string, args ...string) (string, error) {
	if dir == "" {
		dir = b.root
	}
	cmd := exec.Command(b.git, args...)
	cmd.Dir = dir
	cmd.Env = b.env()
	cmd.Stdin = stdin
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %v: %s", args[0], err, strings.TrimSpace(errOut.String()))
	}
	return strings.TrimSpace(out.String()), nil
}
