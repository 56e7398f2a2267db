package newkind

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"gitopscfg/cli"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// The command line is run as the end-to-end scripts run it (e2e/main_test.go): this test binary
// is `gitopscfg`, with Acme CD registered by this package's init, as it would be by its own
// package's.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"gitopscfg": func() { os.Exit(cli.Exec("")) }})
}

// acmeToken is the Acme CD instance's API token; it must never show outside the store.
const acmeToken = "acme-CANARY-api-token-5f1c9a7e30b24d68"

// TestScripts runs testdata/script/*.txtar: each gets a GitHub emulator ($GITHUB_HOST,
// $GITHUB_ORG, $GITHUB_USER, $WORK/tokens/github), an Acme CD on loopback ($ACME_URL,
// $WORK/tokens/acme) and its own config directory; acmereq lists the requests Acme CD served.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		Setup:               setup,
		RequireExplicitExec: true,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":   kit.Exits,
			"jsonval": kit.JSONVal,
			"acmereq": cmdAcmeRequests,
		},
	})
}

type acmeKey struct{}

func setup(env *testscript.Env) error {
	emu, err := fake.Start(fake.Options{})
	if err != nil {
		return err
	}
	env.Defer(emu.Close)
	c := emu.DemoCredentials(providers.GitHub)
	env.Setenv("GITHUB_HOST", c.Host)
	env.Setenv("GITHUB_ORG", c.Org)
	env.Setenv("GITHUB_USER", c.Username)
	acme := startAcme(acmeToken)
	env.Defer(acme.Close)
	env.Values[acmeKey{}] = acme
	env.Values[seenKey{}] = new(int)
	env.Setenv("ACME_URL", acme.URL)
	dir := filepath.Join(env.WorkDir, "tokens")
	if err := os.Mkdir(dir, 0o700); err != nil {
		return err
	}
	for name, tok := range map[string]string{"github": fake.GitHubTokenFull, "acme": acmeToken, "acme-wrong": "acme-wrong-token"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(tok+"\n"), 0o600); err != nil {
			return err
		}
	}
	env.Setenv("GITOPSCFG_CONFIG_DIR", filepath.Join(env.WorkDir, "cfg"))
	env.Setenv("GITOPSCFG_PASSPHRASE", "")
	env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, "xdg"))
	env.Setenv("NO_COLOR", "1")
	return nil
}

// acmereq WANT... fails unless Acme CD served exactly these requests ("PUT /api/credentials/x")
// since the last acmereq.
func cmdAcmeRequests(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: acmereq [REQUEST...] (no !)")
	}
	acme := ts.Value(acmeKey{}).(*acmeServer)
	seen, _ := ts.Value(seenKey{}).(*int)
	if seen == nil {
		ts.Fatalf("acmereq: no counter")
	}
	all := acme.Requests()
	got := all[*seen:]
	*seen = len(all)
	if strings.Join(got, "\n") != strings.Join(args, "\n") {
		ts.Fatalf("Acme CD served %q, want %q", got, args)
	}
}

type seenKey struct{}
