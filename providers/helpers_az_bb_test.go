package providers_test

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// Helpers shared by the Azure DevOps and Bitbucket tests (prefixed azbb so they do not collide
// with the other providers' helpers in this package).

var (
	azbbOnce sync.Once
	azbbEmu  *fake.Emulators
	azbbErr  error
)

// azbbEmulators returns emulators shared by every test of the binary; they are left running
// until the process exits, since tests of this package run in parallel.
func azbbEmulators(t testing.TB) *fake.Emulators {
	t.Helper()
	azbbOnce.Do(func() { azbbEmu, azbbErr = fake.Start(fake.Options{}) })
	if azbbErr != nil {
		t.Fatalf("start emulators: %v", azbbErr)
	}
	return azbbEmu
}

// azbbNow is after Bitbucket removed app passwords (2026-07-28).
var azbbNow = time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)

func azbbEnv(timeout time.Duration) *providers.Env {
	env := providers.NewEnv("test")
	env.Timeout = timeout
	env.Now = func() time.Time { return azbbNow }
	return env
}

// azbbWant is what one check of a result must be: its status, and words its message contains.
type azbbWant struct {
	status providers.Status
	words  []string
}

func azbbW(st providers.Status, words ...string) azbbWant { return azbbWant{status: st, words: words} }

// azbbAssert checks the result's checks against want (by id), that it is OK exactly when no
// check failed, and that the token appears nowhere in it.
func azbbAssert(t *testing.T, r providers.Result, token string, wants map[string]azbbWant) {
	t.Helper()
	for id, w := range wants {
		c, ok := r.Find(id)
		if !ok {
			t.Errorf("no %q check; checks: %s", id, azbbDump(r))
			continue
		}
		if c.Status != w.status {
			t.Errorf("%s: status %s, want %s (%s)", id, c.Status, w.status, c.Message)
		}
		for _, word := range w.words {
			if !strings.Contains(c.Message, word) {
				t.Errorf("%s: message lacks %q: %s", id, word, c.Message)
			}
		}
		if c.Status == providers.Fail && len(c.Message) < 40 {
			t.Errorf("%s: failing message too terse to act on: %q", id, c.Message)
		}
	}
	failed := false
	for _, c := range r.Checks {
		failed = failed || c.Status == providers.Fail
	}
	if r.OK == failed {
		t.Errorf("OK = %v with failed checks = %v: %s", r.OK, failed, azbbDump(r))
	}
	azbbNoToken(t, r, token)
}

// azbbNoToken fails if the token (or its longest fault-free part) appears in the result's JSON.
func azbbNoToken(t *testing.T, r providers.Result, token string) {
	t.Helper()
	raw, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{token, strings.Split(token, "-fault")[0]} {
		if len(secret) >= 8 && strings.Contains(string(raw), secret) {
			t.Errorf("the token leaks into the result: %s", raw)
		}
	}
}

func azbbDump(r providers.Result) string {
	var b strings.Builder
	for _, c := range r.Checks {
		b.WriteString("\n  " + c.ID + " " + string(c.Status) + ": " + c.Message)
	}
	return b.String()
}

func azbbRun(t testing.TB, env *providers.Env, c providers.Credentials) providers.Result {
	t.Helper()
	return providers.Run(context.Background(), env, c)
}

// azbbNetworkFailure asserts a result is a failing network check naming host, reached within
// the deadline.
func azbbNetworkFailure(t *testing.T, r providers.Result, took, deadline time.Duration, host string, words ...string) {
	t.Helper()
	if r.OK {
		t.Fatalf("unreachable host passed: %s", azbbDump(r))
	}
	c, ok := r.Find(providers.CheckNetwork)
	if !ok || c.Status != providers.Fail {
		t.Fatalf("no failing network check: %s", azbbDump(r))
	}
	if !strings.Contains(c.Message, host) {
		t.Errorf("network message does not name %s: %s", host, c.Message)
	}
	for _, w := range words {
		if !strings.Contains(c.Message, w) {
			t.Errorf("network message lacks %q: %s", w, c.Message)
		}
	}
	if took > deadline+2*time.Second {
		t.Errorf("took %v, deadline %v", took, deadline)
	}
}

// azbbTLSServer is an HTTPS server whose certificate no system root trusts (handshake errors are
// not logged).
func azbbTLSServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}
