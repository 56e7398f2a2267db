package cli_test

import (
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/platforms/devtronfake"
)

// devtron set takes the network flags too: the instance's check goes through its own proxy (a
// CONNECT tunnel with the proxy's credentials) and says so; --proxy "" goes back to none.
func TestDevtronSetWithAProxy(t *testing.T) {
	t.Parallel()
	const tok = "devtron-CANARY-proxy-admin-token-0000091"
	const pw = "Devtron-proxy-pw-5521"
	dt := kit.Devtron(t, devtronfake.Options{Tokens: map[string]bool{tok: true}})
	px := kit.StartProxy(t)
	dir := initStore(t)
	r := gitopscfg(t, dir, tok+"\n", []string{"GITOPSCFG_PROXY_PASSWORD=" + pw}, "devtron", "set", "--url", dt.URL(), "--token-stdin",
		"--proxy", px.URL(), "--proxy-username", "alice")
	if r.code != 0 || !strings.Contains(r.out, "Devtron — "+dt.URL()+"/ via "+px.Addr) {
		t.Fatalf("devtron set through the proxy: exit %d\n%s%s", r.code, r.out, r.err)
	}
	heads := px.Heads()
	if len(heads) == 0 || !strings.HasPrefix(heads[0], "CONNECT "+strings.TrimPrefix(dt.URL(), "http://")+" ") || strings.Contains(strings.Join(heads, ""), tok) {
		t.Fatalf("the proxy saw %q", heads)
	}
	r = gitopscfg(t, dir, "", nil, "devtron", "set", "--proxy", "")
	if r.code != 0 || strings.Contains(r.out, " via ") {
		t.Fatalf("devtron set --proxy \"\": exit %d\n%s%s", r.code, r.out, r.err)
	}
	if strings.Contains(r.out+r.err, pw) || strings.Contains(r.out+r.err, tok) {
		t.Fatal("a secret shows")
	}
}
