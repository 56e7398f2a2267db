package cli

import (
	"fmt"
	"os"
	"path/filepath"
)

// atomicOutput is `check --output FILE`: what is written goes to a temporary file in FILE's
// directory, which Commit syncs and renames into place, so a reader (node_exporter's textfile
// collector) sees the old file or the new one, never a partial one. The temporary name starts
// with a dot and does not end in .prom, so the collector never reads it.
type atomicOutput struct {
	f    *os.File
	path string
	// complete is set once a whole output was written: only then does Commit replace the file.
	complete bool
}

func createAtomicOutput(path string) (*atomicOutput, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, usageErr("--output %q: %v", path, err)
	}
	if st, err := os.Stat(abs); err == nil && st.IsDir() {
		return nil, usageErr("--output %s is a directory: give a file name, e.g. %s", abs, filepath.Join(abs, "gitopscfg.prom"))
	}
	f, err := os.CreateTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".tmp-*")
	if err != nil {
		return nil, usageErr("--output %s: cannot write in its directory: %v", abs, err)
	}
	return &atomicOutput{f: f, path: abs}, nil
}

func (o *atomicOutput) Write(p []byte) (int, error) { return o.f.Write(p) }

// Commit makes the file readable by others (it holds no secret: monitoring agents run as other
// users), syncs it and renames it into place.
func (o *atomicOutput) Commit() error {
	tmp := o.f.Name()
	err := o.f.Chmod(0o644)
	if err == nil {
		err = o.f.Sync()
	}
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, o.path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("--output %s could not be written: %w", o.path, err)
	}
	if d, err := os.Open(filepath.Dir(o.path)); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// Abort removes the temporary file; the previous FILE stays as it was.
func (o *atomicOutput) Abort() {
	_ = o.f.Close()
	_ = os.Remove(o.f.Name())
}
