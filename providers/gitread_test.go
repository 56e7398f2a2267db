package providers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gitopscfg/e2e/kit"
	"gitopscfg/platforms"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// repoURL is the HTTPS URL of repository name in c's organisation, as Argo CD would clone it.
func repoURL(t *testing.T, c providers.Credentials, name string) string {
	t.Helper()
	c.URLPrefix = ""
	p, err := platforms.ArgoCDPrefix(context.Background(), envWithTimeout(10*time.Second), c)
	if err != nil {
		t.Fatal(err)
	}
	return p + name
}

// CanRead asks each provider's Git server, as a clone does: a repository the token may read
// passes, saying what Git listed, in the URL forms the provider takes (Azure DevOps takes no
// .git; the Bitbucket emulator serves Git only with it).
func TestCanReadEveryProvider(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	for _, id := range providers.APIIDs() {
		c := e.DemoCredentials(id)
		if err := e.AddRepo(id, "gitops"); err != nil {
			t.Fatal(err)
		}
		u := repoURL(t, c, "gitops")
		forms := map[providers.ID][]string{providers.Azure: {u, u + "/"}, providers.Bitbucket: {u + ".git"}}[id]
		if forms == nil {
			forms = []string{u, u + ".git", u + "/"}
		}
		for _, form := range forms {
			ch := providers.CanRead(context.Background(), envWithTimeout(10*time.Second), c, form)
			if ch.ID != providers.CheckRead || ch.Status != providers.Pass || !strings.Contains(ch.Message, "may read "+form) || ch.DurationMS == nil {
				t.Errorf("%s %s: %+v", id, form, ch)
			}
		}
	}
}

// A token that may not read the repository, a missing repository, a URL off the credential's
// hosts and a redirect elsewhere all fail, and the token never reaches another host nor the
// message.
func TestCanReadRefusals(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	if err := e.AddOrgRepo(providers.GitHub, fake.GitHubOrgInfra, "gitops"); err != nil {
		t.Fatal(err)
	}
	infra := func(tok string) providers.Credentials {
		c := e.Credentials(providers.GitHub, tok)
		c.Org = fake.GitHubOrgInfra
		return c
	}
	u := e.URL(providers.GitHub) + "/" + fake.GitHubOrgInfra + "/gitops"
	env := envWithTimeout(10 * time.Second)
	for _, c := range []struct {
		name, tok, url, want string
	}{
		{"readable", fake.GitHubTokenFull, u, "Git lists 0 refs"},
		{"not a member", fake.GitHubTokenNotMember, u, "404 for " + u + " (Repository not found.): the repository does not exist, or the token may not see it (the token needs the repo scope"},
		{"revoked", fake.GitHubTokenRevoked, u, "did not accept the token as \"octocat\" (401)"},
		{"missing", fake.GitHubTokenFull, e.URL(providers.GitHub) + "/" + fake.GitHubOrgInfra + "/nothing", "404"},
		{"another host", fake.GitHubTokenFull, e.Elsewhere() + "/acme-infra/gitops", "refusing to send github's token to " + strings.TrimPrefix(e.Elsewhere(), "http://")},
		{"plain http off loopback", fake.GitHubTokenFull, "http://github.example.com/acme/gitops", "refusing plain http"},
		{"a query", fake.GitHubTokenFull, u + "?x=1", "is not a repository URL"},
		{"a redirect", fake.GitHubTokenFull + fake.MarkRedirect, u, "redirected the request (307) to " + strings.TrimPrefix(e.Elsewhere(), "http://") + ", which is not followed"},
		{"an echo", fake.GitHubTokenFull + fake.MarkEcho, u, "answered 400 Bad Request"},
		{"the API, not Git", fake.GitHubTokenFull, e.URL(providers.GitHub) + "/api/v3/repos/acme-infra/gitops", "404"},
	} {
		ch := providers.CanRead(context.Background(), env, infra(c.tok), c.url)
		if c.name == "readable" {
			if ch.Status != providers.Pass || !strings.Contains(ch.Message, "the repository is empty") {
				t.Errorf("%s: %+v", c.name, ch)
			}
			continue
		}
		if ch.Status != providers.Fail || !strings.Contains(ch.Message, c.want) {
			t.Errorf("%s: %+v, want a failure saying %q", c.name, ch, c.want)
		}
		if strings.Contains(ch.Message, c.tok) || strings.Contains(ch.Message, fake.GitHubTokenFull) {
			t.Errorf("%s: the token shows: %q", c.name, ch.Message)
		}
	}
	if got := e.ElsewhereRequests(); len(got) != 0 {
		t.Fatalf("a request went to another host: %+v", got)
	}
}

// pkt is s as one pkt-line of Git's protocol.
func pkt(s string) string { return fmt.Sprintf("%04x%s", len(s)+4, s) }

// A server that answers 200 with a page, not Git's advertisement (a sign-in page, a dumb HTTP
// server), is no proof of read access.
func TestCanReadWantsGitsAdvertisement(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/acme/smart/info/refs" && r.URL.Query().Get("service") == "git-upload-pack" {
			w.Header().Set("Content-Type", "application/x-git-upload-pack-advertisement")
			const sha = "4f5ae1c1a0a0d2c4d2f6f1a0e9e0c6a1b2c3d4e5"
			_, _ = w.Write([]byte(pkt("# service=git-upload-pack\n") + "0000" +
				pkt(sha+" HEAD\x00multi_ack symref=HEAD:refs/heads/trunk agent=git/2.45\n") + pkt(sha+" refs/heads/trunk\n") + "0000"))
			return
		}
		if r.URL.Path == "/acme/echo/info/refs" {
			_, tok, _ := r.BasicAuth()
			http.Error(w, "access denied for "+tok+"; ask an owner", http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html>Sign in</html>"))
	}))
	defer srv.Close()
	c := providers.Credentials{Provider: providers.Gitea}
	c.Host, c.Org, c.Username, c.Token = srv.URL+"/", "acme", "jdoe", "token-0123456789abcdef"
	env := envWithTimeout(5 * time.Second)
	if ch := providers.CanRead(context.Background(), env, c, srv.URL+"/acme/page"); ch.Status != providers.Fail || !strings.Contains(ch.Message, "without Git's smart-HTTP advertisement") {
		t.Errorf("a page: %+v", ch)
	}
	if ch := providers.CanRead(context.Background(), env, c, srv.URL+"/acme/echo"); ch.Status != providers.Fail ||
		!strings.Contains(ch.Message, "(403) (access denied for ") || strings.Contains(ch.Message, c.Token) {
		t.Errorf("a refusal that echoes the token: %+v", ch)
	}
	if ch := providers.CanRead(context.Background(), env, c, srv.URL+"/acme/smart"); ch.Status != providers.Pass || !strings.Contains(ch.Message, "Git lists 2 refs, HEAD → trunk") {
		t.Errorf("smart: %+v", ch)
	}
}
