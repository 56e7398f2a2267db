package providers_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// Test helpers shared by the tests of every provider.

var (
	sharedOnce sync.Once
	sharedEmu  *fake.Emulators
	sharedErr  error
)

// sharedEmulators returns emulators shared by every test of the binary; they are left running
// until the process exits, since tests of this package run in parallel.
func sharedEmulators(t testing.TB) *fake.Emulators {
	t.Helper()
	sharedOnce.Do(func() { sharedEmu, sharedErr = fake.Start(fake.Options{}) })
	if sharedErr != nil {
		t.Fatalf("start emulators: %v", sharedErr)
	}
	return sharedEmu
}

// envWithTimeout is a fresh environment (its own connection pool) with the given check timeout.
func envWithTimeout(timeout time.Duration) *providers.Env {
	env := providers.NewEnv("test")
	env.Timeout = timeout
	return env
}

// afterAppPasswords is after Bitbucket removed app passwords (2026-07-28).
var afterAppPasswords = time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)

// atAfterAppPasswords sets env's clock to afterAppPasswords and returns env.
func atAfterAppPasswords(env *providers.Env) *providers.Env {
	env.Now = func() time.Time { return afterAppPasswords }
	return env
}

// runCheck runs one check and asserts, whatever the scenario, that no part of the result — JSON
// included — carries the token.
func runCheck(t testing.TB, env *providers.Env, c providers.Credentials) providers.Result {
	t.Helper()
	r := providers.Run(context.Background(), env, c)
	assertNoToken(t, r, c.Token)
	return r
}

// tokenCanaries are the token and distinctive parts of it: its inner part (a long token) and the
// part before a fault marker.
func tokenCanaries(tok string) []string {
	canaries := []string{tok}
	if len(tok) >= 24 {
		canaries = append(canaries, tok[8:len(tok)-4])
	}
	if before, _, found := strings.Cut(tok, "-fault"); found && len(before) >= 8 {
		canaries = append(canaries, before)
	}
	return canaries
}

// assertNoToken fails when the token (or a distinctive part of it) shows up in the result's JSON.
func assertNoToken(t testing.TB, r providers.Result, tok string) {
	t.Helper()
	raw, err := json.Marshal(r)
	if err != nil {
		t.Fatalf("marshal result: %v", err)
	}
	for _, c := range tokenCanaries(tok) {
		if strings.Contains(string(raw), c) {
			t.Fatalf("the result carries the token (%q): %s", providers.TokenHint(tok), raw)
		}
	}
}

// want is what one check (or round-trip stage) must be: its status, and words its message
// contains.
type want struct {
	status providers.Status
	words  []string
}

func expect(st providers.Status, words ...string) want { return want{status: st, words: words} }

// wants are the expected checks of a result, by check id.
type wants map[string]want

// plus is a copy of ws with the checks of more added (or replaced).
func (ws wants) plus(more wants) wants {
	out := wants{}
	for k, v := range ws {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

// assertResult checks the wanted checks of r (a failing one with a message long enough to act
// on), that every failing check has a message, and that r is OK exactly when no check failed.
func assertResult(t *testing.T, r providers.Result, ws wants) {
	t.Helper()
	for id, w := range ws {
		c, found := r.Find(id)
		if !found {
			t.Errorf("no %q check in %s", id, dumpResult(r))
			continue
		}
		if c.Status != w.status {
			t.Errorf("check %q: status %s, want %s (message: %s)", id, c.Status, w.status, c.Message)
		}
		for _, word := range w.words {
			if !strings.Contains(c.Message, word) {
				t.Errorf("check %q: message lacks %q: %s", id, word, c.Message)
			}
		}
		if c.Status == providers.Fail && len(c.Message) < 40 {
			t.Errorf("check %q: failing message too terse to act on: %q", id, c.Message)
		}
	}
	failed := false
	for _, c := range r.Checks {
		if c.Status == providers.Fail {
			failed = true
			if strings.TrimSpace(c.Message) == "" {
				t.Errorf("failing check %q has no message", c.ID)
			}
		}
	}
	if r.OK == failed {
		t.Errorf("OK = %v with failed checks = %v: %s", r.OK, failed, dumpResult(r))
	}
}

// assertOK checks that r.OK is ok.
func assertOK(t *testing.T, r providers.Result, ok bool) {
	t.Helper()
	if r.OK != ok {
		t.Errorf("ok = %v, want %v: %s", r.OK, ok, dumpResult(r))
	}
}

// dumpResult lists the checks of r, one a line: id, status, duration (-1: none) and message.
func dumpResult(r providers.Result) string {
	var b strings.Builder
	for _, ch := range r.Checks {
		d := int64(-1)
		if ch.DurationMS != nil {
			d = *ch.DurationMS
		}
		fmt.Fprintf(&b, "\n  %-12s %-5s %4dms %s", ch.ID, ch.Status, d, ch.Message)
	}
	return b.String()
}

// assertNetworkFailure asserts a result is one failing network check naming host (and words), with
// no passing check at all, reached within a second beyond the deadline.
func assertNetworkFailure(t *testing.T, r providers.Result, took, deadline time.Duration, host string, words ...string) {
	t.Helper()
	if r.OK {
		t.Fatalf("unreachable host passed: %s", dumpResult(r))
	}
	if c, ok := r.Find(providers.CheckNetwork); !ok || c.Status != providers.Fail {
		t.Fatalf("no failing network check: %s", dumpResult(r))
	}
	assertResult(t, r, wants{providers.CheckNetwork: expect(providers.Fail, append([]string{host}, words...)...)})
	for _, c := range r.Checks {
		if c.Status == providers.Pass {
			t.Errorf("check %q passed although the host could not be reached: %s", c.ID, c.Message)
		}
	}
	if took > deadline+time.Second {
		t.Errorf("took %v, beyond the %v deadline", took, deadline)
	}
}

// tlsServer is an HTTPS server for handler whose certificate no system root trusts (the refused
// handshakes are not logged).
func tlsServer(t *testing.T, handler http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(handler)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// refusedAddr is a loopback address nothing listens on.
func refusedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// nonLoopbackIP returns an IPv4 address of this machine that is not loopback, or "".
func nonLoopbackIP() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return ""
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	return ""
}

// countingListener counts the connections it accepts.
type countingListener struct {
	net.Listener
	accepted atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepted.Add(1)
	}
	return c, err
}

// Repository lifecycles (the repoAPI behind the round trip), driven directly.

// repoName is a fresh throw-away repository name, as the round trip makes them.
func repoName(t testing.TB) string {
	t.Helper()
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	var b [6]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return providers.RepoPrefix + string(b[:])
}

// repoAPI returns the repository lifecycle for c.
func repoAPI(t testing.TB, c providers.Credentials) providers.RepoAPI {
	t.Helper()
	api, r := providers.NewRepoAPI(atAfterAppPasswords(envWithTimeout(10*time.Second)), c)
	if r != nil {
		t.Fatalf("no repository lifecycle: %s", dumpResult(*r))
	}
	return api
}

// testCtx is a context that ends after 10 seconds or with the test.
func testCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// assertAPIError asserts err is an *APIError with the given status whose message holds every word
// and not the token.
func assertAPIError(t *testing.T, err error, status int, token string, words ...string) *providers.APIError {
	t.Helper()
	var ae *providers.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an *APIError", err, err)
	}
	if ae.Status != status {
		t.Errorf("status %d, want %d: %s", ae.Status, status, ae.Msg)
	}
	for _, w := range words {
		if !strings.Contains(ae.Error(), w) {
			t.Errorf("message lacks %q: %s", w, ae.Error())
		}
	}
	if len(ae.Msg) < 60 {
		t.Errorf("message too terse to act on: %q", ae.Msg)
	}
	if strings.Contains(ae.Error(), token) {
		t.Errorf("the token leaks into the error: %s", ae.Error())
	}
	return ae
}

// assertGone asserts the emulator of id holds no repository named name.
func assertGone(t *testing.T, emu *fake.Emulators, id providers.ID, name string) {
	t.Helper()
	if slices.Contains(emu.Repos(id), name) {
		t.Errorf("repository %s left behind on the %s emulator: %v", name, id, emu.Repos(id))
	}
}

// assertCreateRefused asserts that creating a repository with the token of id's emulator is
// refused with status and every word in the error (and not the token), and leaves nothing behind.
func assertCreateRefused(t *testing.T, emu *fake.Emulators, id providers.ID, token string, status int, words ...string) {
	t.Helper()
	name := repoName(t)
	_, err := repoAPI(t, emu.Credentials(id, token)).Create(testCtx(t), name)
	assertAPIError(t, err, status, token, words...)
	assertGone(t, emu, id, name)
}

// deleteRefused creates a repository through api, which may create but is expected not to
// delete, has full delete it when the test ends, and returns it with the error of api's delete.
func deleteRefused(t *testing.T, api, full providers.RepoAPI) (providers.Repo, error) {
	t.Helper()
	ctx := testCtx(t)
	r, err := api.Create(ctx, repoName(t))
	if err != nil {
		t.Fatal(err)
	}
	deleteAtEnd(t, full, r)
	return r, api.Delete(ctx, r)
}

// deleteAtEnd deletes r with full-access credentials when the test ends.
func deleteAtEnd(t *testing.T, full providers.RepoAPI, r providers.Repo) {
	t.Helper()
	t.Cleanup(func() {
		if err := full.Delete(context.Background(), r); err != nil {
			t.Errorf("clean-up: %v", err)
		}
	})
}

// getJSON GETs rawURL with Basic auth (user and token) and decodes the JSON answered into v.
func getJSON(t *testing.T, rawURL, user, token string, v any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(user, token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: HTTP %d, %v", rawURL, resp.StatusCode, err)
	}
}

// Round trips (RunDeep: real HTTP and real Git).

// deepEnv is an env for round trips whose repositories take the given names in turn, then
// random ones.
func deepEnv(names ...string) *providers.Env {
	env := envWithTimeout(30 * time.Second)
	var mu sync.Mutex
	env.RepoNames = func() string {
		mu.Lock()
		defer mu.Unlock()
		if len(names) == 0 {
			return providers.RandomRepoName()
		}
		n := names[0]
		names = names[1:]
		return n
	}
	return env
}

// deepRun runs the round trip, collects progress, and asserts the invariants every round trip
// keeps: no token anywhere in the result or the progress, every stage present once with a
// duration, no "running" in the result.
func deepRun(t *testing.T, ctx context.Context, env *providers.Env, c providers.Credentials, onProgress func(providers.Check)) (providers.Result, []providers.Check) {
	t.Helper()
	var mu sync.Mutex
	var events []providers.Check
	r := providers.RunDeep(ctx, env, c, func(ch providers.Check) {
		mu.Lock()
		events = append(events, ch)
		mu.Unlock()
		if onProgress != nil {
			onProgress(ch)
		}
	})
	assertNoToken(t, r, c.Token)
	for _, id := range providers.DeepStages {
		n := 0
		for _, ch := range r.Checks {
			if ch.ID == id {
				n++
				if ch.DurationMS == nil {
					t.Errorf("%s has no duration", id)
				}
				if ch.Status == providers.Running {
					t.Errorf("%s is still running in the final result", id)
				}
			}
		}
		if n != 1 {
			t.Errorf("%s appears %d times in %s", id, n, dumpResult(r))
		}
	}
	raw, _ := json.Marshal(events)
	if strings.Contains(string(raw), c.Token) {
		t.Fatalf("the token leaked into progress: %s", raw)
	}
	return r, events
}

// deepWant asserts the statuses of the five stages (in DeepStages order), words in their messages,
// and that a failing stage says enough to act on (or that it was cancelled).
func deepWant(t *testing.T, r providers.Result, statuses string, words map[string][]string) {
	t.Helper()
	got := ""
	for _, id := range providers.DeepStages {
		ch, _ := r.Find(id)
		got += string(ch.Status) + " "
		if ch.Status == providers.Fail && len(ch.Message) < 60 && !strings.Contains(ch.Message, "cancelled") {
			t.Errorf("%s: failing message too terse to act on: %q", id, ch.Message)
		}
	}
	if strings.TrimSpace(got) != statuses {
		t.Fatalf("stages = %s, want %s\n%s", got, statuses, dumpResult(r))
	}
	for id, ws := range words {
		ch, _ := r.Find(id)
		for _, w := range ws {
			if !strings.Contains(ch.Message, w) {
				t.Errorf("%s message %q lacks %q", id, ch.Message, w)
			}
		}
	}
}

// prefixedRepos are the repositories of id on emu that a round trip made (or was given).
func prefixedRepos(emu *fake.Emulators, id providers.ID) []string {
	var out []string
	for _, n := range emu.Repos(id) {
		if strings.HasPrefix(n, providers.RepoPrefix) {
			out = append(out, n)
		}
	}
	return out
}
