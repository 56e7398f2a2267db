package cli

import (
	"io"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// WriteManPages writes a man page (section 1) for every command of the command line to dir:
// gitopscfg.1, gitopscfg-check.1, gitopscfg-devtron-set.1, … (`make man`; cli/genman.go). The
// date is SOURCE_DATE_EPOCH's when it is set, for reproducible pages.
func WriteManPages(dir, version string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	root := manTree(version)
	header := &doc.GenManHeader{Title: "", Section: "1", Source: "gitopscfg " + version, Manual: "gitopscfg manual"}
	return doc.GenManTreeFromOpts(root, doc.GenManTreeOptions{Header: header, Path: dir, CommandSeparator: "-"})
}

// manTree is the command tree the man pages describe: the one a run builds, with cobra's
// completion command (which a run adds only when it executes) and without cobra's "auto generated"
// footer.
func manTree(version string) *cobra.Command {
	f := newFactory(Streams{In: eofReader{}, Out: io.Discard, Err: io.Discard}, version, func(string) string { return "" }, nil)
	root := newRootCmd(f)
	root.InitDefaultCompletionCmd()
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.DisableAutoGenTag = true
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return root
}

// eofReader is an empty standard input.
type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
