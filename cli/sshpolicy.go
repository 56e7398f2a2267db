package cli

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"gitopscfg/config/safe"
)

// The SSH policy: what a session without a terminal may run on `gitopscfg serve` is declared on
// the commands themselves, as cli/cli declares the commands and flags that skip its auth check
// (cmdutil.DisableAuthCheck, DisableAuthCheckFlag). A verb a session may run carries the command
// annotation sshAnnotation (allowOverSSH); each flag a session may give it carries the flag
// annotation of the same name (allowFlagOverSSH). Nothing else is allowed: a verb or a flag added
// without its annotation is refused over SSH, since it could act on the server's files rather
// than report. sshRefusal decides, sshHelp shows a session only what it may use, and sshLogLine
// is what the server logs of a session's command.

const (
	sshAnnotation = "ssh"
	sshAllowed    = "allowed"
)

// allowOverSSH declares that a session without a terminal may run cmd, a verb of the root
// command, with the flags marked by allowFlagOverSSH.
func allowOverSSH(cmd *cobra.Command) {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[sshAnnotation] = sshAllowed
}

// allowFlagOverSSH declares that a session may give the flag fl: only a flag that chooses what is
// reported and how, never one that writes on the server, chooses its store or holds a secret.
func allowFlagOverSSH(fl *pflag.Flag) {
	if fl.Annotations == nil {
		fl.Annotations = map[string][]string{}
	}
	fl.Annotations[sshAnnotation] = []string{sshAllowed}
}

func sshCommandAllowed(cmd *cobra.Command) bool { return cmd.Annotations[sshAnnotation] == sshAllowed }

func sshFlagAllowed(fl *pflag.Flag) bool {
	return slices.Equal(fl.Annotations[sshAnnotation], []string{sshAllowed})
}

// sshUsage is the contract of a session without a terminal (README, "Serving the UI over SSH").
const sshUsage = "without a terminal this server runs only `status [--json]`, " +
	"`check [PROVIDER|--all] [--json] [--format F] [--timeout D] [--deep]` and `which URL [--json] [--timeout D]`; " +
	"connect with `ssh -t` for the interactive UI"

// sshRefusal decides the command of a session without a terminal (its argv, without a program
// name) against the declarations on root: nil when the session may run it, else why not, told
// to the client with exit status 2. The help flag is always allowed: sshHelp shows only what a
// session may use. An argument that is no flag (PROVIDER) is left for the command to check.
func sshRefusal(root *cobra.Command, args []string) error {
	if len(args) == 0 {
		return errors.New(sshUsage)
	}
	cmd := verb(root, args[0])
	if cmd == nil || !sshCommandAllowed(cmd) {
		return errors.New(sshUsage)
	}
	var deniedValue string
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "-h" || a == "--help" || !strings.HasPrefix(a, "-") {
			continue
		}
		name, _, hasValue := strings.Cut(a, "=")
		if !sshMayGive(cmd, name) {
			return fmt.Errorf("%s is not available over SSH; %s", displayArg(name), sshUsage)
		}
		if takesValue(lookupFlag(cmd, name)) && !hasValue && i+1 < len(args) {
			i++ // the value, as pflag reads it
			if v, _, _ := strings.Cut(args[i], "="); deniedValue == "" && lookupFlag(cmd, v) != nil && !sshMayGive(cmd, v) {
				deniedValue = v
			}
		}
	}
	if deniedValue != "" {
		// A value that names a flag the session may not give (check --format --output) would only
		// be refused as a value; it is refused here, once the flags themselves passed.
		return fmt.Errorf("%s is not available over SSH; %s", displayArg(deniedValue), sshUsage)
	}
	return nil
}

// sshMayGive reports whether name ("--name" or "-n") is a flag of cmd a session may give.
func sshMayGive(cmd *cobra.Command, name string) bool {
	fl := lookupFlag(cmd, name)
	return fl != nil && sshFlagAllowed(fl)
}

// sshLogLine is what the server logs of a session's command: the verb, the names of the flags and
// a provider argument; "?" stands for anything else the client sent (an unknown verb or flag,
// another argument), and a flag's value is left out, since a client could type a token by mistake.
func sshLogLine(root *cobra.Command, args []string) string {
	if len(args) == 0 {
		return ""
	}
	cmd := verb(root, args[0])
	if cmd == nil {
		return "?"
	}
	parts := []string{cmd.Name()}
	for i := 1; i < len(args); i++ {
		a := args[i]
		name, _, hasValue := strings.Cut(a, "=")
		fl := lookupFlag(cmd, name)
		switch {
		case a == "-h" || a == "--help":
			parts = append(parts, "--help")
		case !strings.HasPrefix(a, "-"):
			if p, err := providerArg(a); err == nil {
				parts = append(parts, string(p.ID))
			} else {
				parts = append(parts, "?")
			}
		case fl != nil:
			parts = append(parts, "--"+fl.Name)
			if takesValue(fl) && !hasValue {
				i++
			}
		default:
			parts = append(parts, "?")
		}
	}
	return strings.Join(parts, " ")
}

// verb is root's subcommand named name (by its name alone: no alias, no prefix), or nil.
func verb(root *cobra.Command, name string) *cobra.Command {
	for _, c := range root.Commands() {
		if c.Name() == name {
			return c
		}
	}
	return nil
}

// lookupFlag is the flag of cmd (its own or inherited) that an argument names, "--name" or "-n",
// or nil.
func lookupFlag(cmd *cobra.Command, name string) *pflag.Flag {
	var fl *pflag.Flag
	switch long, isLong := strings.CutPrefix(name, "--"); {
	case isLong:
		if fl = cmd.Flags().Lookup(long); fl == nil {
			fl = cmd.InheritedFlags().Lookup(long)
		}
	case len(name) == 2 && name[0] == '-' && name[1] != '-':
		if fl = cmd.Flags().ShorthandLookup(name[1:]); fl == nil {
			fl = cmd.InheritedFlags().ShorthandLookup(name[1:])
		}
	}
	return fl
}

// takesValue reports whether fl reads the next argument as its value when given without "=".
func takesValue(fl *pflag.Flag) bool { return fl.NoOptDefVal == "" }

// displayArg shows an argument the client sent without its control characters.
func displayArg(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return safe.Text(s)
}

// setSSHHelp makes the help of root's commands (-h, --help) the help a session sees: see sshHelp.
func setSSHHelp(root *cobra.Command) {
	help := root.HelpFunc()
	root.SetHelpFunc(func(cmd *cobra.Command, args []string) {
		sshHelp(cmd)
		help(cmd, args)
	})
}

// sshHelp prepares cmd, in a session's own command tree, to show a session only what it may use:
// the other flags and verbs are hidden, and the bracketed parts of the usage line, the
// parenthesised asides of the flags' texts and the paragraphs of the description and the examples
// that name a flag the session may not give are left out.
func sshHelp(cmd *cobra.Command) {
	denied := func(text string) bool {
		for _, m := range flagMention.FindAllStringSubmatch(text, -1) {
			if fl := lookupFlag(cmd, m[0]); m[1] != "help" && (fl == nil || !sshFlagAllowed(fl)) {
				return true
			}
		}
		return false
	}
	restrict := func(fl *pflag.Flag) {
		if fl.Name != "help" && !sshFlagAllowed(fl) {
			fl.Hidden = true
		}
		fl.Usage = dropAsides(fl.Usage, parenAside, denied)
	}
	cmd.LocalFlags().VisitAll(restrict)
	cmd.InheritedFlags().VisitAll(restrict)
	for _, c := range cmd.Commands() {
		if !sshCommandAllowed(c) {
			c.Hidden = true
		}
	}
	cmd.Use = dropAsides(cmd.Use, bracketAside, denied)
	paragraphs := strings.Split(cmd.Long, "\n\n")
	cmd.Long = strings.Join(slices.DeleteFunc(paragraphs, denied), "\n\n")
	examples := strings.Split(cmd.Example, "\n\n")
	cmd.Example = strings.Join(slices.DeleteFunc(examples, denied), "\n\n")
}

var (
	flagMention  = regexp.MustCompile(`--([a-z0-9][a-z0-9-]*)`)
	bracketAside = regexp.MustCompile(` ?\[[^\[\]]*\]`)
	parenAside   = regexp.MustCompile(` ?\([^()]*\)`)
)

// dropAsides removes from s the asides (matches of aside) that denied finds fault with.
func dropAsides(s string, aside *regexp.Regexp, denied func(string) bool) string {
	return aside.ReplaceAllStringFunc(s, func(m string) string {
		if denied(m) {
			return ""
		}
		return m
	})
}
