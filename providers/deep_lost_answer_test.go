package providers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// holdCreateAnswer is a proxy in front of an emulator that forwards a repository creation and
// then never answers it: the server creates the repository, the client times out.
func holdCreateAnswer(t *testing.T, target string, isCreate func(*http.Request) bool) *httptest.Server {
	t.Helper()
	u, _ := url.Parse(target)
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isCreate(r) {
			proxy.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		proxy.ServeHTTP(rec, r.WithContext(context.WithoutCancel(r.Context())))
		<-r.Context().Done() // the answer is lost
	}))
	t.Cleanup(srv.Close)
	return srv
}

// A creation whose answer never arrives may still have created the repository: the round trip
// looks it up and deletes it instead of reporting "no repository was created".
func TestRoundTripDeletesARepositoryCreatedWithoutAnAnswer(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	cases := []struct {
		id       providers.ID
		token    string
		isCreate func(*http.Request) bool
	}{
		{providers.GitHub, fake.GitHubTokenFull, func(r *http.Request) bool {
			return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/orgs/"+fake.GitHubOrg+"/repos")
		}},
		{providers.Bitbucket, fake.BitbucketTokenFull, func(r *http.Request) bool {
			return r.Method == http.MethodPost && strings.Contains(r.URL.Path, "/repositories/")
		}},
	}
	for _, c := range cases {
		creds := emu.Credentials(c.id, c.token)
		proxy := holdCreateAnswer(t, emu.URL(c.id), c.isCreate)
		creds.APIURL = strings.Replace(creds.APIURL, emu.URL(c.id), proxy.URL, 1)
		creds.Host = strings.Replace(creds.Host, emu.URL(c.id), proxy.URL, 1)
		env := providers.NewEnv("test")
		env.Timeout = 1500 * time.Millisecond
		r := providers.RunDeep(context.Background(), env, creds, nil)
		create, _ := r.Find(providers.CheckDeepCreate)
		del, _ := r.Find(providers.CheckDeepDelete)
		if create.Status != providers.Fail || !strings.Contains(create.Message, "created all the same") {
			t.Errorf("%s deep:create: %s %q", c.id, create.Status, create.Message)
		}
		if del.Status != providers.Pass {
			t.Errorf("%s deep:delete: %s %q", c.id, del.Status, del.Message)
		}
		for _, name := range emu.Repos(c.id) {
			if strings.HasPrefix(name, providers.RepoPrefix) {
				t.Errorf("%s: repository %s left behind", c.id, name)
			}
		}
	}
}

// When the lost creation cannot be looked up either, deep:delete fails and names the repository
// that may be left over, rather than being skipped as if nothing had been created.
func TestRoundTripNamesARepositoryItCannotLookUp(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	u, _ := url.Parse(emu.URL(providers.GitHub))
	proxy := httputil.NewSingleHostReverseProxy(u)
	created := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/repos"):
			proxy.ServeHTTP(httptest.NewRecorder(), r.WithContext(context.WithoutCancel(r.Context())))
			close(created)
			<-r.Context().Done()
		case strings.Contains(r.URL.Path, "/repos/"):
			select {
			case <-created:
				http.Error(w, `{"message":"Server Error"}`, http.StatusServiceUnavailable)
				return
			default:
			}
			proxy.ServeHTTP(w, r)
		default:
			proxy.ServeHTTP(w, r)
		}
	}))
	defer srv.Close()
	creds := emu.Credentials(providers.GitHub, fake.GitHubTokenFull)
	creds.Host = strings.Replace(creds.Host, emu.URL(providers.GitHub), srv.URL, 1)
	creds.APIURL = strings.Replace(creds.APIURL, emu.URL(providers.GitHub), srv.URL, 1)
	env := providers.NewEnv("test")
	env.Timeout = 1500 * time.Millisecond
	r := providers.RunDeep(context.Background(), env, creds, nil)
	del, _ := r.Find(providers.CheckDeepDelete)
	left := emu.Repos(providers.GitHub)
	var name string
	for _, n := range left {
		if strings.HasPrefix(n, providers.RepoPrefix) {
			name = n
		}
	}
	if name == "" {
		t.Fatal("the proxy did not let the creation through")
	}
	if del.Status != providers.Fail || !strings.Contains(del.Message, fake.GitHubOrg+"/"+name) || !strings.Contains(del.Message, "delete_repo") {
		t.Fatalf("deep:delete: %s %q; want a failure naming %s and the permission", del.Status, del.Message, name)
	}
}

// hangUpOnCreate is a proxy in front of an emulator that hangs up on a repository creation
// without answering (the client reads EOF): after forwarding it to the emulator when forward is
// set, else before. Git's own POSTs (…-pack) pass.
func hangUpOnCreate(t *testing.T, target string, forward bool) *httptest.Server {
	t.Helper()
	u, _ := url.Parse(target)
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || strings.HasSuffix(r.URL.Path, "-pack") {
			proxy.ServeHTTP(w, r)
			return
		}
		if forward {
			rec := httptest.NewRecorder()
			proxy.ServeHTTP(rec, r)
			if rec.Code >= 300 {
				t.Errorf("the emulator refused the creation: %d %s", rec.Code, rec.Body)
			}
		}
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		_ = conn.Close()
	}))
	t.Cleanup(srv.Close)
	return srv
}

// A creation whose connection is closed before the answer (EOF) reached the server: the round
// trip says so (not "cannot reach"), says the repository may have been created, and looks.
func TestRoundTripSaysALostCreateAnswerMayHaveCreated(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	for _, id := range providers.IDs {
		if id == providers.GitServer {
			continue // no API: its round trip never creates a repository
		}
		for _, forward := range []bool{true, false} {
			creds := emu.DemoCredentials(id)
			proxy := hangUpOnCreate(t, emu.URL(id), forward)
			creds.APIURL = strings.Replace(creds.APIURL, emu.URL(id), proxy.URL, 1)
			creds.Host = strings.Replace(creds.Host, emu.URL(id), proxy.URL, 1)
			env := providers.NewEnv("test")
			env.Timeout = 10 * time.Second
			r := providers.RunDeep(context.Background(), env, creds, nil)
			create, _ := r.Find(providers.CheckDeepCreate)
			del, _ := r.Find(providers.CheckDeepDelete)
			what := fmt.Sprintf("%s (created before the hang-up: %v)", id, forward)
			if create.Status != providers.Fail || strings.Contains(create.Message, "cannot reach") ||
				!strings.Contains(create.Message, "the request reached it, so the repository may have been created") {
				t.Errorf("%s deep:create: %s %q; want the lost answer and that it may have been created", what, create.Status, create.Message)
			}
			switch {
			case forward && (!strings.Contains(create.Message, "created all the same") || del.Status != providers.Pass):
				t.Errorf("%s: deep:create %q, deep:delete %s %q; want it found and deleted", what, create.Message, del.Status, del.Message)
			case !forward && (!strings.Contains(create.Message, "found none") || del.Status != providers.Skip):
				t.Errorf("%s: deep:create %q, deep:delete %s; want it looked up and not found", what, create.Message, del.Status)
			}
			for _, name := range emu.Repos(id) {
				if strings.HasPrefix(name, providers.RepoPrefix) {
					t.Errorf("%s: repository %s left behind", what, name)
				}
			}
		}
	}
}
