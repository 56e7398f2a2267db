//go:build ignore

// genman writes the man pages of gitopscfg: go run ./cli/genman.go [-version V] DIR (make man).
package main

import (
	"flag"
	"fmt"
	"os"

	"gitopscfg/cli"
)

func main() {
	version := flag.String("version", "dev", "the version the pages name")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: go run ./cli/genman.go [-version V] DIR")
		os.Exit(2)
	}
	if err := cli.WriteManPages(flag.Arg(0), *version); err != nil {
		fmt.Fprintln(os.Stderr, "genman:", err)
		os.Exit(1)
	}
}
