// Command gitopscfg sets up and verifies the Git credentials a GitOps platform needs.
package main

import (
	"os"
	"runtime/debug"

	"golang.org/x/term"

	"gitopscfg/cli"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise it comes from the
// module's build information.
var version = ""

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		IsTerm: term.IsTerminal(int(os.Stdout.Fd()))}, buildVersion()))
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
