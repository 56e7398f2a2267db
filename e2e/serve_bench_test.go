package e2e

import (
	"slices"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers/fake"
)

// BenchmarkServeFirstFrame measures TCP connect to the picker's first frame over SSH on loopback
// (dial, key exchange, authentication, pty, shell, first picker frame); the target is a median
// of at most 100 ms.
func BenchmarkServeFirstFrame(b *testing.B) {
	emu := kit.Emulators(b, fake.Options{})
	s := startServe(b, emu)
	var times []time.Duration
	for b.Loop() {
		start := time.Now()
		c := s.dial(b)
		sc := s.openScreen(b, c)
		sc.waitFor(b, pickerMarker, 10*time.Second)
		times = append(times, time.Since(start))
		c.Close()
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
}

// BenchmarkServeSessionsRSS holds 50 concurrent sessions and reports the server's RSS growth per
// session; the target is at most 4 MB.
func BenchmarkServeSessionsRSS(b *testing.B) {
	const sessions = 50
	emu := kit.Emulators(b, fake.Options{})
	for b.Loop() {
		s := startServe(b, emu, "--max-sessions", "64")
		warm := s.dial(b)
		s.openScreen(b, warm).waitFor(b, pickerMarker, 10*time.Second)
		warm.Close()
		time.Sleep(200 * time.Millisecond)
		before := procStatusKB(b, s.cmd.Process.Pid, "VmRSS")
		var clients []*gossh.Client
		for range sessions {
			c := s.dial(b)
			s.openScreen(b, c).waitFor(b, pickerMarker, 20*time.Second)
			clients = append(clients, c)
		}
		time.Sleep(200 * time.Millisecond)
		after := procStatusKB(b, s.cmd.Process.Pid, "VmRSS")
		for _, c := range clients {
			c.Close()
		}
		b.ReportMetric(float64(after-before)/sessions/1024, "MB/session")
		b.ReportMetric(float64(after)/1024, "MB-total")
	}
}
