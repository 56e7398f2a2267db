package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"gitopscfg/cli"
	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/platforms/devtronfake"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// anyGitLabToken matches a whole GitLab token: no output may hold one (hints are glpat-…abcd).
var anyGitLabToken = regexp.MustCompile(`glpat-[A-Za-z0-9_-]{20}`)

type rotateStatus struct {
	Providers []struct {
		Provider  string  `json:"provider"`
		Username  *string `json:"username"`
		TokenHint *string `json:"token_hint"`
		LastDeep  *struct {
			OK bool `json:"ok"`
		} `json:"last_deep"`
	} `json:"providers"`
	Audit []struct {
		Action   string   `json:"action"`
		Provider string   `json:"provider"`
		Fields   []string `json:"fields"`
	} `json:"audit"`
}

func statusOf(t *testing.T, dir, provider string) (hint, user string, deepOK *bool, rotated bool) {
	t.Helper()
	var st rotateStatus
	if err := json.Unmarshal([]byte(mustRun(t, dir, "", "status", "--json").out), &st); err != nil {
		t.Fatal(err)
	}
	for _, p := range st.Providers {
		if p.Provider == provider {
			if p.TokenHint != nil {
				hint = *p.TokenHint
			}
			if p.Username != nil {
				user = *p.Username
			}
			if p.LastDeep != nil {
				deepOK = &p.LastDeep.OK
			}
		}
	}
	for _, e := range st.Audit {
		if e.Action == "rotate" && e.Provider == provider && strings.Join(e.Fields, ",") == "token" {
			rotated = true
		}
	}
	return hint, user, deepOK, rotated
}

// behind serves provider id's emulator (of its own fake.Start) through a proxy that runs hook
// before passing each request on (hook false: the request is not passed on); it returns the
// emulators and the proxy's URL. The emulator builds its URLs from the Host header, which the
// proxy keeps, so Git goes through it too.
func behind(t *testing.T, id providers.ID, hook func(r *http.Request) bool) (*fake.Emulators, string) {
	t.Helper()
	e := kit.Emulators(t, fake.Options{})
	target, _ := url.Parse(e.URL(id))
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hook(r) {
			proxy.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return e, srv.URL
}

// setBehind stores provider id's credentials with token, pointing at the proxy at u.
func setBehind(t *testing.T, dir string, id providers.ID, u, token string) providers.Credentials {
	t.Helper()
	c := providers.Credentials{Provider: id, Settings: config.Settings{Token: token, Host: u + "/", Username: fake.GitLabUser, Org: fake.GitLabGroupPath, APIURL: u + "/api/v4"}}
	if id == providers.GitHub {
		c.Username, c.Org, c.APIURL = fake.GitHubUser, fake.GitHubOrg, u+"/api/v3"
	}
	mustRun(t, dir, token, "set", string(id), "--host", c.Host, "--api-url", c.APIURL, "--org", c.Org,
		"--username", c.Username, "--token-stdin", "--no-check", "--activate")
	return c
}

func isRotate(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/personal_access_tokens/self/rotate")
}

func TestRotateGitLab(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, token, stdin string
		args               []string
		code               int
		rotated            bool // the store holds a new token afterwards
		want               []string
	}{
		{"confirmed", fake.GitLabTokenFull, "y\n", nil, 0, true,
			[]string{"✓ rotate: GitLab issued the new token glpat-…", "✓ save:", "✓ check:", "✓ deep:verify", "✓ round trip:", "– push: no Devtron", "nothing to revoke by hand"}},
		{"declined", fake.GitLabTokenFull, "n\n", nil, 1, false, []string{"not rotated: nothing changed"}},
		{"no answer", fake.GitLabTokenFull, "", nil, 2, false, []string{"give --yes"}},
		{"refused 403: no api scope", fake.GitLabTokenNoAPI, "", []string{"--yes"}, 1, false,
			[]string{"✗ rotate:", "HTTP 403", "api or self_rotate scope", "Nothing changed: the store still holds the old token glpat-…0000, which still works"}},
		{"refused 401: revoked", fake.GitLabTokenRevoked, "", []string{"--yes"}, 1, false,
			[]string{"✗ token:", "HTTP 401", "cannot be rotated", "--token-stdin", "Nothing changed"}},
		{"an expiry beyond what GitLab allows", fake.GitLabTokenFull, "", []string{"--yes", "--expires-in", "400d"}, 1, false,
			[]string{"✗ rotate:", "HTTP 400", "--expires-in", "which still works"}},
		{"the new token fails the check", fake.GitLabTokenDeveloper, "", []string{"--yes"}, 1, true,
			[]string{"✓ save:", "✗ check: failed", "✗ org", "The store holds the new token glpat-…"}},
		{"a group access token", fake.GitLabTokenGroupBot, "", []string{"--yes"}, 0, true,
			[]string{`✓ token: the stored group access token of group 81234567 "argocd"`, "✓ rotate: GitLab issued the new token glpat-…",
				"✓ save:", "✓ deep:verify", "nothing to revoke by hand"}},
		{"a group access token on a GitLab that rotates personal tokens only", fake.GitLabTokenGroupBotOldGitLab, "", []string{"--yes"}, 1, false,
			[]string{"✗ rotate:", "HTTP 405", "Settings > Access tokens", "Nothing changed: the store still holds the old token glpat-…0000, which still works"}},
		{"the new token fails the round trip", fake.GitLabTokenPushRejected, "", []string{"--yes"}, 1, true,
			[]string{"✓ save:", "✓ check:", "✗ deep:push", "✗ round trip: failed", "The store holds the new token glpat-…"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := kit.Emulators(t, fake.Options{})
			dir := initStore(t)
			setOnEmulator(t, dir, e, providers.GitLab, c.token, "--activate")
			before := readAll(t, dir)
			r := gitopscfg(t, dir, c.stdin, nil, append([]string{"rotate", "gitlab"}, c.args...)...)
			out := r.out + r.err
			noTokens(t, out, c.token)
			if strings.Contains(out, "(revision") {
				t.Errorf("the steps show the store's revision:\n%s", out)
			}
			if anyGitLabToken.MatchString(out) {
				t.Fatalf("a whole token in the output:\n%s", out)
			}
			if r.code != c.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, c.code, out)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q", w)
				}
			}
			hint, _, _, rotated := statusOf(t, dir, "gitlab")
			if c.rotated != (hint != "glpat-…0000") || c.rotated != rotated {
				t.Errorf("store token %s (audit rotate: %v), want rotated %v", hint, rotated, c.rotated)
			}
			if !c.rotated && !sameFiles(before, readAll(t, dir)) {
				t.Error("a rotation that did not happen changed the store")
			}
			// A rotation revoked the old token at the emulator; anything else left it as it was.
			if n := e.GitLabRotations(); (n == 1) != c.rotated {
				t.Errorf("%d rotations at the emulator", n)
			}
			if c.rotated {
				old := providers.Run(t.Context(), providers.NewEnv("test"), e.Credentials(providers.GitLab, c.token))
				if a, _ := old.Find(providers.CheckAuth); a.Status != providers.Fail || !strings.Contains(a.Message, "revoked") {
					t.Errorf("the old token after the rotation: %+v", a)
				}
			}
			if t.Failed() {
				t.Log(out)
			}
		})
	}
}

// TestRotateGitLabSave covers the save right after GitLab issued the new token: another writer
// changed the provider meanwhile (the new token goes over it), or replaced its token (theirs is
// kept, the new token is shown only on request), or the store cannot be written.
func TestRotateGitLabSave(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		during func(t *testing.T, dir string)
		args   []string
		code   int
		// hint is the stored token afterwards: "new", or a fixed hint.
		hint, user string
		want       []string
		shown      bool
	}{
		{"settings changed meanwhile", func(t *testing.T, dir string) {
			mustRun(t, dir, "", "set", "gitlab", "--username", "someone", "--no-check")
		}, nil, 0, "new", "someone", []string{"✓ save: the new token"}, false},
		{"token replaced meanwhile", func(t *testing.T, dir string) {
			mustRun(t, dir, fake.GitLabTokenMaintainer, "set", "gitlab", "--token-stdin", "--no-check")
		}, nil, 2, "glpat-…le00", fake.GitLabUser, []string{"✗ save: the stored token was replaced while rotating", "NOT saved", "It is not shown", "is lost with this run"}, false},
		{"token replaced, shown on request", func(t *testing.T, dir string) {
			mustRun(t, dir, fake.GitLabTokenMaintainer, "set", "gitlab", "--token-stdin", "--no-check")
		}, []string{"--show-token-if-unsaved"}, 2, "glpat-…le00", fake.GitLabUser, []string{"NOT saved", "shown this once"}, true},
		{"store not writable", func(t *testing.T, dir string) {
			// The lock file turned into a directory: every save fails (even as root).
			lock := filepath.Join(dir, ".lock")
			if err := os.Remove(lock); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			if err := os.Mkdir(lock, 0o700); err != nil {
				t.Fatal(err)
			}
		}, nil, 2, "glpat-…0000", fake.GitLabUser, []string{"✗ save:", "NOT saved"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := initStore(t)
			_, u := behind(t, providers.GitLab, func(r *http.Request) bool {
				if isRotate(r) {
					c.during(t, dir)
				}
				return true
			})
			creds := setBehind(t, dir, providers.GitLab, u, fake.GitLabTokenFull)
			r := gitopscfg(t, dir, "", nil, append([]string{"rotate", "gitlab", "--yes"}, c.args...)...)
			if fi, err := os.Stat(filepath.Join(dir, ".lock")); err == nil && fi.IsDir() {
				_ = os.Remove(filepath.Join(dir, ".lock"))
			}
			out := r.out + r.err
			noTokens(t, out, fake.GitLabTokenFull, fake.GitLabTokenMaintainer)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, c.code, out)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q\n%s", w, out)
				}
			}
			shown := anyGitLabToken.FindAllString(out, -1)
			if c.shown != (len(shown) == 1) || len(shown) > 1 {
				t.Fatalf("whole tokens in the output: %d, want shown %v\n%s", len(shown), c.shown, out)
			}
			if c.shown {
				// The token shown is the live one.
				creds.Token = shown[0]
				res := providers.Run(t.Context(), providers.NewEnv("test"), creds)
				if !res.OK {
					t.Fatalf("the token shown does not work: %+v", res.Checks)
				}
			}
			hint, user, _, _ := statusOf(t, dir, "gitlab")
			if (c.hint == "new" && (hint == "glpat-…0000" || hint == "glpat-…le00")) || (c.hint != "new" && hint != c.hint) || user != c.user {
				t.Fatalf("stored %s as %s, want %s as %s\n%s", hint, user, c.hint, c.user, out)
			}
		})
	}
}

// interruptible runs one invocation in process so that a test can interrupt it as Ctrl-C would
// (the first signal cancels the context) from an emulator hook.
type interruptible struct {
	mu     sync.Mutex
	cancel context.CancelFunc
	once   sync.Once
}

// interrupt does what the first Ctrl-C does to the process: it cancels the invocation's context.
func (i *interruptible) interrupt() {
	i.once.Do(func() {
		i.mu.Lock()
		defer i.mu.Unlock()
		i.cancel()
	})
}

func (i *interruptible) run(t *testing.T, dir, stdin string, args ...string) run {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	i.mu.Lock()
	i.cancel = cancel
	i.mu.Unlock()
	var out, errb bytes.Buffer
	code := cli.RunInProcessContext(ctx, args, map[string]string{"GITOPSCFG_CONFIG_DIR": dir, "HOME": dir}, strings.NewReader(stdin), &out, &errb)
	return run{out.String(), errb.String(), code}
}

// TestRotateInterrupted sends Ctrl-C after a step: GitLab's new token is saved already and stays;
// a pasted token is not saved, and the old one stays.
func TestRotateInterrupted(t *testing.T) {
	t.Parallel()
	t.Run("gitlab, after the save", func(t *testing.T) {
		t.Parallel()
		dir := initStore(t)
		var proc interruptible
		var mu sync.Mutex
		rotated := false
		_, u := behind(t, providers.GitLab, func(r *http.Request) bool {
			mu.Lock()
			if isRotate(r) {
				rotated = true
			}
			after := rotated && r.Method == http.MethodGet
			mu.Unlock()
			if after {
				// The check's first request: Ctrl-C, and no answer until the client gives up.
				proc.interrupt()
				<-r.Context().Done()
				return false
			}
			return true
		})
		setBehind(t, dir, providers.GitLab, u, fake.GitLabTokenFull)
		r := proc.run(t, dir, "", "rotate", "gitlab", "--yes")
		out := r.out + r.err
		noTokens(t, out, fake.GitLabTokenFull)
		if r.code != 1 || !strings.Contains(out, "✓ save:") || !strings.Contains(out, "interrupted: the store holds the new token glpat-…") {
			t.Fatalf("exit %d\n%s", r.code, out)
		}
		if hint, _, _, rotated := statusOf(t, dir, "gitlab"); hint == "glpat-…0000" || !rotated {
			t.Fatalf("the new token was not kept: %s", hint)
		}
	})
	t.Run("github, before the save", func(t *testing.T) {
		t.Parallel()
		dir := initStore(t)
		var proc interruptible
		_, u := behind(t, providers.GitHub, func(r *http.Request) bool {
			if fake.RequestToken(r) == fake.GitHubTokenNoAdminOrg {
				proc.interrupt()
				<-r.Context().Done()
				return false
			}
			return true
		})
		setBehind(t, dir, providers.GitHub, u, fake.GitHubTokenFull)
		before := readAll(t, dir)
		r := proc.run(t, dir, fake.GitHubTokenNoAdminOrg, "rotate", "github", "--token-stdin")
		out := r.out + r.err
		noTokens(t, out, fake.GitHubTokenFull, fake.GitHubTokenNoAdminOrg)
		if r.code != 1 || !strings.Contains(out, "interrupted: nothing saved: the store still holds the old token ghp_…0000") {
			t.Fatalf("exit %d\n%s", r.code, out)
		}
		if !sameFiles(before, readAll(t, dir)) {
			t.Fatal("an interrupted rotation changed the store")
		}
	})
}

func TestRotateByHand(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	cases := []struct {
		name, token string
		code        int
		saved       bool
		want        []string
	}{
		{"a working replacement", fake.GitHubTokenNoAdminOrg, 0, true, []string{"• create: create the replacement at " + e.URL(providers.GitHub) + "/settings/tokens with:",
			"- repo: needed", "- delete_repo: needed", "✓ check:", "✓ round trip:", "✓ save: the new token", "– push: no Devtron",
			"Revoke the old token ghp_…0000 at " + e.URL(providers.GitHub) + "/settings/tokens"}},
		{"the replacement fails the check", fake.GitHubTokenNoRepo, 1, false, []string{"✗ check: failed", "✗ scope:repo",
			"Nothing saved: the store still holds the old token ghp_…0000, unchanged"}},
		{"the replacement fails the round trip", fake.GitHubTokenPushRejected, 1, false, []string{"✗ deep:push", "✗ round trip: failed",
			"Nothing saved: the store still holds the old token ghp_…0000, unchanged"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := initStore(t)
			setOnEmulator(t, dir, e, providers.GitHub, fake.GitHubTokenFull, "--activate")
			before := readAll(t, dir)
			r := gitopscfg(t, dir, c.token, nil, "rotate", "github", "--token-stdin")
			out := r.out + r.err
			noTokens(t, out, fake.GitHubTokenFull, c.token)
			if strings.Contains(out, "(revision") {
				t.Errorf("the steps show the store's revision:\n%s", out)
			}
			if r.code != c.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, c.code, out)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q\n%s", w, out)
				}
			}
			_, _, deepOK, rotated := statusOf(t, dir, "github")
			if c.saved != rotated || (c.saved && (deepOK == nil || !*deepOK)) {
				t.Fatalf("saved %v (round trip recorded %v), want %v", rotated, deepOK, c.saved)
			}
			if !c.saved && !sameFiles(before, readAll(t, dir)) {
				t.Fatal("a refused replacement changed the store")
			}
		})
	}
	t.Run("the same token", func(t *testing.T) {
		t.Parallel()
		dir := initStore(t)
		setOnEmulator(t, dir, e, providers.GitHub, fake.GitHubTokenFull, "--activate")
		if r := gitopscfg(t, dir, fake.GitHubTokenFull, nil, "rotate", "github", "--token-stdin"); r.code != 2 || !strings.Contains(r.err, "stored already") {
			t.Fatalf("exit %d %s", r.code, r.err)
		}
	})
	t.Run("no token and no terminal", func(t *testing.T) {
		t.Parallel()
		dir := initStore(t)
		setOnEmulator(t, dir, e, providers.GitHub, fake.GitHubTokenFull, "--activate")
		if r := gitopscfg(t, dir, "", nil, "rotate", "github"); r.code != 2 || !strings.Contains(r.err, "--token-stdin") {
			t.Fatalf("exit %d %s", r.code, r.err)
		}
	})
	t.Run("settings changed during the check", func(t *testing.T) {
		t.Parallel()
		dir := initStore(t)
		var once sync.Once
		_, u := behind(t, providers.GitHub, func(r *http.Request) bool {
			if fake.RequestToken(r) == fake.GitHubTokenNoAdminOrg {
				once.Do(func() { mustRun(t, dir, "", "set", "github", "--username", "someone", "--no-check") })
			}
			return true
		})
		setBehind(t, dir, providers.GitHub, u, fake.GitHubTokenFull)
		r := gitopscfg(t, dir, fake.GitHubTokenNoAdminOrg, nil, "rotate", "github", "--token-stdin")
		out := r.out + r.err
		if r.code != 2 || !strings.Contains(out, "✗ save:") || !strings.Contains(out, "Nothing saved") {
			t.Fatalf("exit %d\n%s", r.code, out)
		}
		if _, user, _, rotated := statusOf(t, dir, "github"); rotated || user != "someone" {
			t.Fatalf("rotated %v, user %s", rotated, user)
		}
	})
}

// TestRotatePushesToTheStoredDevtron: with a Devtron instance stored, rotate pushes the new token
// there after the save; a refusal fails the step and leaves the new token in the store.
func TestRotatePushesToTheStoredDevtron(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	dt := kit.Devtron(t, devtronfake.Options{Tokens: map[string]bool{devtronCanary: true}})
	dir := initStore(t)
	setOnEmulator(t, dir, e, providers.GitHub, fake.GitHubTokenFull, "--activate")
	mustRun(t, dir, devtronCanary, "devtron", "set", "--url", dt.URL(), "--token-stdin")
	r := gitopscfg(t, dir, fake.GitHubTokenNoAdminOrg, nil, "rotate", "github", "--token-stdin")
	noTokens(t, r.out+r.err, fake.GitHubTokenFull, fake.GitHubTokenNoAdminOrg, devtronCanary)
	if rows := dt.Rows(); r.code != 0 || !strings.Contains(r.out, "✓ push: Devtron has the new token") || len(rows) != 1 || rows[0].Token != fake.GitHubTokenNoAdminOrg {
		t.Fatalf("exit %d, Devtron holds %d rows\n%s\n%s", r.code, len(rows), r.out, r.err)
	}
	dt.FailStages(map[string]string{"Push": "authentication required"})
	r = gitopscfg(t, dir, fake.GitHubTokenFull, nil, "rotate", "github", "--token-stdin")
	noTokens(t, r.out+r.err, fake.GitHubTokenFull, fake.GitHubTokenNoAdminOrg, devtronCanary)
	if r.code != 1 || !strings.Contains(r.out, "✗ push:") || !strings.Contains(r.out, "Devtron still has the old one") {
		t.Fatalf("refused push: exit %d\n%s\n%s", r.code, r.out, r.err)
	}
	if _, _, _, rotated := statusOf(t, dir, "github"); !rotated {
		t.Fatal("the new token was not kept after the refused push")
	}
}
