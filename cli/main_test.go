package cli_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"gitopscfg/cli"
	"gitopscfg/config/configtest"
)

type run struct {
	out, err string
	code     int
}

// gitopscfg runs one invocation in process with a config dir, optional stdin and extra
// environment (NAME=VALUE), as the binary would with that environment.
func gitopscfg(t *testing.T, dir, stdin string, env []string, args ...string) run {
	t.Helper()
	vars := map[string]string{"GITOPSCFG_CONFIG_DIR": dir, "HOME": dir}
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			t.Fatalf("environment %q is not NAME=VALUE", kv)
		}
		vars[k] = v
	}
	var out, errb bytes.Buffer
	code := cli.RunInProcess(args, vars, strings.NewReader(stdin), &out, &errb)
	return run{out.String(), errb.String(), code}
}

func mustRun(t *testing.T, dir, stdin string, args ...string) run {
	t.Helper()
	r := gitopscfg(t, dir, stdin, nil, args...)
	if r.code != 0 {
		t.Fatalf("gitopscfg %v: exit %d\nstdout: %s\nstderr: %s", args, r.code, r.out, r.err)
	}
	return r
}

func initStore(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cfg")
	mustRun(t, dir, "", "init")
	return dir
}

// readAll returns every file of dir, for byte-for-byte comparisons and leak scans.
func readAll(t *testing.T, dir string) map[string][]byte { return configtest.Snapshot(t, dir) }
func sameFiles(a, b map[string][]byte) bool              { return configtest.SameFiles(a, b) }
