package cli

import (
	"context"
	"log/slog"
	"time"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// reminderInterval is how often `serve` logs the tokens that expire soon.
const reminderInterval = 24 * time.Hour

// remindExpiringTokens logs, at start and then at every tick, each provider whose token expires
// within warn (or has expired), from the expiry its last check remembered: no request is sent.
func remindExpiringTokens(ctx context.Context, load func() (*config.Data, error), log *slog.Logger, warn time.Duration,
	tick <-chan time.Time, now func() time.Time) {
	for {
		logExpiringTokens(load, log, warn, now())
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
	}
}

// logExpiringTokens logs one reminder per provider whose remembered expiry falls within warn of now.
func logExpiringTokens(load func() (*config.Data, error), log *slog.Logger, warn time.Duration, now time.Time) {
	d, err := load()
	if err != nil {
		log.Warn("cannot read the store to look for expiring tokens", "err", err)
		return
	}
	for _, id := range providers.IDs {
		p := d.Providers[string(id)]
		if p == nil {
			continue
		}
		rec := latestCheck(p)
		if rec == nil || rec.ExpiresAt == nil {
			continue
		}
		left := rec.ExpiresAt.Sub(now)
		switch {
		case left <= 0:
			log.Warn("token expired: replace it with `gitopscfg rotate "+string(id)+"`", "provider", id,
				"expired_at", rec.ExpiresAt.UTC().Format(time.RFC3339))
		case left <= warn:
			log.Warn("token expires soon: replace it with `gitopscfg rotate "+string(id)+"`", "provider", id,
				"expires_at", rec.ExpiresAt.UTC().Format(time.RFC3339), "days_left", int(left.Hours()/24))
		}
	}
}
