package cli

import (
	"io"

	"github.com/spf13/cobra"
)

// ManTree is the command tree the man pages describe (cli/manpages, which keeps the man-page
// writer and its Markdown renderer out of the program): the one a run builds, with cobra's
// completion command (which a run adds only when it executes) and without cobra's "auto generated"
// footer.
func ManTree(version string) *cobra.Command {
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
