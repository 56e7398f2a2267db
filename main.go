// Command gitopscfg sets up and verifies the Git credentials a GitOps platform needs.
package main

import (
	"os"

	"gitopscfg/cli"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise cli takes it from
// the module's build information.
var version = ""

func main() { os.Exit(cli.Exec(version)) }
