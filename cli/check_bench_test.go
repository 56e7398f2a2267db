package cli

import (
	"context"
	"slices"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
	"gitopscfg/usecase"
)

// BenchmarkCheckAll runs `check --all`'s work (every credential concurrently: ten, two of each
// of the five providers) against emulators that add 50 ms to every response, and each provider's
// first credential alone, in the same run. The target: --all takes at most the slowest single
// credential's time + 10%. Reported: the medians and their ratio.
func BenchmarkCheckAll(b *testing.B) {
	emu := kit.Emulators(b, fake.Options{Latency: 50 * time.Millisecond})
	d := config.NewData()
	for _, id := range providers.IDs {
		for _, name := range []string{string(id), string(id) + "-2"} {
			p := &config.Credential{Provider: string(id)}
			p.Settings = emu.DemoCredentials(id).Settings
			d.Credentials[name] = p
		}
	}
	b2 := usecase.New(nil, usecase.Options{Env: usecase.EnvOf(providers.NewEnv("bench"))})
	ctx := context.Background()
	median := func(ts []time.Duration) time.Duration {
		slices.Sort(ts)
		return ts[len(ts)/2]
	}
	var all []time.Duration
	single := map[providers.ID][]time.Duration{}
	for b.Loop() {
		start := time.Now()
		for _, r := range b2.RunTests(ctx, d, usecase.CredentialNames(d), usecase.TestOptions{}) {
			if !r.OK {
				b.Fatalf("%s failed: %+v", r.Provider, r.Checks)
			}
		}
		all = append(all, time.Since(start))
		for _, id := range providers.IDs {
			start := time.Now()
			b2.RunTests(ctx, d, []string{string(id)}, usecase.TestOptions{})
			single[id] = append(single[id], time.Since(start))
		}
	}
	slowest := time.Duration(0)
	for id, ts := range single {
		m := median(ts)
		b.ReportMetric(float64(m.Microseconds())/1000, string(id)+"-ms")
		slowest = max(slowest, m)
	}
	m := median(all)
	b.ReportMetric(float64(m.Microseconds())/1000, "all-ms")
	b.ReportMetric(float64(m)/float64(slowest), "all/slowest")
}
