package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// BenchmarkStatusProcess runs `gitopscfg status` as a whole process (start, unlock, decrypt,
// print, exit) and reports the median; the target is ≤ 20 ms.
func BenchmarkStatusProcess(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "cfg")
	if out, err := exec.Command(binaryPath(), "--config-dir", dir, "init").CombinedOutput(); err != nil {
		b.Fatalf("init: %v %s", err, out)
	}
	set := exec.Command(binaryPath(), "--config-dir", dir, "set", "github", "--org", "acme", "--username", "u", "--token-stdin", "--no-check", "--activate")
	set.Stdin = strings.NewReader(kit.Canary)
	if out, err := set.CombinedOutput(); err != nil {
		b.Fatalf("set: %v %s", err, out)
	}
	var times []time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		if out, err := exec.Command(binaryPath(), "--config-dir", dir, "status").CombinedOutput(); err != nil {
			b.Fatalf("status: %v %s", err, out)
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
}

// benchBinaries are gitopscfg built as `make build` builds it (GITOPSCFG_BENCH_BIN, e.g. the
// bin/gitopscfg of `make build`, or built into a temporary directory) and the bare huh form of
// ui/testdata/barehuh: a test binary starts more packages than the command, so start-up is timed
// on the real one.
func benchBinaries(b *testing.B) (gitopscfg, barehuh string) {
	b.Helper()
	dir := b.TempDir()
	build := func(out, pkg string) string {
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", filepath.Join(dir, out), pkg)
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("go build %s: %v\n%s", pkg, err, msg)
		}
		return filepath.Join(dir, out)
	}
	gitopscfg = os.Getenv("GITOPSCFG_BENCH_BIN")
	if gitopscfg == "" {
		gitopscfg = build("gitopscfg", "gitopscfg")
	}
	return gitopscfg, build("barehuh", "gitopscfg/ui/testdata/barehuh")
}

// firstFrame starts args in a 120×40 terminal and returns how long it took until marker was on
// the screen, and the process's peak resident set size (MB) a moment later. Like a terminal, it
// answers the cursor-position and background-colour queries.
func firstFrame(b *testing.B, marker string, args ...string) (time.Duration, float64) {
	b.Helper()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	start := time.Now()
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		tty.Close()
	}()
	var screen []byte
	buf := make([]byte, 64<<10)
	_ = tty.SetReadDeadline(time.Now().Add(10 * time.Second))
	for !bytes.Contains(screen, []byte(marker)) {
		n, err := tty.Read(buf)
		if err != nil {
			b.Fatalf("%s: %q never shown: %v", args[0], marker, err)
		}
		chunk := buf[:n]
		screen = append(screen, chunk...)
		if bytes.Contains(chunk, []byte("\x1b[6n")) {
			_, _ = tty.Write([]byte("\x1b[1;1R"))
		}
		if bytes.Contains(chunk, []byte("\x1b]11;?")) {
			_, _ = tty.Write([]byte("\x1b]11;rgb:0000/0000/0000\x1b\\"))
		}
	}
	took := time.Since(start)
	time.Sleep(100 * time.Millisecond) // let it settle: the peak counts what the first screen needed
	return took, float64(procStatusKB(b, cmd.Process.Pid, "VmHWM")) / 1024
}

func benchMedian(ts []time.Duration) time.Duration {
	s := slices.Clone(ts)
	slices.Sort(s)
	return s[len(s)/2]
}

func benchMS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// BenchmarkFirstFrame times start → first frame of the picker (a store with GitHub configured)
// against the bare huh form of ui/testdata/barehuh in a 120×40 terminal, in turn, five pairs per
// iteration. Reported: both medians, their ratio (target ≤ 1.2) and gitopscfg's peak RSS (target
// ≤ 25 MB). It needs /proc and the go command; use -benchtime 4x or more for steadier medians.
func BenchmarkFirstFrame(b *testing.B) {
	bin, bare := benchBinaries(b)
	dir := filepath.Join(b.TempDir(), "cfg")
	if out, err := exec.Command(bin, "--config-dir", dir, "init").CombinedOutput(); err != nil {
		b.Fatalf("init: %v %s", err, out)
	}
	set := exec.Command(bin, "--config-dir", dir, "set", "github", "--org", "acme", "--username", "u", "--token-stdin", "--no-check")
	set.Stdin = strings.NewReader(kit.Canary)
	if out, err := set.CombinedOutput(); err != nil {
		b.Fatalf("set: %v %s", err, out)
	}
	picker := []string{bin, "--config-dir", dir}
	const pickerWord, bareWord = "Global Configurations", "Git Host"
	firstFrame(b, pickerWord, picker...) // warm the page cache
	firstFrame(b, bareWord, bare)
	var ours, theirs []time.Duration
	var peak []float64
	for i := 0; b.Loop(); i++ {
		for j := range 5 {
			var u time.Duration
			if (i+j)%2 == 1 { // the other order every other pair
				u, _ = firstFrame(b, bareWord, bare)
			}
			t, rss := firstFrame(b, pickerWord, picker...)
			if (i+j)%2 == 0 {
				u, _ = firstFrame(b, bareWord, bare)
			}
			ours, theirs, peak = append(ours, t), append(theirs, u), append(peak, rss)
		}
	}
	slices.Sort(peak)
	b.ReportMetric(benchMS(benchMedian(ours)), "gitopscfg-ms")
	b.ReportMetric(benchMS(benchMedian(theirs)), "barehuh-ms")
	b.ReportMetric(float64(benchMedian(ours))/float64(benchMedian(theirs)), "ratio")
	b.ReportMetric(peak[len(peak)/2], "peak-MB")
}

// BenchmarkCheckProcess times `check github` against a local GitHub emulator (no added latency)
// and `version`, as whole processes in turn. Reported: both medians and their ratio (target ≤ 2):
// what a re-test costs beyond starting the binary (reading the store, three requests, recording
// the result).
func BenchmarkCheckProcess(b *testing.B) {
	bin, _ := benchBinaries(b)
	emu := kit.Emulators(b, fake.Options{})
	dir := filepath.Join(benchProcessDir(b), "cfg")
	if out, err := exec.Command(bin, "--config-dir", dir, "init").CombinedOutput(); err != nil {
		b.Fatalf("init: %v %s", err, out)
	}
	set := exec.Command(bin, "--config-dir", dir, "set", "github", "--host", emu.URL(providers.GitHub)+"/",
		"--org", fake.GitHubOrg, "--username", fake.GitHubUser, "--token-stdin", "--activate")
	set.Stdin = strings.NewReader(fake.GitHubTokenFull)
	if out, err := set.CombinedOutput(); err != nil {
		b.Fatalf("set: %v %s", err, out)
	}
	run := func(args ...string) time.Duration {
		start := time.Now()
		if out, err := exec.Command(bin, append([]string{"--config-dir", dir}, args...)...).CombinedOutput(); err != nil {
			b.Fatalf("%v: %v %s", args, err, out)
		}
		return time.Since(start)
	}
	run("version")
	run("check", "github")
	var version, check []time.Duration
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			version = append(version, run("version"))
			check = append(check, run("check", "github"))
		} else {
			check = append(check, run("check", "github"))
			version = append(version, run("version"))
		}
	}
	b.ReportMetric(benchMS(benchMedian(version)), "version-ms")
	b.ReportMetric(benchMS(benchMedian(check)), "check-ms")
	b.ReportMetric(float64(benchMedian(check))/float64(benchMedian(version)), "ratio")
}

// benchProcessDir is where BenchmarkCheckProcess keeps its store: GITOPSCFG_BENCH_DIR (a
// directory on the disk to measure, as for config's benchmarks), else a temporary directory.
func benchProcessDir(b *testing.B) string {
	if base := os.Getenv("GITOPSCFG_BENCH_DIR"); base != "" {
		dir, err := os.MkdirTemp(base, "bench-")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { os.RemoveAll(dir) })
		return dir
	}
	return b.TempDir()
}

// BenchmarkStatusManyCredentials runs `gitopscfg status` as a whole process on a store of 5
// credentials (one per provider) and on one of 200 (40 per provider), in turn, and reports both
// medians, their ratio and both peak resident set sizes: the target is ≤ 1.5× for each.
func BenchmarkStatusManyCredentials(b *testing.B) {
	store := func(n int) string {
		dir := filepath.Join(b.TempDir(), "cfg")
		if out, err := exec.Command(binaryPath(), "--config-dir", dir, "init").CombinedOutput(); err != nil {
			b.Fatalf("init: %v %s", err, out)
		}
		for i := range n {
			id := providers.IDs[i%len(providers.IDs)]
			name := string(id)
			if i >= len(providers.IDs) {
				name = fmt.Sprintf("%s-%03d", id, i)
			}
			args := []string{"--config-dir", dir, "set", name, "--provider", string(id), "--org", "acme", "--username", "u@example.com",
				"--token-stdin", "--no-check"}
			if id == providers.Azure || id == providers.Gitea {
				args = append(args, "--host", "https://"+string(id)+".example.com/acme/")
			}
			set := exec.Command(binaryPath(), args...)
			set.Stdin = strings.NewReader(kit.Canary)
			if out, err := set.CombinedOutput(); err != nil {
				b.Fatalf("set %s: %v %s", name, err, out)
			}
		}
		return dir
	}
	small, large := store(5), store(200)
	run := func(dir string) (time.Duration, float64) {
		cmd := exec.Command(binaryPath(), "--config-dir", dir, "status")
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("status: %v %s", err, out)
		}
		took := time.Since(start)
		return took, float64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) / 1024
	}
	var t5, t200 []time.Duration
	var r5, r200 []float64
	for b.Loop() {
		t, r := run(small)
		t5, r5 = append(t5, t), append(r5, r)
		t, r = run(large)
		t200, r200 = append(t200, t), append(r200, r)
	}
	slices.Sort(r5)
	slices.Sort(r200)
	b.ReportMetric(benchMS(benchMedian(t5)), "5-ms")
	b.ReportMetric(benchMS(benchMedian(t200)), "200-ms")
	b.ReportMetric(float64(benchMedian(t200))/float64(benchMedian(t5)), "time-ratio")
	b.ReportMetric(r5[len(r5)/2], "5-peak-MB")
	b.ReportMetric(r200[len(r200)/2], "200-peak-MB")
	b.ReportMetric(r200[len(r200)/2]/r5[len(r5)/2], "rss-ratio")
}
