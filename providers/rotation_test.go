package providers

import (
	"testing"
	"time"
)

// TestRotationLifetime: a rotated token keeps the old one's lifetime, within a week and the
// provider's maximum; an unknown lifetime (no creation or expiry date) gets the maximum.
func TestRotationLifetime(t *testing.T) {
	t.Parallel()
	const day = 24 * time.Hour
	r := Rotation{MaxLifetime: 365 * day}
	at := func(d time.Duration) *time.Time { v := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(d); return &v }
	for name, c := range map[string]struct {
		info TokenInfo
		want time.Duration
	}{
		"the old one's":         {TokenInfo{CreatedAt: at(0), ExpiresAt: at(90 * day)}, 90 * day},
		"at least a week":       {TokenInfo{CreatedAt: at(0), ExpiresAt: at(2 * day)}, 7 * day},
		"at most the maximum":   {TokenInfo{CreatedAt: at(0), ExpiresAt: at(900 * day)}, 365 * day},
		"never expires":         {TokenInfo{CreatedAt: at(0)}, 365 * day},
		"creation date unknown": {TokenInfo{ExpiresAt: at(30 * day)}, 365 * day},
	} {
		if got := r.Lifetime(c.info); got != c.want {
			t.Errorf("%s: %v, want %v", name, got, c.want)
		}
	}
	now := time.Date(2026, 11, 25, 22, 30, 0, 0, time.FixedZone("x", -5*3600)) // 2026-11-26 03:30 UTC
	if got, want := RotatedExpiry(now, 7*day), time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("expiry %v, want %v (a date, counted from today in UTC)", got, want)
	}
}

// TestRevokeURL: the old token is revoked on the token page, except GitHub's fine-grained tokens,
// which have a page of their own (on Enterprise Server too).
func TestRevokeURL(t *testing.T) {
	t.Parallel()
	gh, gl := MustLookup(GitHub), MustLookup(GitLab)
	for _, c := range []struct {
		p           Provider
		host, token string
		want        string
	}{
		{gh, "https://github.com/", "ghp_classic", "https://github.com/settings/tokens"},
		{gh, "https://github.com/", "github_pat_11ABC", "https://github.com/settings/personal-access-tokens"},
		{gh, "https://ghe.example.com/", "github_pat_11ABC", "https://ghe.example.com/settings/personal-access-tokens"},
		{gl, "https://gitlab.example.com/", "glpat-x", "https://gitlab.example.com/-/user_settings/personal_access_tokens"},
	} {
		if got := c.p.RevokeURL(c.host, c.token); got != c.want {
			t.Errorf("%s %s…: %s, want %s", c.p.ID, c.token[:5], got, c.want)
		}
	}
}
