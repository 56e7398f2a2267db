package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gitopscfg/providers"
)

// defaultWarnExpiry is --warn-expiry's default: two weeks.
const defaultWarnExpiry = 14 * 24 * time.Hour

// expiryThresholds are --warn-expiry and --fail-expiry: a token expiring within Warn is a
// warning, within Fail a failed check (0: off).
type expiryThresholds struct {
	Warn, Fail time.Duration
}

// durationFlag is a pflag value taking days ("14d", "1d12h") as well as Go durations ("36h").
type durationFlag struct{ d *time.Duration }

func (f durationFlag) String() string {
	if f.d == nil {
		return ""
	}
	return formatDays(*f.d)
}

func (f durationFlag) Set(s string) error {
	d, err := parseDays(s)
	if err != nil {
		return err
	}
	*f.d = d
	return nil
}

func (f durationFlag) Type() string { return "duration" }

// parseDays parses "14d", "1d12h", "0" or any Go duration; negative values are refused.
func parseDays(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty duration: give days (14d) or a duration (36h, 90m)")
	}
	var d time.Duration
	rest := s
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		n, err := strconv.ParseUint(s[:i], 10, 16)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q: days must be a whole number before the d (14d, 1d12h)", s)
		}
		d = time.Duration(n) * 24 * time.Hour
		rest = s[i+1:]
	}
	if rest != "" {
		more, err := time.ParseDuration(rest)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q: give days (14d) or a duration (36h, 90m)", s)
		}
		if more < 0 {
			return 0, fmt.Errorf("invalid duration %q: it must not be negative", s)
		}
		d += more
	}
	return d, nil
}

// formatDays writes d as whole days when it is whole days ("14d"), else as a Go duration.
func formatDays(d time.Duration) string {
	const day = 24 * time.Hour
	if d > 0 && d%day == 0 {
		return fmt.Sprintf("%dd", d/day)
	}
	return d.String()
}

// leftText says how long is left before t, in days (hours under two days).
func leftText(left time.Duration) string {
	switch {
	case left <= 0:
		return "no time"
	case left < 48*time.Hour:
		return fmt.Sprintf("%d h", int(left.Hours()))
	}
	return fmt.Sprintf("%d days", int(left.Hours()/24))
}

// applyExpiry grades every result's expiry check against th at now: expired or within th.Fail
// fails (the result is then not OK), within th.Warn warns, later passes; the message says how
// long is left. A result whose expiry is unknown is left as the provider checked it.
func applyExpiry(results []providers.Result, th expiryThresholds, now time.Time) {
	for i := range results {
		r := &results[i]
		if r.ExpiresAt == nil {
			continue
		}
		at := *r.ExpiresAt
		left := at.Sub(now)
		date := at.UTC().Format("2006-01-02 15:04 UTC")
		var c providers.Check
		c.ID = providers.CheckExpiry
		switch {
		case left <= 0:
			c.Status = providers.Fail
			c.Message = fmt.Sprintf("the token expired on %s: GitOps stops working with it; replace it with `gitopscfg rotate %s`", date, r.Provider)
		case th.Fail > 0 && left <= th.Fail:
			c.Status = providers.Fail
			c.Message = fmt.Sprintf("expires in %s (%s), sooner than --fail-expiry %s: replace it with `gitopscfg rotate %s`",
				leftText(left), date, formatDays(th.Fail), r.Provider)
		case th.Warn > 0 && left <= th.Warn:
			c.Status = providers.Warn
			c.Message = fmt.Sprintf("expires in %s (%s), within the warning window of %s: replace it with `gitopscfg rotate %s`",
				leftText(left), date, formatDays(th.Warn), r.Provider)
		default:
			c.Status = providers.Pass
			c.Message = fmt.Sprintf("expires in %s (%s)", leftText(left), date)
		}
		replaced := false
		for j := range r.Checks {
			if r.Checks[j].ID == providers.CheckExpiry {
				r.Checks[j] = c
				replaced = true
			}
		}
		if !replaced {
			r.Checks = append(r.Checks, c)
		}
		r.Finish()
	}
}
