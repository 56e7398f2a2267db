package cli

import (
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestEveryVerbHasExamples: every command of ours shows examples in its help, in gh's style (a
// "# what it does" line, then indented "$ gitopscfg …" lines); each example parses as the command
// line would (the verb exists, its flags exist and the arguments fit), and a secret comes only
// from a variable on standard input, never on the command line.
func TestEveryVerbHasExamples(t *testing.T) {
	t.Parallel()
	f, _, _ := testFactory("")
	root := newRootCmd(f)
	tokenLike := regexp.MustCompile(`ghp_|glpat-|ATATT|--token[ =]|--passphrase[ =]|GITOPSCFG_PASSPHRASE=`)
	stdinFromVar := regexp.MustCompile(`^printf '%s' "\$[A-Z_]+" \| gitopscfg `)
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() && sub.Name() != "completion" {
				walk(sub)
			}
		}
		if c.Example == "" {
			t.Errorf("%s has no examples", c.CommandPath())
			return
		}
		commands := 0
		for _, line := range strings.Split(c.Example, "\n") {
			switch {
			case line == "" || strings.HasPrefix(line, "  # "):
				continue
			case !strings.HasPrefix(line, "  $ "):
				t.Errorf("%s: example line %q is neither \"  # …\" nor \"  $ …\"", c.CommandPath(), line)
				continue
			case tokenLike.MatchString(line):
				t.Errorf("%s: example %q puts a secret on the command line", c.CommandPath(), line)
			}
			shell := strings.TrimPrefix(line, "  $ ")
			if strings.Contains(shell, "--token-stdin") && !stdinFromVar.MatchString(shell) {
				t.Errorf("%s: example %q does not give the token from a variable on standard input", c.CommandPath(), line)
			}
			_, cmdline, ok := strings.Cut(shell, "gitopscfg")
			if !ok {
				continue // e.g. ssh to a server
			}
			commands++
			cmdline, _, _ = strings.Cut(cmdline, " | ")
			if strings.ContainsAny(cmdline, `'"$<>;&`) {
				t.Errorf("%s: example %q: keep gitopscfg's own arguments free of quoting and redirection", c.CommandPath(), line)
				continue
			}
			checkExampleParses(t, c.CommandPath(), strings.Fields(cmdline))
		}
		if commands == 0 {
			t.Errorf("%s: no example runs gitopscfg", c.CommandPath())
		}
	}
	walk(root)
}

// checkExampleParses fails the test unless args is a command line of the command at path (or of
// one of its sub-commands): the verbs lead there, and its flags and arguments are accepted (on a
// fresh command tree).
func checkExampleParses(t *testing.T, path string, args []string) {
	t.Helper()
	f, _, _ := testFactory("")
	found, rest, err := newRootCmd(f).Find(args)
	if err != nil || (found.CommandPath() != path && !strings.HasPrefix(found.CommandPath(), path+" ")) {
		t.Errorf("%s: example %v finds %q (%v)", path, args, found.CommandPath(), err)
		return
	}
	if err := found.ParseFlags(rest); err != nil {
		t.Errorf("%s: example %v: %v", path, args, err)
		return
	}
	if err := found.ValidateArgs(found.Flags().Args()); err != nil {
		t.Errorf("%s: example %v: %v", path, args, err)
	}
}
