// Command gitopscfg sets up and verifies the Git credentials a GitOps platform needs.
package main

import (
	"fmt"
	"os"
	"runtime/debug"

	"golang.org/x/term"

	"gitopscfg/cli"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise it comes from the
// module's build information.
var version = ""

func main() {
	// First of all, before any secret is read: a core dump would hold the plaintext tokens.
	if err := noCoreDumps(); err != nil {
		fmt.Fprintln(os.Stderr, "gitopscfg: warning: cannot disable core dumps:", err)
	}
	os.Exit(cli.Main(os.Args[1:], cli.Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		IsTerm: term.IsTerminal(int(os.Stdout.Fd())), InIsTerm: term.IsTerminal(int(os.Stdin.Fd()))}, buildVersion()))
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
