package cli

import (
	"fmt"
	"os"
	"runtime/debug"

	"golang.org/x/term"
)

// Exec is the process's entry point, shared by main.go and the end-to-end tests (which run their
// own binary as gitopscfg): before any secret is read it disables core dumps, since a core dump
// would hold the plaintext tokens; then it runs the command line on os.Args and the standard
// streams and returns the exit code. version is the one the build stamped (main.version, set by
// -ldflags "-X main.version=…"); "" takes it from the module's build information.
func Exec(version string) int {
	if err := noCoreDumps(); err != nil {
		fmt.Fprintln(os.Stderr, "gitopscfg: warning: cannot disable core dumps:", err)
	}
	streams := Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		IsTerm: term.IsTerminal(int(os.Stdout.Fd())), InIsTerm: term.IsTerminal(int(os.Stdin.Fd()))}
	return Main(os.Args[1:], streams, buildVersion(version))
}

// buildVersion is stamped, else the module's version from the build information, else "dev".
func buildVersion(stamped string) string {
	if stamped != "" {
		return stamped
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
