package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// onTerminal reports whether a person is there to answer: standard output is a terminal, and so
// is standard input (InIsTerm, or a terminal's file).
func (s Streams) onTerminal() bool {
	if !s.IsTerm {
		return false
	}
	if s.InIsTerm {
		return true
	}
	f, ok := s.In.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// confirm asks a yes/no question on the streams and reads one line of answer (byte by byte, so
// nothing after the line is taken from standard input). Only y or yes is a yes; the end of input
// before an answer is an error.
func (s Streams) confirm(question string) (bool, error) {
	fmt.Fprint(s.Out, question)
	var line strings.Builder
	b := make([]byte, 1)
	for {
		n, err := s.In.Read(b)
		if n == 1 {
			if b[0] == '\n' {
				break
			}
			if line.Len() < 64 {
				line.WriteByte(b[0])
			}
			continue
		}
		if errors.Is(err, io.EOF) && line.Len() > 0 {
			break
		}
		if err != nil {
			fmt.Fprintln(s.Out)
			return false, usageErr("no answer on standard input")
		}
	}
	switch strings.ToLower(strings.TrimSpace(line.String())) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}
