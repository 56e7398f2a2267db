package providers

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"

	"gitopscfg/config"
)

// MaxCABundleBytes is the largest CA bundle read: one holding every public root is about 250 KB.
const MaxCABundleBytes = 4 << 20

// ReadCABundle reads the PEM file at path, refusing anything but a regular file of at most
// MaxCABundleBytes: a named pipe would block the read forever and a device such as /dev/zero
// never ends. The file is opened without blocking and checked on the open descriptor, so
// swapping the path for a pipe between the check and the read does not help either.
func ReadCABundle(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("cannot read the CA bundle %s: %w", path, err)
	}
	defer func() { _ = f.Close() }()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("cannot read the CA bundle %s: %w", path, err)
	}
	if why := notAPEMFile(fi); why != "" {
		return nil, fmt.Errorf("the CA bundle %s is %s, not a regular file: give the path of the PEM file of the CA certificates", path, why)
	}
	if fi.Size() > MaxCABundleBytes {
		return nil, fmt.Errorf("the CA bundle %s is %s, more than a CA bundle holds (at most %s): give the path of the PEM file of the CA certificates", path, byteSize(fi.Size()), byteSize(MaxCABundleBytes))
	}
	pem, err := io.ReadAll(io.LimitReader(f, MaxCABundleBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read the CA bundle %s: %w", path, err)
	}
	if len(pem) > MaxCABundleBytes {
		return nil, fmt.Errorf("the CA bundle %s grew past %s while being read: give the path of the PEM file of the CA certificates", path, byteSize(MaxCABundleBytes))
	}
	return pem, nil
}

func notAPEMFile(fi fs.FileInfo) string {
	if fi.Mode().IsRegular() {
		return ""
	}
	return config.FileKind(fi.Mode())
}

// byteSize writes n in the largest binary unit that keeps it readable: 512 B, 4 MiB, 1.5 GiB.
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 3; m /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	suffix := []string{"KiB", "MiB", "GiB", "TiB"}[exp]
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d %s", int64(v), suffix)
	}
	return fmt.Sprintf("%.1f %s", v, suffix)
}
