// Package manpages writes gitopscfg's man pages from its command tree (`make man`). It lives
// apart from the command line so that the program does not carry cobra's man-page writer and its
// Markdown renderer.
package manpages

import (
	"os"

	"github.com/spf13/cobra/doc"

	"gitopscfg/cli"
)

// WriteManPages writes a man page (section 1) for every command of the command line to dir:
// gitopscfg.1, gitopscfg-check.1, gitopscfg-devtron-set.1, … (`make man`; genman.go). The
// date is SOURCE_DATE_EPOCH's when it is set, for reproducible pages.
func WriteManPages(dir, version string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	root := cli.ManTree(version)
	header := &doc.GenManHeader{Title: "", Section: "1", Source: "gitopscfg " + version, Manual: "gitopscfg manual"}
	return doc.GenManTreeFromOpts(root, doc.GenManTreeOptions{Header: header, Path: dir, CommandSeparator: "-"})
}
