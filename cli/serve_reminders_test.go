package cli

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
)

func TestServeRemindsOfExpiringTokens(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
	d := config.NewData()
	d.Credentials["github"] = &config.Credential{Provider: "github", Settings: config.Settings{Token: "ghp_CANARYreminder000000000000000000000000"}, LastCheck: &config.CheckRecord{At: now, ExpiresAt: at(5 * 24 * time.Hour)}}
	d.Credentials["gitlab"] = &config.Credential{Provider: "gitlab", LastCheck: &config.CheckRecord{At: now, ExpiresAt: at(300 * 24 * time.Hour)}}
	d.Credentials["azure"] = &config.Credential{Provider: "azure", LastDeep: &config.CheckRecord{At: now, ExpiresAt: at(-time.Hour)}}
	d.Credentials["bitbucket"] = &config.Credential{Provider: "bitbucket", LastCheck: &config.CheckRecord{At: now}}
	d.Credentials["acme-infra"] = &config.Credential{Provider: "github", LastCheck: &config.CheckRecord{At: now, ExpiresAt: at(2 * 24 * time.Hour)}}
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	ctx, cancel := context.WithCancel(context.Background())
	tick := make(chan time.Time)
	loads := make(chan struct{}, 4)
	load := func() (*config.Data, error) { loads <- struct{}{}; return d, nil }
	stopped := make(chan struct{})
	go func() {
		remindExpiringTokens(ctx, load, log, 14*24*time.Hour, tick, func() time.Time { return now })
		close(stopped)
	}()
	<-loads     // the reminder at start
	tick <- now // a day later
	<-loads     // the second reminder has started
	cancel()    // the loop returns once it has logged it
	<-stopped
	out := buf.String()
	if strings.Count(out, "credential=github provider=github") != 2 || !strings.Contains(out, "days_left=5") || strings.Count(out, "provider=azure") != 2 ||
		!strings.Contains(out, "token expired") || strings.Contains(out, "gitlab") || strings.Contains(out, "bitbucket") {
		t.Fatalf("reminders:\n%s", out)
	}
	// a second GitHub credential is reminded of by its name, with the command that rotates it
	if strings.Count(out, "credential=acme-infra provider=github") != 2 || !strings.Contains(out, "`gitopscfg rotate acme-infra`") {
		t.Fatalf("reminders of acme-infra:\n%s", out)
	}
	if strings.Contains(out, "CANARY") {
		t.Fatal("a token in the log")
	}
}

// TestSessionCommandWritesNoFiles: over SSH, check may not write a file on the server.
func TestSessionCommandWritesNoFiles(t *testing.T) {
	t.Parallel()
	path := t.TempDir() + "/x.prom"
	for _, args := range [][]string{{"check", "--output", path}, {"check", "--format", "prometheus", "--output=" + path}} {
		var out, errOut bytes.Buffer
		a := newFactory(Streams{}, "dev", func(string) string { return "" }, nil)
		if code := a.sessionCommands(nil, nil)(context.Background(), "ssh:test", args, &out, &errOut); code != exitUsageStore ||
			errOut.String() != "gitopscfg: --output is not available over SSH; "+sshUsage+"\n" {
			t.Fatalf("%v: exit %d %q", args, code, errOut.String())
		}
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("a session wrote a file on the server")
	}
}

// TestExpiryGreeting: the SSH greeting names the expired token and the one within the window, in
// the providers' order (a credential not named after its provider by its name, after the one
// that is), never one further away or without a remembered expiry, and no token.
func TestExpiryGreeting(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
	d := config.NewData()
	d.Credentials["github"] = &config.Credential{Provider: "github", Settings: config.Settings{Token: "ghp_CANARYgreeting000000000000000000000000"}, LastCheck: &config.CheckRecord{At: now, ExpiresAt: at(5*24*time.Hour + time.Hour)}}
	d.Credentials["gitlab"] = &config.Credential{Provider: "gitlab", Settings: config.Settings{Token: "glpat-CANARYgreeting0000"}, LastCheck: &config.CheckRecord{At: now, ExpiresAt: at(60 * 24 * time.Hour)}}
	d.Credentials["azure"] = &config.Credential{Provider: "azure", LastDeep: &config.CheckRecord{At: now, ExpiresAt: at(-26 * time.Hour)}}
	d.Credentials["bitbucket"] = &config.Credential{Provider: "bitbucket", LastCheck: &config.CheckRecord{At: now}}
	d.Credentials["acme-infra"] = &config.Credential{Provider: "github", LastCheck: &config.CheckRecord{At: now, ExpiresAt: at(2*24*time.Hour + time.Hour)}}
	got := expiryGreeting(func() (*config.Data, error) { return d, nil }, 14*24*time.Hour, now)
	want := "Tokens to replace soon — GitHub: token expires in 5 days (2026-12-06); acme-infra (GitHub): token expires in 2 days (2026-12-03); " +
		"Azure DevOps: token EXPIRED on 2026-11-30."
	if !strings.HasPrefix(got, want) || strings.Contains(got, "GitLab") || strings.Contains(got, "Bitbucket") || strings.Contains(got, "CANARY") {
		t.Fatalf("greeting %q", got)
	}
	delete(d.Credentials, "github")
	delete(d.Credentials, "azure")
	delete(d.Credentials, "acme-infra")
	if got := expiryGreeting(func() (*config.Data, error) { return d, nil }, 14*24*time.Hour, now); got != "" {
		t.Fatalf("greeting without expiring tokens: %q", got)
	}
}
