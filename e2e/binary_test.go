package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gitopscfg/config/configtest"
)

// binaryPath is the gitopscfg that testscript made of this test binary (on $PATH once TestMain
// ran), for the tests that need a real process: signals, a terminal, an SSH server, core limits.
var binaryPath = sync.OnceValue(func() string {
	p, err := exec.LookPath("gitopscfg")
	if err != nil {
		panic("gitopscfg is not on PATH: " + err.Error())
	}
	return p
})

type run struct {
	out, err string
	code     int
}

// gitopscfg runs the binary with a config dir, optional stdin and extra environment.
func gitopscfg(t testing.TB, dir, stdin string, env []string, args ...string) run {
	t.Helper()
	cmd := exec.Command(binaryPath(), args...)
	cmd.Env = append([]string{"GITOPSCFG_CONFIG_DIR=" + dir, "HOME=" + dir, "PATH=" + os.Getenv("PATH")}, env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", args, err)
	}
	return run{out.String(), errb.String(), code}
}

func mustRun(t testing.TB, dir, stdin string, args ...string) run {
	t.Helper()
	r := gitopscfg(t, dir, stdin, nil, args...)
	if r.code != 0 {
		t.Fatalf("gitopscfg %v: exit %d\nstdout: %s\nstderr: %s", args, r.code, r.out, r.err)
	}
	return r
}

func initStore(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cfg")
	mustRun(t, dir, "", "init")
	return dir
}

// readAll returns every file of dir, for byte-for-byte comparisons and leak scans.
func readAll(t testing.TB, dir string) map[string][]byte { return configtest.Snapshot(t, dir) }
func sameFiles(a, b map[string][]byte) bool              { return configtest.SameFiles(a, b) }

// procStatusKB is a field of process pid's /proc/PID/status given in kB (VmRSS, the resident set
// size; VmHWM, its peak); without /proc the test is skipped.
func procStatusKB(t testing.TB, pid int, field string) int {
	t.Helper()
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for line := range strings.SplitSeq(string(st), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return kb
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}
