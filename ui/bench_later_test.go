package ui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// The editor's live check of a GitHub App, 50 ms added to every request of the GitHub emulator,
// from the panel's start to the result it shows (the command's checkDoneMsg):
//   - waits: the revocation (DELETE /installation/token) inside the check, as before: chain 4;
//   - later: the revocation in a command of its own, after the result: chain 3, one request less.
//
// go test ./ui -run '^$' -bench 'LiveCheckGitHubApp' -benchtime 20x
func BenchmarkLiveCheckGitHubApp(b *testing.B) {
	emu := kit.Emulators(b, fake.Options{Latency: 50 * time.Millisecond})
	c := emu.Credentials(providers.GitHub, fake.GitHubAppKey())
	c.Username, c.Kind, c.AppID = "", config.CredentialGitHubApp, fake.GitHubAppFull
	for name, d := range map[string]deps{"waits": {check: providers.Run}, "later": {}} {
		b.Run(name, func(b *testing.B) {
			m := newModel(Options{ConfigDir: b.TempDir(), Env: providers.NewEnv("bench"), Who: "bench"}, d)
			defer m.Close()
			p := newPanel(m.c)
			for b.Loop() {
				done := checkOf(b, p.start(c))
				b.StopTimer()
				if !done.result.OK {
					b.Fatalf("the check failed: %+v", done.result.Checks)
				}
				if later := p.Update(done, c); later != nil {
					if r, ok := later().(revokedMsg); !ok || r.warn != nil {
						b.Fatalf("the revocation: %+v", r.warn)
					}
				}
				b.StartTimer()
			}
			b.ReportMetric(float64((b.Elapsed()/time.Duration(b.N)).Microseconds())/1000, "ms/op")
		})
	}
}

// checkOf runs the check command of the panel's start (the first of its batch) and returns its reply.
func checkOf(b *testing.B, cmd tea.Cmd) checkDoneMsg {
	b.Helper()
	batch, ok := cmd().(tea.BatchMsg)
	if !ok || len(batch) == 0 {
		b.Fatalf("the panel's start is no batch of commands")
	}
	done, ok := batch[0]().(checkDoneMsg)
	if !ok {
		b.Fatalf("the panel's first command is not the check")
	}
	return done
}
