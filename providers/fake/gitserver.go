package fake

import (
	"crypto/subtle"
	"net/http"
	"sort"
	"strings"
	"sync"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// A plain Git server for the generic provider (git): no API, one repository GitServerRepo served
// over Git's smart HTTP with HTTP Basic authentication (GitServerUser and GitServerToken as the
// password), as git http-backend behind a web server's Basic auth answers: 401 with
// WWW-Authenticate for missing or wrong credentials, 404 for another repository.

// The generic Git server's account and repository.
const (
	GitServerUser  = "jdoe"
	GitServerToken = "gitserver-token-0123456789abcdef"
	GitServerRepo  = "acme/gitops.git"
)

func init() {
	register(emulator{id: providers.GitServer, handler: newGitServer, hostPath: "/", urlPath: "/" + GitServerRepo,
		demo: providers.Credentials{Provider: providers.GitServer, Settings: config.Settings{Username: GitServerUser, Token: GitServerToken}}})
}

type gitServer struct {
	mu      sync.Mutex
	git     *gitBackend
	created bool
}

func newGitServer() http.Handler { return &gitServer{} }

func (e *gitServer) useGit(b *gitBackend) { e.git = b }

func (e *gitServer) ensure() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.created || e.git == nil {
		return nil
	}
	if err := e.git.Create("git/"+GitServerRepo, true); err != nil {
		return err
	}
	e.created = true
	return nil
}

func (e *gitServer) addRepo(string) error { return errRepoExists }

func (e *gitServer) repoNames() []string {
	names := []string{strings.TrimSuffix(GitServerRepo, ".git")}
	sort.Strings(names)
	return names
}

func (e *gitServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	repo, info, ok := splitGitPath(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	user, pass, has := r.BasicAuth()
	if !has || user != GitServerUser || subtle.ConstantTimeCompare([]byte(pass), []byte(GitServerToken)) != 1 {
		rejectGit(w, http.StatusUnauthorized, "Authentication failed")
		return
	}
	if repo+"" != GitServerRepo && repo != strings.TrimSuffix(GitServerRepo, ".git") {
		rejectGit(w, http.StatusNotFound, "Repository not found")
		return
	}
	if err := e.ensure(); err != nil || e.git == nil {
		http.Error(w, "no repository storage", http.StatusInternalServerError)
		return
	}
	e.git.ServeHTTP(w, r, "git/"+GitServerRepo, info)
}
