package providers_test

import (
	"context"
	"testing"
	"time"

	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// With 50 ms added to every answer, one check costs (longest chain of dependent requests) × 50 ms
// plus overhead. Both checks send all their requests concurrently: the chain is 1 request, so a
// check should take about 50 ms (budget 65 ms) and allocate well under 1 MB.

func azbbBenchCheck(b *testing.B, id providers.ID) {
	emu, err := fake.Start(fake.Options{Latency: 50 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(emu.Close)
	env := providers.NewEnv("bench")
	env.Timeout = 5 * time.Second
	c := emu.DemoCredentials(id)
	if r := providers.Run(context.Background(), env, c); !r.OK { // warm the connection pool
		b.Fatalf("demo credentials do not pass: %+v", r.Checks)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if r := providers.Run(context.Background(), env, c); !r.OK {
			b.Fatalf("check failed: %+v", r.Checks)
		}
	}
}

func BenchmarkCheckAzure(b *testing.B)     { azbbBenchCheck(b, providers.Azure) }
func BenchmarkCheckBitbucket(b *testing.B) { azbbBenchCheck(b, providers.Bitbucket) }
