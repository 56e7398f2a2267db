package cli

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// complete runs `gitopscfg __complete args...` in process with the environment env and returns the
// offered words (without descriptions) and the directive line. The passphrase prompt fails the
// test: completion never asks.
func complete(t *testing.T, env map[string]string, args ...string) ([]string, string) {
	t.Helper()
	streams, out, errb := testStreams("")
	f := newFactory(streams, "test", func(k string) string { return env[k] }, func(string) (string, error) {
		t.Errorf("__complete %v asked for a passphrase", args)
		return "", nil
	})
	if code := run(context.Background(), append([]string{cobra.ShellCompRequestCmd}, args...), f); code != exitOK {
		t.Fatalf("__complete %v: exit %d, %s", args, code, errb)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	var words []string
	for _, l := range lines[:len(lines)-1] {
		w, _, _ := strings.Cut(l, "\t")
		words = append(words, w)
	}
	return words, lines[len(lines)-1]
}

var allProviderIDs = []string{"github", "gitlab", "azure", "bitbucket", "gitea", "git"}

const noFiles = ":4" // cobra.ShellCompDirectiveNoFileComp

// TestCompletionOffersTheConfiguredProviders: the verbs that name a stored provider offer the
// configured ones when the store opens without a prompt (a key file, or GITOPSCFG_PASSPHRASE), and
// every provider when it does not (no store, or a passphrase to ask for: never asked); set, which
// adds one, always offers every provider. Nothing is ever completed as a file name.
func TestCompletionOffersTheConfiguredProviders(t *testing.T) {
	t.Parallel()
	keyDir := filepath.Join(t.TempDir(), "key")
	s, err := config.Init(keyDir, "")
	if err != nil {
		t.Fatal(err)
	}
	storeProvider(t, s, providers.Credentials{Provider: providers.GitLab, Settings: config.Settings{Host: "https://gitlab.com/", Org: "acme", Username: "jdoe", Token: "glpat-CANARYcomplete0000"}}, false, nil)
	storeProvider(t, s, providers.Credentials{Provider: providers.Gitea, Settings: config.Settings{Host: "https://codeberg.org/", Org: "acme", Username: "jdoe", Token: "CANARYcompletegitea000000"}}, false, nil)
	const pass = "a passphrase long enough for the store"
	passDir := filepath.Join(t.TempDir(), "pass")
	ps, err := config.Init(passDir, pass)
	if err != nil {
		t.Fatal(err)
	}
	storeProvider(t, ps, providers.Credentials{Provider: providers.Azure, Settings: config.Settings{Host: "https://dev.azure.com/acme", Org: "gitops", Username: "jdoe", Token: "azCANARYcomplete000000000000000000000000000000000"}}, false, nil)
	emptyDir := filepath.Join(t.TempDir(), "empty")
	if _, err := config.Init(emptyDir, ""); err != nil {
		t.Fatal(err)
	}

	configured := []string{"gitlab", "gitea"}
	for _, c := range []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"check, key file", map[string]string{"GITOPSCFG_CONFIG_DIR": keyDir}, []string{"check", ""}, configured},
		{"activate", map[string]string{"GITOPSCFG_CONFIG_DIR": keyDir}, []string{"activate", ""}, configured},
		{"remove", map[string]string{"GITOPSCFG_CONFIG_DIR": keyDir}, []string{"remove", ""}, configured},
		{"rotate", map[string]string{"GITOPSCFG_CONFIG_DIR": keyDir}, []string{"rotate", ""}, configured},
		{"push devtron", map[string]string{"GITOPSCFG_CONFIG_DIR": keyDir}, []string{"push", "devtron", ""}, configured},
		{"export argocd", map[string]string{"GITOPSCFG_CONFIG_DIR": keyDir}, []string{"export", "argocd", ""}, configured},
		{"--config-dir", nil, []string{"check", "--config-dir", keyDir, ""}, configured},
		{"a prefix", map[string]string{"GITOPSCFG_CONFIG_DIR": keyDir}, []string{"check", "gi"}, configured},
		{"a longer prefix", map[string]string{"GITOPSCFG_CONFIG_DIR": keyDir}, []string{"check", "gite"}, []string{"gitea"}},
		{"an alias", map[string]string{"GITOPSCFG_CONFIG_DIR": keyDir}, []string{"check", "forg"}, []string{"forgejo"}},
		{"set offers every provider", map[string]string{"GITOPSCFG_CONFIG_DIR": keyDir}, []string{"set", ""}, allProviderIDs},
		{"no store", map[string]string{"GITOPSCFG_CONFIG_DIR": filepath.Join(t.TempDir(), "none")}, []string{"check", ""}, allProviderIDs},
		{"an empty store", map[string]string{"GITOPSCFG_CONFIG_DIR": emptyDir}, []string{"check", ""}, allProviderIDs},
		{"a passphrase, not asked", map[string]string{"GITOPSCFG_CONFIG_DIR": passDir}, []string{"check", ""}, allProviderIDs},
		{"a passphrase in the environment", map[string]string{"GITOPSCFG_CONFIG_DIR": passDir, "GITOPSCFG_PASSPHRASE": pass}, []string{"check", ""}, []string{"azure"}},
		{"a wrong passphrase", map[string]string{"GITOPSCFG_CONFIG_DIR": passDir, "GITOPSCFG_PASSPHRASE": "not the passphrase at all"}, []string{"check", ""}, allProviderIDs},
		{"--demo", map[string]string{"GITOPSCFG_CONFIG_DIR": keyDir}, []string{"--demo", "check", ""}, allProviderIDs},
		{"after the provider", map[string]string{"GITOPSCFG_CONFIG_DIR": keyDir}, []string{"check", "gitlab", ""}, nil},
		{"check --all", map[string]string{"GITOPSCFG_CONFIG_DIR": keyDir}, []string{"check", "--all", ""}, nil},
		{"push's platform", nil, []string{"push", ""}, []string{"argocd", "devtron", "flux"}},
		{"export's platform", nil, []string{"export", ""}, []string{"argocd", "flux"}},
		{"export's platform, a prefix", nil, []string{"export", "f"}, []string{"flux"}},
		{"--format", nil, []string{"check", "--format", ""}, checkFormatNames()},
		{"--format=", nil, []string{"check", "--format=j"}, []string{"json", "jsonl"}},
		{"--kind", nil, []string{"export", "argocd", "--kind", ""}, []string{"repo-creds", "repository"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, directive := complete(t, c.env, c.args...)
			if !slices.Equal(got, c.want) || directive != noFiles {
				t.Errorf("__complete %v = %v %s; want %v %s", c.args, got, directive, c.want, noFiles)
			}
		})
	}
}

// TestCompletionDescribesProviders: each provider is offered with its name beside it.
func TestCompletionDescribesProviders(t *testing.T) {
	t.Parallel()
	streams, out, _ := testStreams("")
	f := newFactory(streams, "test", func(string) string { return "" }, nil)
	if code := run(context.Background(), []string{cobra.ShellCompRequestCmd, "set", "b"}, f); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if got := out.String(); !strings.HasPrefix(got, "bitbucket\tBitbucket Cloud\n:4\n") {
		t.Fatalf("__complete set b:\n%s", got)
	}
}

// TestEveryProviderVerbCompletes: every command whose usage names a PROVIDER completes it, so a
// verb added later cannot forget to.
func TestEveryProviderVerbCompletes(t *testing.T) {
	t.Parallel()
	f, _, _ := testFactory("")
	root := newRootCmd(f)
	n := 0
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if !strings.Contains(c.Use, "CREDENTIAL") {
			return
		}
		n++
		args := []string{}
		if strings.Contains(c.Use, "devtron [CREDENTIAL]") || strings.Contains(c.Use, "flux [CREDENTIAL]") {
			args = []string{strings.Fields(strings.TrimPrefix(c.Use, c.Name()+" "))[0]}
			args[0], _, _ = strings.Cut(args[0], "|")
		}
		path := append(strings.Fields(c.CommandPath())[1:], args...)
		got, _ := complete(t, map[string]string{"GITOPSCFG_CONFIG_DIR": filepath.Join(t.TempDir(), "none")}, append(path, "")...)
		if !slices.Equal(got, allProviderIDs) {
			t.Errorf("%s %v completes %v, want every provider", c.CommandPath(), args, got)
		}
	}
	walk(root)
	if n != 7 {
		t.Errorf("%d verbs take a CREDENTIAL, want 7 (set, check, activate, remove, rotate, push, export)", n)
	}
}

// TestFlagCompletionsOnlyForACompletionRequest: cobra keeps flag completions in a process-wide map
// that is never emptied; a command tree built for anything but a completion request (every SSH
// session's command) registers none.
func TestFlagCompletionsOnlyForACompletionRequest(t *testing.T) {
	t.Parallel()
	f, _, _ := testFactory("")
	root := newRootCmd(f)
	check, _, err := root.Find([]string{"check"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := check.GetFlagCompletionFunc("format"); ok {
		t.Fatal("a command tree registered its flag completions")
	}
	registerFlagCompletions(root)
	if _, ok := check.GetFlagCompletionFunc("format"); !ok {
		t.Fatal("registerFlagCompletions did not register --format")
	}
}

// TestCompletionScripts: `completion SHELL` prints the shell's script, needs no config directory
// and never starts the demo.
func TestCompletionScripts(t *testing.T) {
	t.Parallel()
	for shell, want := range map[string]string{
		"bash": "# bash completion V2 for gitopscfg", "zsh": "#compdef gitopscfg",
		"fish": "complete -c gitopscfg", "powershell": "Register-ArgumentCompleter -CommandName 'gitopscfg'",
	} {
		streams, out, errb := testStreams("")
		f := newFactory(streams, "test", func(string) string { return "" }, nil)
		if code := run(context.Background(), []string{"--demo", "--config-dir", "", "completion", shell}, f); code != exitOK ||
			!strings.Contains(out.String(), want) || errb.Len() != 0 || f.demo != nil {
			t.Errorf("completion %s: exit %d, stderr %q, demo %v; want a script with %q", shell, code, errb, f.demo != nil, want)
		}
	}
}
