package platforms_test

import (
	"context"
	"testing"
	"time"

	"gitopscfg/e2e/kit"
	"gitopscfg/platforms"
	"gitopscfg/platforms/devtronfake"
	"gitopscfg/providers"
)

// BenchmarkPushLatency50ms pushes an update to the Devtron emulator with 50 ms added to every
// request, as over a slow link: the push's cost is its request count times the latency (the
// validation itself takes no time in the emulator).
func BenchmarkPushLatency50ms(b *testing.B) {
	srv := kit.Devtron(b, devtronfake.Options{Latency: 50 * time.Millisecond})
	dt, err := platforms.NewDevtron(providers.NewEnv("bench"), platforms.Instance{URL: srv.URL(), Token: devtronfake.SuperAdminToken})
	if err != nil {
		b.Fatal(err)
	}
	c := github("acme")
	if res, err := dt.Push(context.Background(), c, platforms.PushOptions{}); err != nil || !res.OK() {
		b.Fatal(res, err)
	}
	b.ResetTimer()
	reqs := 0
	for b.Loop() {
		res, err := dt.Push(context.Background(), c, platforms.PushOptions{})
		if err != nil || !res.OK() {
			b.Fatal(res, err)
		}
		reqs = res.Requests
	}
	b.ReportMetric(float64(reqs), "requests/push")
}
