package e2e

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"gitopscfg/cli"
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
			"exits":       cmdExits,
			"jsonkeys":    cmdJSONKeys,
			"jsonval":     cmdJSONVal,
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

// exits N gitopscfg ARGS... runs the binary and fails unless it exits with status N; its output is
// then stdout and stderr, as with exec.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: exits CODE COMMAND [ARGS...] (no !)")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exits CODE COMMAND [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("exits: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", strings.Join(args[1:], " "), got, want)
	}
}

// jsonAt decodes stdout and walks PATH (dot-separated keys and indexes; "." is the whole document).
func jsonAt(ts *testscript.TestScript, path string) any {
	var v any
	dec := json.NewDecoder(strings.NewReader(ts.ReadFile("stdout")))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		ts.Fatalf("stdout is not one JSON document: %v", err)
	}
	if dec.More() {
		ts.Fatalf("stdout holds more than one JSON document")
	}
	if path == "." {
		return v
	}
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[k]; !ok {
				ts.Fatalf("%s: no key %q", path, k)
			}
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				ts.Fatalf("%s: no element %q (%d elements)", path, k, len(x))
			}
			v = x[i]
		default:
			ts.Fatalf("%s: %q is inside a %T", path, k, v)
		}
	}
	return v
}

// jsonkeys PATH KEY... fails unless the object at PATH in stdout has exactly these keys.
func cmdJSONKeys(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: jsonkeys PATH KEY...")
	}
	obj, ok := jsonAt(ts, args[0]).(map[string]any)
	if !ok {
		ts.Fatalf("%s is not an object", args[0])
	}
	var got []string
	for k := range obj {
		got = append(got, k)
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(args[1:]))
	if !slices.Equal(got, want) {
		ts.Fatalf("%s has keys %v, want %v", args[0], got, want)
	}
}

// [!] jsonval PATH WANT fails unless the value at PATH in stdout, as compact JSON, is WANT
// (with !: is not WANT).
func cmdJSONVal(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: jsonval PATH WANT")
	}
	b, err := json.Marshal(jsonAt(ts, args[0]))
	ts.Check(err)
	if got := string(b); (got == args[1]) == neg {
		ts.Fatalf("%s is %s, want %s%s", args[0], got, map[bool]string{true: "anything but "}[neg], args[1])
	}
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
