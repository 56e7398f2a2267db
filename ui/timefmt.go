package ui

import (
	"fmt"
	"time"
)

// Ago says how long before now t was ("just now", "5 min ago", "3 days ago"); the command line
// uses the same words.
func Ago(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}

// expiryWarnWithin is how close an expiry date must be to be shown as a warning.
const expiryWarnWithin = 14 * 24 * time.Hour

// ExpiryNote describes a token's expiry ("" when unknown) and whether it deserves a warning.
func ExpiryNote(exp *time.Time, now time.Time) (string, bool) {
	if exp == nil {
		return "", false
	}
	d := exp.Sub(now)
	switch {
	case d <= 0:
		return "token EXPIRED on " + exp.UTC().Format("2006-01-02"), true
	case d < 48*time.Hour:
		return fmt.Sprintf("token expires in %d h", int(d.Hours())), true
	}
	return fmt.Sprintf("token expires in %d days", int(d.Hours()/24)), d < expiryWarnWithin
}

// tookText is how long a check or stage took, for the checklists: "312 ms", "4.2 s".
func tookText(ms int64) string {
	if ms < 1000 {
		return fmt.Sprintf("%d ms", ms)
	}
	return fmt.Sprintf("%.1f s", float64(ms)/1000)
}
