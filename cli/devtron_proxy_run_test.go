package cli_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"gitopscfg/cli"
	"gitopscfg/e2e/kit"
	"gitopscfg/platforms/devtronfake"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
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
	r = gitopscfg(t, dir, "", nil, "status")
	if r.code != 0 || !strings.Contains(r.out, "\nDevtron "+dt.URL()+"\n  via "+px.Addr+"\n") {
		t.Fatalf("status names the instance's proxy: exit %d\n%s%s", r.code, r.out, r.err)
	}
	r = gitopscfg(t, dir, "", nil, "devtron", "set", "--proxy", "")
	if r.code != 0 || strings.Contains(r.out, " via ") {
		t.Fatalf("devtron set --proxy \"\": exit %d\n%s%s", r.code, r.out, r.err)
	}
	if strings.Contains(r.out+r.err, pw) || strings.Contains(r.out+r.err, tok) {
		t.Fatal("a secret shows")
	}
}

// devtron set --client-cert/--client-key: a Devtron behind a front demanding client
// certificates is checked with the instance's own certificate (its expiry a check of its own);
// without one the check names what is missing.
func TestDevtronSetWithAClientCertificate(t *testing.T) {
	t.Parallel()
	const tok = "devtron-CANARY-mtls-admin-token-00000092"
	serverCA, clientCA := kit.NewCA(t, "Server CA"), kit.NewCA(t, "Client CA")
	front := kit.MTLSServer(t, kit.Devtron(t, devtronfake.Options{Tokens: map[string]bool{tok: true}}), serverCA, clientCA)
	issued := clientCA.Client(t, "devtron-bot", time.Now().Add(-time.Hour), time.Now().Add(30*24*time.Hour))
	cert, key := issued.WriteFiles(t)
	dir := initStore(t)
	base := []string{"devtron", "set", "--url", front.URL, "--token-stdin", "--ca-bundle", serverCA.File(t)}
	r := gitopscfg(t, dir, tok+"\n", nil, base...)
	if r.code != 1 || !strings.Contains(r.out, "asks for a client certificate and none is set") {
		t.Fatalf("without a client certificate: exit %d\n%s%s", r.code, r.out, r.err)
	}
	r = gitopscfg(t, dir, tok+"\n", nil, append(base, "--client-cert", cert, "--client-key", key)...)
	if r.code != 0 || !strings.Contains(r.out, "the client certificate CN=devtron-bot (issued by CN=Client CA) is valid until") {
		t.Fatalf("with the client certificate: exit %d\n%s%s", r.code, r.out, r.err)
	}
	seen := r.out + r.err
	// The instance's certificate has a metric of its own (check needs a credential to check).
	emu := kit.Emulators(t, fake.Options{})
	if r = gitopscfg(t, dir, fake.GitHubTokenFull+"\n", nil, "set", "github", "--host", emu.URL(providers.GitHub)+"/", "--org", fake.GitHubOrg,
		"--username", fake.GitHubUser, "--token-stdin"); r.code != 0 {
		t.Fatalf("set github: exit %d\n%s%s", r.code, r.out, r.err)
	}
	r = gitopscfg(t, dir, "", nil, "check", "github", "--devtron", "--format", "prometheus")
	fams := cli.ParsePromText(t, r.out)
	if v, ok := promValue(fams, "gitopscfg_devtron_client_cert_expiry_timestamp_seconds", map[string]string{"url": front.URL + "/"}); !ok ||
		int64(v) != issued.TLS(t).Leaf.NotAfter.Unix() {
		t.Fatalf("the instance's client certificate metric = %v %v:\n%s%s", v, ok, r.out, r.err)
	}
	// And a Nagios value of its own, 30 days left, beside the credential's.
	r = gitopscfg(t, dir, "", nil, "check", "github", "--devtron", "--format", "nagios")
	if !regexp.MustCompile(`'devtron_default_client_cert_expiry_days'=(29\.9[0-9]*|30);14:;0;;`).MatchString(r.out) {
		t.Fatalf("no Nagios value for the instance's client certificate:\n%s%s", r.out, r.err)
	}
	if r = gitopscfg(t, dir, "", nil, "status"); !strings.Contains(r.out, "the client certificate CN=devtron-bot (issued by CN=Client CA) is valid until") {
		t.Fatalf("status does not name the instance's client certificate:\n%s%s", r.out, r.err)
	}
	// --client-cert "" forgets the certificate and its key: status, which asks Devtron, then
	// reaches it without one.
	if r = gitopscfg(t, dir, "", nil, "devtron", "set", "--client-cert", "", "--no-check"); r.code != 0 {
		t.Fatalf("devtron set --client-cert \"\": exit %d\n%s%s", r.code, r.out, r.err)
	}
	seen += r.out + r.err
	if r = gitopscfg(t, dir, "", nil, "status"); r.code != 0 || strings.Contains(r.out, "CN=devtron-bot") ||
		!strings.Contains(r.out, "asks for a client certificate and none is set") {
		t.Fatalf("status after --client-cert \"\": exit %d\n%s%s", r.code, r.out, r.err)
	}
	if r = gitopscfg(t, dir, "", nil, "devtron", "set", "--client-key", key); r.code != 2 {
		t.Fatalf("--client-key without a certificate: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if seen += r.out + r.err; strings.Contains(seen, "PRIVATE KEY") || strings.Contains(seen, tok) {
		t.Fatal("a secret shows")
	}
}
