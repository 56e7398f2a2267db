package cli_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers/fake"
)

// TestCheckGitLabRetestUsesRememberedUser: the first check remembers the user id with its
// record, and the next check sends the membership look-up in the first wave.
func TestCheckGitLabRetestUsesRememberedUser(t *testing.T) {
	t.Parallel()
	h := kit.NewMembershipWatch()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	dir := initStore(t)
	mustRun(t, dir, fake.GitLabTokenFull, "set", "gitlab", "--host", srv.URL+"/", "--api-url", srv.URL+"/api/v4",
		"--org", fake.GitLabGroupPath, "--username", fake.GitLabUser, "--token-stdin", "--no-check", "--activate")
	mustRun(t, dir, "", "check")
	h.Arm()
	r := mustRun(t, dir, "", "check")
	if ids, early := h.Lookups(); !early || strings.Join(ids, ",") != "4242" {
		t.Fatalf("the re-test's membership look-up went out with /user: %v, look-ups %v\n%s", early, ids, r.out)
	}
}
