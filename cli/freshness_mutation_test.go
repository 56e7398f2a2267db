package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// The freshness gate before a delivery (push devtron, export): the latest of the last check and
// the last round trip decides; a failed one refuses (exit 2) unless --force, which warns.

// setChecked stores GitLab on x's emulators with the given last check and last round trip (nil:
// none).
func (x *runFixture) setChecked(check, deep *config.CheckRecord) {
	x.t.Helper()
	settings := x.emu.Credentials(providers.GitLab, fake.GitLabTokenFull).Settings
	c := config.Change{Credential: string(providers.GitLab), Base: config.AnyRevision, Settings: settings, Check: check, Activate: true}
	if deep != nil {
		c.Deep, c.DeepOf = deep, settings
	}
	if _, err := x.s.Set(context.Background(), "setup", c); err != nil {
		x.t.Fatal(err)
	}
	p := x.data().Credentials["gitlab"]
	if (p.LastCheck == nil) != (check == nil) || (p.LastDeep == nil) != (deep == nil) {
		x.t.Fatalf("the store kept check %v, round trip %v", p.LastCheck, p.LastDeep)
	}
}

// freshnessCases are the records that refuse a delivery, or let it through, and what the refusal
// names.
func freshnessCases(now time.Time) []struct {
	name        string
	check, deep *config.CheckRecord
	refused     bool
} {
	earlier, later := now.Add(-time.Hour), now.Add(-time.Minute)
	rec := func(at time.Time, ok bool) *config.CheckRecord { return &config.CheckRecord{At: at, OK: ok} }
	return []struct {
		name        string
		check, deep *config.CheckRecord
		refused     bool
	}{
		{"the last check failed", rec(later, false), nil, true},
		{"the last round trip failed", nil, rec(later, false), true},
		{"a round trip failed after a passing check", rec(earlier, true), rec(later, false), true},
		{"a check passed after a failed round trip", rec(later, true), rec(earlier, false), false},
		{"a round trip passed after a failed check", rec(earlier, false), rec(later, true), false},
		{"the last check passed", rec(later, true), nil, false},
	}
}

// TestPushRefusesAFailedLatestCheck: push devtron refuses credentials whose latest check or round
// trip failed (nothing reaches Devtron), pushes them with --force and a warning naming the
// failure, and pushes without a word when the latest one passed.
func TestPushRefusesAFailedLatestCheck(t *testing.T) {
	t.Parallel()
	const adminCanary = "devtron-CANARY-fresh-admin-token-000021"
	now := time.Now().UTC().Truncate(time.Second)
	for _, c := range freshnessCases(now) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			x := newRunFixture(t)
			x.devtron(map[string]bool{adminCanary: true}, adminCanary)
			x.setChecked(c.check, c.deep)
			ctx := context.Background()

			err := pushRun(ctx, x.pushOpts())
			if c.refused {
				if exitCode(err) != exitUsageStore || !strings.Contains(err.Error(), "gitlab's last check (") ||
					!strings.Contains(err.Error(), ") failed: run `gitopscfg check gitlab` first, or give --force") {
					t.Fatalf("push: exit %d, %v; want the failed check refused\n%s%s", exitCode(err), err, x.out.String(), x.err.String())
				}
				if rows := x.dt.Rows(); len(rows) != 0 {
					t.Fatalf("a refused push reached Devtron: %d rows", len(rows))
				}
				opts := x.pushOpts()
				opts.Force = true
				if err := pushRun(ctx, opts); err != nil || !strings.Contains(x.err.String(), ") failed; going on because of --force") {
					t.Fatalf("push --force: %v, stderr %q", err, x.err.String())
				}
			} else {
				if err != nil || strings.Contains(x.err.String(), "--force") {
					t.Fatalf("push after a passing latest check: %v, stderr %q", err, x.err.String())
				}
			}
			if rows := x.dt.Rows(); len(rows) != 1 || rows[0].Provider != "GITLAB" {
				t.Fatalf("Devtron holds %d rows after the push", len(rows))
			}
			x.noneLeaked(adminCanary, fake.GitLabTokenFull)
		})
	}
}

// TestExportRefusesAFailedLatestCheck: the same gate before export (flux, which needs no
// network): refused without --force (no manifest written), written with --force and a warning,
// written silently when the latest check passed.
func TestExportRefusesAFailedLatestCheck(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC().Truncate(time.Second)
	for _, c := range freshnessCases(now) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			x := newRunFixture(t)
			x.setChecked(c.check, c.deep)
			ctx := context.Background()

			err := exportRun(ctx, x.exportOpts("flux", false))
			if c.refused {
				if exitCode(err) != exitUsageStore || x.out.Len() != 0 || !strings.Contains(err.Error(), "gitlab's last check (") ||
					!strings.Contains(err.Error(), ") failed: run `gitopscfg check gitlab` first, or give --force") {
					t.Fatalf("export: exit %d, %v, stdout %d bytes; want the failed check refused", exitCode(err), err, x.out.Len())
				}
				x.noneLeaked(fake.GitLabTokenFull)
				opts := x.exportOpts("flux", false)
				opts.Force = true
				err = exportRun(ctx, opts)
				if !strings.Contains(x.err.String(), ") failed; going on because of --force") {
					t.Errorf("export --force: no warning on stderr: %q", x.err.String())
				}
			} else if strings.Contains(x.err.String(), "--force") {
				t.Errorf("export after a passing latest check warned: %q", x.err.String())
			}
			if err != nil || !strings.Contains(x.out.String(), "Secret") || !strings.Contains(x.out.String(), fake.GitLabTokenFull) {
				t.Fatalf("export: %v\n%s", err, x.err.String())
			}
			if strings.Contains(x.err.String(), fake.GitLabTokenFull) {
				t.Fatalf("the token is on stderr: %q", x.err.String())
			}
		})
	}
}
