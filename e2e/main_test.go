package e2e

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

// The command-line contract (README.md) is driven through the real binary: testscript runs this
// test binary as `gitopscfg` (TestMain) through cli.Exec, what main runs, so every script
// exercises the process's start, the flags, the exit codes and the output exactly as an admin or
// a script sees them. The end-to-end tests in tmux (e2e_test.go)
// run the same binary.

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"gitopscfg": func() { os.Exit(cli.Exec("")) }})
}

// TestScripts runs testdata/script/*.txtar. Each script gets its own provider emulators on
// loopback and its own config directory; see setupScript for what it finds.
func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		Setup:               setupScript,
		RequireExplicitExec: true,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":       kit.Exits,
			"jsonkeys":    kit.JSONKeys,
			"jsonval":     kit.JSONVal,
			"noleak":      cmdNoLeak,
			"emurepo":     cmdEmuRepo,
			"emuseed":     cmdEmuSeed,
			"emuprotect":  cmdEmuProtect,
			"emubranches": cmdEmuBranches,
		},
	})
}

// scriptTokens are the tokens a script can feed to `set --token-stdin` (stdin $WORK/tokens/NAME);
// noleak fails when any of them shows anywhere outside the store.
var scriptTokens = map[string]string{
	"github":         fake.GitHubTokenFull,
	"github-norepo":  fake.GitHubTokenNoRepo,
	"github-revoked": fake.GitHubTokenRevoked,
	// A member of neither organisation: its token is valid, and may read no private repository.
	"github-notmember": fake.GitHubTokenNotMember,
	"gitlab":           fake.GitLabTokenFull,
	"azure":            fake.AzureTokenFull,
	"bitbucket":        fake.BitbucketTokenFull,
	// An Azure DevOps service principal's client secret, and an expired one; a GitLab group
	// access token.
	"azure-sp":         fake.AzureSPSecret,
	"azure-sp-expired": fake.AzureSPExpiredSecret,
	"azure-sp-second":  fake.AzureSPSecondSecret,
	"gitlab-group":     fake.GitLabTokenGroupBot,
	// A member of a Gitea team that may push to the organisation's repositories but not create any.
	"gitea-pusher": fake.GiteaTokenPusher,
}

// setupScript starts the emulators and tells the script where they are: $GITHUB_HOST, $GITHUB_ORG,
// $GITHUB_USER (and the same for GITLAB, AZURE, BITBUCKET), GitHub's second organisation
// $GITHUB_ORG_INFRA, $WORK/tokens/NAME (scriptTokens), the config directory
// $GITOPSCFG_CONFIG_DIR=$WORK/cfg, and no passphrase in the environment. emurepo reaches the
// emulators.
func setupScript(env *testscript.Env) error {
	emu, err := fake.Start(fake.Options{})
	if err != nil {
		return err
	}
	env.Defer(emu.Close)
	env.Values[emulatorsKey{}] = emu
	env.Setenv("GITHUB_ORG_INFRA", fake.GitHubOrgInfra)
	// Azure DevOps service principals: $AZURE_TENANT, $AZURE_CLIENT (a user of the organisation),
	// $AZURE_CLIENT_OUTSIDER (not one) and $AZURE_AUTHORITY (the emulator's Entra).
	sp := emu.ServicePrincipal(fake.AzureSPClientID, fake.AzureSPSecret)
	env.Setenv("AZURE_TENANT", sp.TenantID)
	env.Setenv("AZURE_CLIENT", sp.ClientID)
	env.Setenv("AZURE_CLIENT_OUTSIDER", fake.AzureSPNotMemberClientID)
	env.Setenv("AZURE_AUTHORITY", sp.AuthorityURL)
	for _, id := range providers.IDs {
		c := emu.DemoCredentials(id)
		name := strings.ToUpper(string(id))
		env.Setenv(name+"_HOST", c.Host)
		env.Setenv(name+"_ORG", c.Org)
		env.Setenv(name+"_USER", c.Username)
	}
	dir := filepath.Join(env.WorkDir, "tokens")
	if err := os.Mkdir(dir, 0o700); err != nil {
		return err
	}
	for name, tok := range scriptTokens {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(tok+"\n"), 0o600); err != nil {
			return err
		}
	}
	if err := writeAppKeys(env); err != nil {
		return err
	}
	env.Setenv("GITOPSCFG_CONFIG_DIR", filepath.Join(env.WorkDir, "cfg"))
	env.Setenv("GITOPSCFG_PASSPHRASE", "")
	env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, "xdg"))
	env.Setenv("NO_COLOR", "1")
	return nil
}

// emulatorsKey holds a script's emulators in its testscript.Env values.
type emulatorsKey struct{}

// emurepo PROVIDER ORG NAME creates repository NAME in organisation ORG of PROVIDER's emulator,
// as if it existed before.
func cmdEmuRepo(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: emurepo PROVIDER ORG NAME")
	}
	emu := ts.Value(emulatorsKey{}).(*fake.Emulators)
	ts.Check(emu.AddOrgRepo(providers.ID(args[0]), args[1], args[2]))
}

// noleak fails when a token of scriptTokens (or half of one) shows in the last command's stdout or
// stderr, or in any file of the config directory but the encrypted store and its backup.
func cmdNoLeak(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: noleak")
	}
	texts := map[string]string{"stdout": ts.ReadFile("stdout"), "stderr": ts.ReadFile("stderr")}
	cfg := ts.Getenv("GITOPSCFG_CONFIG_DIR")
	ents, _ := os.ReadDir(cfg)
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(cfg, e.Name()))
		ts.Check(err)
		texts[e.Name()] = string(b)
	}
	for name, text := range texts {
		if appKeyShows(text) {
			ts.Fatalf("a GitHub App's private key shows in %s", name)
		}
		for _, tok := range scriptTokens {
			if strings.Contains(text, tok) || strings.Contains(text, tok[:len(tok)/2]) || strings.Contains(text, tok[len(tok)/2:]) {
				ts.Fatalf("a token shows in %s", name)
			}
		}
	}
}
