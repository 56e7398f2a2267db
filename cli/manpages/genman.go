//go:build ignore

// genman writes the man pages of gitopscfg: go run ./cli/manpages/genman.go [-version V] DIR (make man).
package main

import (
	"flag"
	"fmt"
	"os"

	"gitopscfg/cli/manpages"
)

func main() {
	version := flag.String("version", "dev", "the version the pages name")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: go run ./cli/manpages/genman.go [-version V] DIR")
		os.Exit(2)
	}
	if err := manpages.WriteManPages(flag.Arg(0), *version); err != nil {
		fmt.Fprintln(os.Stderr, "genman:", err)
		os.Exit(1)
	}
}
