package providers_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// The Gitea round trip keeps the guarantees of the other four: a creation whose answer is lost
// is looked up and deleted, Ctrl-C during the round trip still deletes, and the token goes only
// to the configured host.

func TestGiteaRoundTripDeletesARepositoryCreatedWithoutAnAnswer(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	proxy := holdCreateAnswer(t, emu.URL(providers.Gitea), func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/orgs/"+fake.GiteaOrg+"/repos")
	})
	creds := emu.Credentials(providers.Gitea, fake.GiteaTokenFull)
	creds.Host, creds.APIURL = proxy.URL+"/", proxy.URL+"/api/v1"
	env := providers.NewEnv("test")
	env.Timeout = 1500 * time.Millisecond
	r := providers.RunDeep(context.Background(), env, creds, nil)
	create, _ := r.Find(providers.CheckDeepCreate)
	del, _ := r.Find(providers.CheckDeepDelete)
	if create.Status != providers.Fail || !strings.Contains(create.Message, "created all the same") {
		t.Errorf("deep:create: %s %q", create.Status, create.Message)
	}
	if del.Status != providers.Pass {
		t.Errorf("deep:delete: %s %q", del.Status, del.Message)
	}
	if left := prefixedRepos(emu, providers.Gitea); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

func TestGiteaRoundTripCleansUpWhenCancelled(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	creds := emu.Credentials(providers.Gitea, fake.GiteaTokenFull)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, _ := deepRun(t, ctx, deepEnv(), creds, func(c providers.Check) {
		if c.ID == providers.CheckDeepPush && c.Status == providers.Running {
			cancel() // Ctrl-C while pushing
		}
	})
	if del, _ := r.Find(providers.CheckDeepDelete); del.Status != providers.Pass {
		t.Errorf("deep:delete after cancel: %s %q%s", del.Status, del.Message, dumpResult(r))
	}
	if push, _ := r.Find(providers.CheckDeepPush); push.Status != providers.Fail {
		t.Errorf("deep:push after cancel: %s %q", push.Status, push.Message)
	}
	if left := prefixedRepos(emu, providers.Gitea); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// A server whose API answers a clone URL on another host gets no token over Git: the clone is
// refused and the repository deleted.
func TestGiteaRoundTripRefusesACloneURLOnAnotherHost(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	var gitElsewhere atomic.Int64
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gitElsewhere.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(elsewhere.Close)
	u, _ := url.Parse(emu.URL(providers.Gitea))
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.Method != http.MethodPost {
			return nil
		}
		raw, _ := io.ReadAll(resp.Body)
		raw = bytes.ReplaceAll(raw, []byte(`"clone_url":"http://`+resp.Request.Host), []byte(`"clone_url":"`+elsewhere.URL))
		resp.Body = io.NopCloser(bytes.NewReader(raw))
		resp.ContentLength = int64(len(raw))
		resp.Header.Set("Content-Length", strconv.Itoa(len(raw)))
		return nil
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	creds := emu.Credentials(providers.Gitea, fake.GiteaTokenFull)
	creds.Host, creds.APIURL = srv.URL+"/", srv.URL+"/api/v1"
	r, _ := deepRun(t, context.Background(), deepEnv(), creds, nil)
	deepWant(t, r, "pass fail skip skip pass", map[string][]string{providers.CheckDeepClone: {"refusing to send the token there"}})
	if n := gitElsewhere.Load(); n != 0 {
		t.Errorf("the other host got %d requests", n)
	}
	if left := prefixedRepos(emu, providers.Gitea); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

func TestGiteaAPIBaseAndTokenURL(t *testing.T) {
	for host, want := range map[string]string{
		"https://gitea.example.com/":     "https://gitea.example.com/api/v1",
		"https://codeberg.org":           "https://codeberg.org/api/v1",
		"https://example.com/git/":       "https://example.com/git/api/v1",
		"http://127.0.0.1:3000/sub/path": "http://127.0.0.1:3000/sub/path/api/v1",
	} {
		got, err := providers.APIBase(providers.Gitea, host, "")
		if err != nil || got != want {
			t.Errorf("APIBase(%q) = %q, %v; want %q", host, got, err, want)
		}
	}
	p := providers.MustLookup(providers.Gitea)
	if got := p.TokenURL("https://codeberg.org/"); got != "https://codeberg.org/user/settings/applications" {
		t.Errorf("TokenURL = %q", got)
	}
	if p.DefaultHost != "" {
		t.Errorf("Gitea has a default host %q; it is self-hosted only", p.DefaultHost)
	}
}

// A token the server no longer knows fails auth and skips the rest; a hint shows only its last four characters.
func TestGiteaDeletedTokenAndNoLeak(t *testing.T) {
	t.Parallel()
	emu := sharedEmulators(t)
	r := runCheck(t, envWithTimeout(10*time.Second), emu.Credentials(providers.Gitea, fake.GiteaTokenDeleted))
	assertResult(t, r, wants{
		providers.CheckAuth: expect(providers.Fail, "HTTP 401", "invalid username, password or token", "/user/settings/applications"),
		providers.CheckOrg:  expect(providers.Skip),
	})
	if h := providers.TokenHint(fake.GiteaTokenFull); h != "…"+fake.GiteaTokenFull[36:] {
		t.Errorf("hint %q: Gitea tokens have no prefix, so the hint is … and the last four characters", h)
	}
}
