package fake

import (
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
)

// TestGitBackendServesCloneAndPush drives the backend with the real git client: ls-remote of a
// repository with an initial commit and of an empty one, and a refused push.
func TestGitBackendServesCloneAndPush(t *testing.T) {
	t.Parallel()
	b, err := newGitBackend(t.TempDir())
	if err != nil {
		t.Skip(err)
	}
	if err := b.Create("test/acme/seeded.git", true); err != nil {
		t.Fatal(err)
	}
	if err := b.Create("test/acme/empty.git", false); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		repo, info, ok := splitGitPath(r.URL.Path)
		if !ok {
			http.NotFound(w, r)
			return
		}
		if isGitPush(r, info) {
			rejectGit(w, http.StatusForbidden, "pushes are refused here")
			return
		}
		b.ServeHTTP(w, r, "test/"+repo, info)
	}))
	defer srv.Close()

	head := b.Head("test/acme/seeded.git", GitDefaultBranch)
	if len(head) != 40 {
		t.Fatalf("seeded head = %q", head)
	}
	out, err := exec.Command("git", "ls-remote", srv.URL+"/acme/seeded.git").CombinedOutput()
	if err != nil || !strings.Contains(string(out), head+"\trefs/heads/main") {
		t.Fatalf("ls-remote seeded: %v\n%s", err, out)
	}
	out, err = exec.Command("git", "ls-remote", srv.URL+"/acme/empty.git").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "" {
		t.Fatalf("ls-remote empty: %v\n%s", err, out)
	}
	if b.Head("test/acme/empty.git", GitDefaultBranch) != "" {
		t.Fatal("empty repository has a main branch")
	}
	if err := b.Delete("test/acme/seeded.git"); err != nil {
		t.Fatal(err)
	}
	if b.Head("test/acme/seeded.git", GitDefaultBranch) != "" {
		t.Fatal("deleted repository still answers")
	}
	if _, _, ok := splitGitPath("/../x.git/info/refs"); ok {
		t.Fatal("splitGitPath accepted ..")
	}
}
