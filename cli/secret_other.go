//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package cli

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
)

// readSecret prints prompt and reads one line from the terminal f without echo.
func readSecret(f *os.File, prompt io.Writer, text string) ([]byte, error) {
	fmt.Fprint(prompt, text)
	defer fmt.Fprintln(prompt)
	return term.ReadPassword(int(f.Fd()))
}
