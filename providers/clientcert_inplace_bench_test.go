package providers_test

import (
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
)

// What reading a client certificate kept in place costs each use of a transport (the pool's
// hit path), against one kept in the store.
func BenchmarkTransportClientCert(b *testing.B) {
	i := kit.NewCA(b, "Client CA").Client(b, "bench", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	certPath, keyPath := i.WriteFiles(b)
	for _, c := range []struct {
		name string
		net  config.Net
	}{
		{"in-store", config.Net{ClientCert: i.CertPEM, ClientKey: i.KeyPEM}},
		{"in-place", config.Net{ClientCertPath: certPath, ClientKeyPath: keyPath}},
	} {
		b.Run(c.name, func(b *testing.B) {
			env := providers.NewEnv("bench")
			for b.Loop() {
				if _, err := env.Clients.ForTransport(providers.Transport{Net: c.net}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
