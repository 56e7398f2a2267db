package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// TestServeGreetsSessionWithExpiringTokens: an interactive SSH session opens with a notice naming
// the tokens that expire within the warning window, from the stored check records: GitLab's, 3
// days away, is named with its days left; GitHub's, 60 days away, is not; no token is shown.
func TestServeGreetsSessionWithExpiringTokens(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	s := startServe(t, emu)
	store, err := config.Open(s.dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	soon, later := now.Add(3*24*time.Hour+time.Hour), now.Add(60*24*time.Hour+time.Hour)
	if _, err := store.Update(context.Background(), "test", config.ActionCheck, config.AnyRevision, func(d *config.Data) error {
		d.Credentials["gitlab"].LastCheck = &config.CheckRecord{At: now, OK: true, ExpiresAt: &soon}
		d.Credentials["github"].LastCheck = &config.CheckRecord{At: now, OK: true, ExpiresAt: &later}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	c := s.dial(t)
	defer c.Close()
	sc := s.openScreen(t, c)
	sc.waitForText(t, pickerMarker, 10*time.Second)
	sc.waitForText(t, "Tokens to replace soon — ", 5*time.Second)
	sc.waitForText(t, "GitLab: token expires in 3 days ("+soon.UTC().Format("2006-01-02")+")", time.Second)
	screen := sc.plain()
	if strings.Contains(screen, "GitHub: token") {
		t.Fatalf("the greeting names GitHub, 60 days from expiry: %q", kit.Tail(screen, 3000))
	}
	for _, id := range []providers.ID{providers.GitHub, providers.GitLab} {
		if tok := emu.DemoCredentials(id).Token; strings.Contains(sc.out.String(), tok) {
			t.Fatalf("the %s token is on the screen", id)
		}
	}
}
