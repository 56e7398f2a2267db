//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package cli

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// readSecret prints prompt and reads one line from the terminal f without echo. Echo is turned
// off before the prompt is printed, so that nothing typed as soon as the prompt shows is ever
// echoed (term.ReadPassword turns it off only after a prompt printed before the call).
func readSecret(f *os.File, prompt io.Writer, text string) ([]byte, error) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return nil, err
	}
	quiet := *old
	quiet.Lflag &^= unix.ECHO
	quiet.Lflag |= unix.ICANON | unix.ISIG
	quiet.Iflag |= unix.ICRNL
	if err := unix.IoctlSetTermios(fd, ioctlSetTermios, &quiet); err != nil {
		return nil, err
	}
	defer func() { _ = unix.IoctlSetTermios(fd, ioctlSetTermios, old) }()
	fmt.Fprint(prompt, text)
	defer fmt.Fprintln(prompt)
	return readLine(f)
}

// readLine reads up to a newline, one byte at a time so nothing after it is consumed.
func readLine(r io.Reader) ([]byte, error) {
	var line []byte
	var b [1]byte
	for {
		n, err := r.Read(b[:])
		if n > 0 {
			switch b[0] {
			case '\n':
				return line, nil
			case '\r':
			default:
				line = append(line, b[0])
			}
		}
		if err == io.EOF && len(line) > 0 {
			return line, nil
		}
		if err != nil {
			return line, err
		}
		if len(line) > 64*1024 {
			return nil, fmt.Errorf("the line is longer than 64 KiB")
		}
	}
}
