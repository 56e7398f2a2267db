package cli

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
)

// A client certificate that expires within the window joins the tokens in the log and in the
// SSH greeting, named as a client certificate with how to replace it: a credential's, and a
// platform instance's own.
func TestRemindersNameExpiringClientCertificates(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC()
	ca := kit.NewCA(t, "Client CA")
	soon := ca.Client(t, "deploy-bot", now.Add(-time.Hour), now.Add(3*24*time.Hour+time.Hour))
	later := ca.Client(t, "other", now.Add(-time.Hour), now.Add(200*24*time.Hour))
	d := config.NewData()
	d.Credentials["github"] = &config.Credential{Provider: "github", Settings: config.Settings{ClientCert: soon.CertPEM, ClientKey: soon.KeyPEM}}
	d.Credentials["gitlab"] = &config.Credential{Provider: "gitlab", Settings: config.Settings{ClientCert: later.CertPEM, ClientKey: later.KeyPEM}}
	// A Devtron instance's own client certificate is reminded of too; a later one is not.
	devtronCert := ca.Client(t, "devtron-bot", now.Add(-time.Hour), now.Add(5*24*time.Hour+time.Hour))
	if d.Platforms == nil {
		d.Platforms = map[string]map[string]*config.Platform{}
	}
	d.Platforms["devtron"] = map[string]*config.Platform{
		"prod":  {URL: "https://devtron.corp.example", Net: config.Net{ClientCert: devtronCert.CertPEM, ClientKey: devtronCert.KeyPEM}},
		"stage": {URL: "https://devtron-stage.corp.example", Net: config.Net{ClientCert: later.CertPEM, ClientKey: later.KeyPEM}}}
	load := func() (*config.Data, error) { return d, nil }
	greeting := expiryGreeting(load, 14*24*time.Hour, now)
	if !strings.Contains(greeting, "GitHub: client certificate expires in 3 days") || strings.Contains(greeting, "GitLab") ||
		!strings.Contains(greeting, "Devtron instance prod: client certificate expires in 5 days") || strings.Contains(greeting, "stage") {
		t.Fatalf("greeting %q", greeting)
	}
	var buf bytes.Buffer
	logExpiringTokens(load, slog.New(slog.NewTextHandler(&buf, nil)), 14*24*time.Hour, now)
	if !strings.Contains(buf.String(), "client certificate expires soon or has expired: set a new one with `gitopscfg set github --client-cert FILE --client-key FILE`") ||
		!strings.Contains(buf.String(), "set a new one with `gitopscfg devtron set prod --client-cert FILE --client-key FILE`\" platform=devtron instance=prod") ||
		strings.Contains(buf.String(), "gitlab") || strings.Contains(buf.String(), "stage") || strings.Contains(buf.String(), "PRIVATE KEY") {
		t.Fatalf("log:\n%s", buf.String())
	}
}
