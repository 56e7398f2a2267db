package providers_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// Helpers for the direct tests of the Azure DevOps and Bitbucket repository lifecycles.

// azbbRepoName is a fresh throw-away repository name, as the round trip makes them.
func azbbRepoName(t testing.TB) string {
	t.Helper()
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	var b [6]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return providers.RepoPrefix + string(b[:])
}

// azbbRepos returns the repository lifecycle for c on the shared emulators.
func azbbRepos(t testing.TB, c providers.Credentials) providers.AzbbRepoAPI {
	t.Helper()
	api, r := providers.AzbbNewRepoAPI(azbbEnv(10*time.Second), c)
	if r != nil {
		t.Fatalf("no repository lifecycle: %s", azbbDump(*r))
	}
	return api
}

func azbbCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// azbbAPIError asserts err is an *APIError with the given status whose message holds every word
// and not the token.
func azbbAPIError(t *testing.T, err error, status int, token string, words ...string) *providers.APIError {
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

// azbbGone asserts the emulator of id holds no repository named name.
func azbbGone(t *testing.T, emu *fake.Emulators, id providers.ID, name string) {
	t.Helper()
	if slices.Contains(emu.Repos(id), name) {
		t.Errorf("repository %s left behind on the %s emulator: %v", name, id, emu.Repos(id))
	}
}

// azbbCleanup deletes r with full-access credentials when the test ends.
func azbbCleanup(t *testing.T, full providers.AzbbRepoAPI, r providers.Repo) {
	t.Helper()
	t.Cleanup(func() {
		if err := full.Delete(context.Background(), r); err != nil {
			t.Errorf("clean-up: %v", err)
		}
	})
}

// azbbSendJSON GETs rawURL with Basic auth and the token, and decodes the JSON object answered.
func azbbSendJSON(t *testing.T, rawURL, token string) map[string]any {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("x", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: HTTP %d, %v", rawURL, resp.StatusCode, err)
	}
	return m
}
