package fake_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// TestFaultsThatTestWhereTheTokenGoes: the echo fault puts the presented token into the body and
// headers; the redirect fault points at Elsewhere; the stray-clone fault names Elsewhere in a
// creation's answer only; the request logs record every request, and Elsewhere's what reached it.
func TestFaultsThatTestWhereTheTokenGoes(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	gh := e.URL(providers.GitHub) + "/api/v3"

	tok := fake.GitHubTokenFull + fake.MarkEcho
	a := get(t, gh+"/user", "", tok)
	if a.status != 400 || !strings.Contains(string(a.body), tok) || !strings.Contains(a.header.Get("WWW-Authenticate"), tok) {
		t.Errorf("echo: %d %v %s", a.status, a.header, a.body)
	}
	if dec, _ := url.PathUnescape(a.header.Get("X-TFS-ServiceError")); !strings.Contains(dec, tok) {
		t.Errorf("echo: X-TFS-ServiceError %q", a.header.Get("X-TFS-ServiceError"))
	}

	tok = fake.GitHubTokenFull + fake.MarkEchoWrite
	if a := get(t, gh+"/user", "", tok); a.status != 200 {
		t.Errorf("echo on writes: a read got %d %s", a.status, a.body)
	}
	if a := apiSend(t, http.MethodPost, gh+"/orgs/acme/repos", "", tok, map[string]any{"name": "x", "private": true}); a.status != 400 ||
		!strings.Contains(string(a.body), tok) {
		t.Errorf("echo on writes: a write got %d %s", a.status, a.body)
	}

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest(http.MethodGet, gh+"/user?x=1", nil)
	req.Header.Set("Authorization", "Bearer "+fake.GitHubTokenFull+fake.MarkRedirect)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusTemporaryRedirect || resp.Header.Get("Location") != e.Elsewhere()+"/api/v3/user?x=1" {
		t.Errorf("redirect: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	tok = fake.GitHubTokenFull + fake.MarkStrayClone
	elsewhere := strings.TrimPrefix(e.Elsewhere(), "http://")
	a = apiSend(t, http.MethodPost, gh+"/orgs/acme/repos", "", tok, map[string]any{"name": "stray", "private": true})
	if m := a.json(t); a.status != 201 || !strings.HasPrefix(m["clone_url"].(string), "http://"+elsewhere+"/") {
		t.Errorf("stray clone: %d %v", a.status, m)
	}
	if a := get(t, gh+"/repos/acme/stray", "", tok); a.status != 200 || strings.Contains(string(a.body), elsewhere) {
		t.Errorf("stray clone: a read names Elsewhere too: %d %s", a.status, a.body)
	}

	if got := e.ElsewhereRequests(); len(got) != 0 {
		t.Errorf("Elsewhere received %+v", got)
	}
	a = get(t, e.Elsewhere()+"/anything", "x", "secret")
	if got := e.ElsewhereRequests(); a.status != 404 || len(got) != 1 || got[0].Path != "/anything" || !got[0].Credentials {
		t.Errorf("Elsewhere's log: %+v", got)
	}
	log := e.Requests(providers.GitHub)
	if len(log) != 6 || log[0].Method != http.MethodGet || log[0].Path != "/api/v3/user" || !log[0].Credentials ||
		log[4].Method != http.MethodPost || log[3].Query != "x=1" {
		t.Errorf("GitHub's request log: %+v", log)
	}
	if n := len(e.Requests(providers.GitLab)); n != 0 {
		t.Errorf("GitLab's log has %d requests", n)
	}
}
