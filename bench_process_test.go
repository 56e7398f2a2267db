package main

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkStatusProcess runs `gitopscfg status` as a whole process (start, unlock, decrypt,
// print, exit) and reports the median; the target is ≤ 20 ms.
func BenchmarkStatusProcess(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "cfg")
	if out, err := exec.Command(binaryPath(), "--config-dir", dir, "init").CombinedOutput(); err != nil {
		b.Fatalf("init: %v %s", err, out)
	}
	set := exec.Command(binaryPath(), "--config-dir", dir, "set", "github", "--org", "acme", "--username", "u", "--token-stdin", "--no-check", "--activate")
	set.Stdin = strings.NewReader(canary)
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
