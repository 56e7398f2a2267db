package cli_test

import (
	"encoding/json"
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// The command line's proxy contract: set --proxy/--proxy-username with the password from
// GITOPSCFG_PROXY_PASSWORD, the live check and status naming the proxy ("via host:port", and
// check --json's "proxy"), a proxy URL holding a password refused, --proxy "" clearing the proxy
// and its credentials. The proxy password never shows.
func TestSetWithAProxy(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	px := kit.StartProxy(t)
	dir := initStore(t)
	const pw = "Proxy-pw-8812-secret"
	host := emu.URL(providers.GitHub) + "/"
	base := []string{"set", "github", "--host", host, "--org", fake.GitHubOrg, "--username", fake.GitHubUser, "--token-stdin"}
	var seen strings.Builder
	runEnv := func(stdin string, env []string, args ...string) run {
		t.Helper()
		r := gitopscfg(t, dir, stdin, env, args...)
		seen.WriteString(r.out + r.err)
		return r
	}

	r := runEnv(fake.GitHubTokenFull+"\n", nil, append(base, "--proxy", "http://alice:"+pw+"@"+px.Addr)...)
	if r.code != 2 || !strings.Contains(r.err, "holds a password") || !strings.Contains(r.err, "GITOPSCFG_PROXY_PASSWORD") {
		t.Fatalf("a proxy URL with a password: exit %d\n%s%s", r.code, r.out, r.err)
	}
	r = runEnv(fake.GitHubTokenFull+"\n", nil, append(base, "--proxy", px.URL(), "--proxy-username", "alice")...)
	if r.code != 2 || !strings.Contains(r.err, "GITOPSCFG_PROXY_PASSWORD") {
		t.Fatalf("--proxy-username without a password and no terminal: exit %d\n%s%s", r.code, r.out, r.err)
	}
	r = runEnv(fake.GitHubTokenFull+"\n", []string{"GITOPSCFG_PROXY_PASSWORD=" + pw}, append(base, "--proxy", px.URL(), "--proxy-username", "alice")...)
	if r.code != 0 || !strings.Contains(r.out, host+" via "+px.Addr) {
		t.Fatalf("set through the proxy: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if len(px.Heads()) == 0 || !strings.Contains(px.Heads()[0], "Proxy-Authorization: Basic") {
		t.Fatalf("the proxy saw %q", px.Heads())
	}

	r = runEnv("", nil, "check", "github", "--json")
	var checked struct {
		Results []struct {
			Proxy *string `json:"proxy"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(r.out), &checked); err != nil || len(checked.Results) != 1 || checked.Results[0].Proxy == nil || *checked.Results[0].Proxy != px.URL() {
		t.Fatalf("check --json: exit %d, %v\n%s", r.code, err, r.out)
	}
	if r = runEnv("", nil, "status"); !strings.Contains(r.out, "GitHub: via "+px.Addr) {
		t.Fatalf("status does not name the proxy:\n%s", r.out)
	}
	var named struct {
		Providers []struct {
			Proxy *string `json:"proxy"`
		} `json:"providers"`
	}
	if r = runEnv("", nil, "status", "--json"); json.Unmarshal([]byte(r.out), &named) != nil || len(named.Providers) == 0 ||
		named.Providers[0].Proxy == nil || *named.Providers[0].Proxy != px.URL() {
		t.Fatalf("status --json does not name the proxy:\n%s", r.out)
	}

	// --proxy "" clears the proxy, its credentials and its no-proxy list.
	if r = runEnv("", nil, "set", "github", "--proxy", "", "--no-check"); r.code != 0 {
		t.Fatalf("--proxy \"\": exit %d\n%s%s", r.code, r.out, r.err)
	}
	r = runEnv("", nil, "status", "--json")
	var st struct {
		Providers []struct {
			Proxy *string `json:"proxy"`
		} `json:"providers"`
		Audit []struct {
			Fields []string `json:"fields"`
		} `json:"audit"`
	}
	if err := json.Unmarshal([]byte(r.out), &st); err != nil || st.Providers[0].Proxy != nil {
		t.Fatalf("status --json after --proxy \"\": %v\n%s", err, r.out)
	}
	if got := strings.Join(st.Audit[len(st.Audit)-1].Fields, ","); got != "proxy,proxy_username,proxy_password" {
		t.Errorf("audit fields %q, want proxy,proxy_username,proxy_password", got)
	}
	r = runEnv("", nil, "check", "github", "--json")
	if err := json.Unmarshal([]byte(r.out), &checked); err != nil || checked.Results[0].Proxy != nil {
		t.Fatalf("check --json after --proxy \"\": %v\n%s", err, r.out)
	}
	if strings.Contains(seen.String(), pw) || strings.Contains(seen.String(), fake.GitHubTokenFull) {
		t.Fatalf("a secret shows in the output:\n%s", seen.String())
	}
}
