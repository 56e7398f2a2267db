// Package giteatest runs a real, throw-away Gitea server for tests, through the project's script
// .ci/gitea.sh (which builds Gitea once and caches it outside the tree). The tests that use it run
// only when GITOPSCFG_GITEA is set (make test-gitea), so `make test` stays fast.
package giteatest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// Password is every test user's password (Basic auth is needed only to delete a token).
const Password = "gitopscfg-Passw0rd!"

// The users, organisation and teams Setup creates (the emulator in providers/fake knows the same).
const (
	Org      = "acme"     // private, owned by Owner
	Owner    = "jdoe"     // in the Owners team
	Deployer = "deployer" // in "deployers": may create repositories (not an owner)
	Viewer   = "viewer"   // in "readers": may not create repositories
	Outsider = "outsider" // in no team
	Pusher   = "pusher"   // in "pushers": may push (Code: Write), may not create repositories
	Admin    = "siteadmin"
)

// Enabled reports whether the real-server tests run; Require skips t otherwise.
func Enabled() bool { return os.Getenv("GITOPSCFG_GITEA") != "" }

// Require skips t unless GITOPSCFG_GITEA is set.
func Require(t testing.TB) {
	t.Helper()
	if !Enabled() {
		t.Skip("the real-server suite runs with GITOPSCFG_GITEA=1 (make test-gitea)")
	}
}

// Server is one running instance.
type Server struct {
	// URL is its root (ROOT_URL) with a trailing slash.
	URL string
	// Direct is the address it listens on (differs from URL when a proxy stands in front).
	Direct string
	// SSH is the address (host:port) of its built-in SSH server, whose user is "git".
	SSH string
	// AdminToken is a site administrator's token (write:admin, write:organization,
	// write:repository, write:user); set by Setup.
	AdminToken string
	dir        string
	script     string
}

func script() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", ".ci", "gitea.sh")
}

// Start starts an instance and stops it, by its PID, when t ends; rootURL, if not empty, is the
// ROOT_URL it names in its answers (e.g. a counting proxy's address).
func Start(t testing.TB, rootURL string) *Server {
	t.Helper()
	dir := t.TempDir()
	s := &Server{dir: dir, script: script()}
	cmd := exec.Command(s.script, "start", dir)
	cmd.Env = append(os.Environ(), "GITEA_ROOT_URL="+rootURL)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("start Gitea: %v\n%s", err, stderr.String())
	}
	t.Cleanup(func() {
		if out, err := exec.Command(s.script, "stop", dir).CombinedOutput(); err != nil {
			t.Errorf("stop Gitea: %v\n%s", err, out)
		}
	})
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "URL="); ok {
			s.Direct = v
		}
		if v, ok := strings.CutPrefix(sc.Text(), "SSH="); ok {
			s.SSH = v
		}
	}
	if s.Direct == "" {
		t.Fatalf("start Gitea: no URL in %q", out)
	}
	s.URL = s.Direct
	if rootURL != "" {
		s.URL = rootURL
	}
	return s
}

// CLI runs the instance's admin command line and returns the last line it printed.
func (s *Server) CLI(t testing.TB, args ...string) string {
	t.Helper()
	cmd := exec.Command(s.script, append([]string{"cli", s.dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("gitea %s: %v\n%s", strings.Join(args[:min(3, len(args))], " "), err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// API sends one request with the admin token (or, with user set, Basic auth as that user) and
// fails t unless the status is want.
func (s *Server) API(t testing.TB, method, path, user string, body any, want int) []byte {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, s.Direct+"api/v1"+path, rd)
	if user != "" {
		req.SetBasicAuth(user, Password)
	} else {
		req.Header.Set("Authorization", "token "+s.AdminToken)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: HTTP %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
	return raw
}

// Setup creates a site administrator, the users, organisation Org (private, owned by Owner) and
// its teams "deployers" (may create repositories, Code: Write), "readers" (may not, Code: Read)
// and "pushers" (may not create, Code: Write).
func (s *Server) Setup(t testing.TB) {
	t.Helper()
	s.CLI(t, "admin", "user", "create", "--username", Admin, "--password", Password, "--email", "admin@example.com",
		"--admin", "--must-change-password=false")
	for _, u := range []string{Owner, Deployer, Viewer, Outsider, Pusher} {
		s.CLI(t, "admin", "user", "create", "--username", u, "--password", Password, "--email", u+"@example.com",
			"--must-change-password=false")
	}
	s.AdminToken = s.Token(t, Admin, "setup", "write:admin,write:organization,write:repository,write:user")
	s.API(t, http.MethodPost, "/admin/users/"+Owner+"/orgs", "", map[string]any{"username": Org, "visibility": "private"},
		http.StatusCreated)
	for _, team := range []struct {
		name, perm, member string
		create             bool
	}{{"deployers", "write", Deployer, true}, {"readers", "read", Viewer, false}, {"pushers", "write", Pusher, false}} {
		raw := s.API(t, http.MethodPost, "/orgs/"+Org+"/teams", "", map[string]any{"name": team.name, "permission": team.perm,
			"can_create_org_repo": team.create, "includes_all_repositories": true, "units": []string{"repo.code"}}, http.StatusCreated)
		var created struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal(raw, &created); err != nil || created.ID == 0 {
			t.Fatalf("create team %s: %s", team.name, raw)
		}
		s.API(t, http.MethodPut, fmt.Sprintf("/teams/%d/members/%s", created.ID, team.member), "", nil, http.StatusNoContent)
	}
}

// Token creates an access token for user with the admin command line.
func (s *Server) Token(t testing.TB, user, name, scopes string) string {
	t.Helper()
	tok := s.CLI(t, "admin", "user", "generate-access-token", "--username", user, "--token-name", name, "--scopes", scopes, "--raw")
	if len(tok) != 40 {
		t.Fatalf("token %s of %s: %d characters, want 40", name, user, len(tok))
	}
	return tok
}

// DeleteToken deletes user's token name (the API needs the user's password for it).
func (s *Server) DeleteToken(t testing.TB, user, name string) {
	t.Helper()
	s.API(t, http.MethodDelete, "/users/"+user+"/tokens/"+name, user, nil, http.StatusNoContent)
}

// Repos lists the organisation's repositories through the API.
func (s *Server) Repos(t testing.TB) []string {
	t.Helper()
	var list []struct {
		Name string `json:"name"`
	}
	raw := s.API(t, http.MethodGet, "/orgs/"+Org+"/repos?limit=50", "", nil, http.StatusOK)
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatalf("list repositories: %v: %s", err, raw)
	}
	names := make([]string, len(list))
	for i, r := range list {
		names[i] = r.Name
	}
	return names
}

// CreateRepo creates repository name in Org, initialised with a README on main (a repository
// made by hand, for the existing-repository round trip).
func (s *Server) CreateRepo(t testing.TB, name string) {
	t.Helper()
	s.API(t, http.MethodPost, "/orgs/"+Org+"/repos", "", map[string]any{"name": name, "private": true, "auto_init": true,
		"default_branch": "main", "readme": "Default"}, http.StatusCreated)
}

// Protect adds a branch protection rule named pattern (a glob) to Org/repo: canPush lets every
// writer push to matching branches (deleting them is refused all the same).
func (s *Server) Protect(t testing.TB, repo, pattern string, canPush bool) {
	t.Helper()
	s.API(t, http.MethodPost, "/repos/"+Org+"/"+repo+"/branch_protections", "", map[string]any{"rule_name": pattern,
		"enable_push": canPush}, http.StatusCreated)
}

// Unprotect removes the branch protection rule named pattern of Org/repo.
func (s *Server) Unprotect(t testing.TB, repo, pattern string) {
	t.Helper()
	s.API(t, http.MethodDelete, "/repos/"+Org+"/"+repo+"/branch_protections/"+url.PathEscape(pattern), "", nil, http.StatusNoContent)
}

// Branches lists the branches of Org/repo.
func (s *Server) Branches(t testing.TB, repo string) []string {
	t.Helper()
	var list []struct {
		Name string `json:"name"`
	}
	raw := s.API(t, http.MethodGet, "/repos/"+Org+"/"+repo+"/branches", "", nil, http.StatusOK)
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatalf("list branches: %v: %s", err, raw)
	}
	names := make([]string, len(list))
	for i, b := range list {
		names[i] = b.Name
	}
	sort.Strings(names)
	return names
}

// DeleteBranch deletes branch of Org/repo.
func (s *Server) DeleteBranch(t testing.TB, repo, branch string) {
	t.Helper()
	s.API(t, http.MethodDelete, "/repos/"+Org+"/"+repo+"/branches/"+url.PathEscape(branch), "", nil, http.StatusNoContent)
}
