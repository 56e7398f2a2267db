package ui

import (
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
)

// TestPickerExpiryIsTheLatestRecords: the picker's line of a credential notes the token's expiry
// as the latest of its last check and last round trip remembered it (the store's one rule,
// config.Credential.Latest), whichever of the two ran last.
func TestPickerExpiryIsTheLatestRecords(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	soon, later := now.Add(3*24*time.Hour), now.Add(200*24*time.Hour)
	rec := func(ago time.Duration, exp time.Time) *config.CheckRecord {
		return &config.CheckRecord{At: now.Add(-ago), OK: true, ExpiresAt: &exp}
	}
	c := &common{styles: newStyles(true), now: func() time.Time { return now }}
	p := newPicker(c)
	for _, tc := range []struct {
		name        string
		check, deep *config.CheckRecord
		want, not   time.Time
	}{
		{"the round trip ran last", rec(2*time.Hour, soon), rec(time.Hour, later), later, soon},
		{"the check ran last", rec(time.Hour, soon), rec(2*time.Hour, later), soon, later},
		{"a round trip alone", nil, rec(time.Hour, soon), soon, later},
		{"a check alone", rec(time.Hour, later), nil, later, soon},
	} {
		cred := &config.Credential{LastCheck: tc.check, LastDeep: tc.deep}
		line := plainText(p.checkLine("gitlab", cred, 400))
		want, _ := ExpiryNote(&tc.want, now)
		not, _ := ExpiryNote(&tc.not, now)
		if !strings.Contains(line, want) || strings.Contains(line, not) {
			t.Errorf("%s: the picker shows %q; want %q, not %q", tc.name, line, want, not)
		}
	}
}
