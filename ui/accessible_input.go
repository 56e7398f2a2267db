package ui

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
)

// errEndOfInput ends the plain-prompt mode when its input ends before a question was answered
// (e.g. `gitopscfg --accessible </dev/null`, or a script's answers ran out).
var errEndOfInput = errors.New("end of input: the plain prompts got no answer; what was saved before stays saved")

// errInterrupted ends the plain-prompt mode on SIGINT or SIGTERM.
var errInterrupted = errors.New("interrupted by a signal; what was saved before stays saved")

// notSavedError ends an edit that saved nothing (an invalid answer, or a failed check the admin
// would not save anyway): in the setup wizard it ends the plain prompts with an error, so a script
// sees a non-zero exit status. Its reason never holds a token (no validator error shows one).
type notSavedError struct{ reason string }

func (e notSavedError) Error() string { return "nothing was saved: " + e.reason }

// errLineTooLong ends the plain-prompt mode on an answer no question needs.
var errLineTooLong = fmt.Errorf("an input line is longer than %d bytes; no question needs that much, so nothing more was read", maxAnswerBytes)

// maxAnswerBytes bounds one line of the plain prompts' input (a token is at most forms.MaxTokenBytes).
const maxAnswerBytes = 16 << 10

// inputEnd is raised (as a panic) by lineReader inside huh's prompts, which cannot return an
// error at the end of input (they retry or fall back to a default, looping forever or indexing
// out of range); accessible.form recovers it.
type inputEnd struct{ err error }

// lineReader hands huh's prompts one line per Read, so that no prompt reads ahead what the next
// one should get (each builds its own bufio.Scanner), and turns the end of input, a read error,
// an over-long line or a cancelled context into inputEnd.
type lineReader struct {
	ctx     context.Context
	br      *bufio.Reader
	pending []byte
	err     error
}

func newLineReader(ctx context.Context, r io.Reader) *lineReader {
	return &lineReader{ctx: ctx, br: bufio.NewReaderSize(r, maxAnswerBytes)}
}

func (l *lineReader) Read(p []byte) (int, error) {
	if l.ctx.Err() != nil {
		panic(inputEnd{errInterrupted})
	}
	if len(l.pending) == 0 {
		if l.err != nil {
			panic(inputEnd{l.err})
		}
		line, err := l.br.ReadSlice('\n')
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			l.err = errLineTooLong
			panic(inputEnd{l.err})
		case err != nil && len(line) > 0:
			// A last line without its newline is still an answer; the end comes at the next read.
			line = append(bytes.Clone(line), '\n')
			l.err = errEndOfInput
		case err != nil:
			l.err = errEndOfInput
			panic(inputEnd{l.err})
		default:
			line = bytes.Clone(line)
		}
		l.pending = line
	}
	n := copy(p, l.pending)
	l.pending = l.pending[n:]
	return n, nil
}

// ttyLineReader is a lineReader on a terminal: huh reads masked answers (passphrases) straight
// from its file descriptor.
type ttyLineReader struct {
	*lineReader
	fd uintptr
}

func (t ttyLineReader) Fd() uintptr { return t.fd }
