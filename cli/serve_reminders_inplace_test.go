package cli

import (
	"bytes"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
)

// A client certificate kept in place is reminded of from its file as it is now, and the
// reminder says to renew that file: a renewal on disk silences it without a set.
func TestRemindersReadAClientCertificateInPlace(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC()
	ca := kit.NewCA(t, "Client CA")
	certPath, keyPath := ca.Client(t, "deploy-bot", now.Add(-time.Hour), now.Add(3*24*time.Hour+time.Hour)).WriteFiles(t)
	d := config.NewData()
	d.Credentials["github"] = &config.Credential{Provider: "github", Settings: config.Settings{ClientCertPath: certPath, ClientKeyPath: keyPath}}
	load := func() (*config.Data, error) { return d, nil }
	var buf bytes.Buffer
	logExpiringTokens(load, slog.New(slog.NewTextHandler(&buf, nil)), 14*24*time.Hour, now)
	if !strings.Contains(buf.String(), "client certificate expires soon or has expired: renew "+certPath+" (it is read there at each use)") {
		t.Fatalf("log:\n%s", buf.String())
	}
	renewed := ca.Client(t, "deploy-bot", now.Add(-time.Hour), now.Add(200*24*time.Hour))
	if err := os.WriteFile(certPath+".tmp", []byte(renewed.CertPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(certPath+".tmp", certPath); err != nil {
		t.Fatal(err)
	}
	if greeting := expiryGreeting(load, 14*24*time.Hour, now); strings.Contains(greeting, "client certificate") {
		t.Fatalf("a renewed certificate is still reminded of: %q", greeting)
	}
}
