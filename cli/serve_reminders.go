package cli

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
	"gitopscfg/ui"
	"gitopscfg/usecase"
)

// reminderInterval is how often `serve` logs the tokens that expire soon.
const reminderInterval = 24 * time.Hour

// expiringToken is a stored credential (Name, of provider ID) whose token, by the expiry its last
// check remembered, expires within the warning window or has expired.
type expiringToken struct {
	Name      string
	ID        providers.ID
	ExpiresAt time.Time
	Left      time.Duration // ≤ 0: expired
	// Cert: it is the credential's client certificate that expires, not its token.
	Cert bool
	// Kind is set when it is the client certificate of a platform instance (Name, of this kind)
	// that expires.
	Kind string
	// Path is the file of a client certificate kept in place.
	Path string
}

// expiringTokens lists, in the order of usecase.CredentialNames, each credential of d whose
// remembered expiry falls within warn of now (or before it): no request is sent.
func expiringTokens(d *config.Data, warn time.Duration, now time.Time) []expiringToken {
	var out []expiringToken
	for _, name := range usecase.CredentialNames(d) {
		p := d.Credentials[name]
		if rec := p.Latest(); rec != nil && rec.ExpiresAt != nil {
			if left := rec.ExpiresAt.Sub(now); left <= warn {
				out = append(out, expiringToken{Name: name, ID: providers.ID(p.Provider), ExpiresAt: *rec.ExpiresAt, Left: left})
			}
		}
		if at, left, ok := certExpiring(p.Net(), warn, now); ok {
			out = append(out, expiringToken{Name: name, ID: providers.ID(p.Provider), ExpiresAt: at, Left: left, Cert: true,
				Path: p.ClientCertPath})
		}
	}
	return append(out, expiringInstanceCerts(d, warn, now)...)
}

// expiringInstanceCerts lists the platform instances (by kind, then name) whose own client
// certificate expires within warn of now, or has expired.
func expiringInstanceCerts(d *config.Data, warn time.Duration, now time.Time) []expiringToken {
	var out []expiringToken
	for _, kind := range slices.Sorted(maps.Keys(d.Platforms)) {
		for _, name := range slices.Sorted(maps.Keys(d.Platforms[kind])) {
			in := d.Platforms[kind][name]
			if at, left, ok := certExpiring(in.Net, warn, now); ok {
				out = append(out, expiringToken{Name: name, ExpiresAt: at, Left: left, Cert: true, Kind: kind, Path: in.ClientCertPath})
			}
		}
	}
	return out
}

// certExpiring says when n's client certificate (if any; one kept in place is read now) expires
// and how long is left, when that is within warn of now or past.
func certExpiring(n config.Net, warn time.Duration, now time.Time) (at time.Time, left time.Duration, ok bool) {
	if !n.HasClientCert() {
		return time.Time{}, 0, false
	}
	leaf, err := providers.ClientLeaf(n)
	if err != nil {
		return time.Time{}, 0, false
	}
	left = leaf.NotAfter.Sub(now)
	return leaf.NotAfter, left, left <= warn
}

// reminderLabel names what expires: a credential, or a platform instance ("Devtron instance
// default").
func reminderLabel(t expiringToken) string {
	if t.Kind == "" {
		return credentialLabel(t.Name, string(t.ID))
	}
	kind := t.Kind
	if spec, err := platforms.Lookup(t.Kind); err == nil {
		kind = spec.Name
	}
	return kind + " instance " + t.Name
}

// certFix is how a client certificate is replaced.
func certFix(t expiringToken) string {
	if t.Path != "" {
		return "renew " + t.Path + " (it is read there at each use)"
	}
	if t.Kind != "" {
		return "set a new one with `gitopscfg " + t.Kind + " set " + t.Name + " --client-cert FILE --client-key FILE`"
	}
	return "set a new one with `gitopscfg set " + t.Name + " --client-cert FILE --client-key FILE`"
}

// remindExpiringTokens logs, at start and then at every tick, each credential whose token expires
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

// logExpiringTokens logs one reminder per credential whose remembered expiry falls within warn of
// now, naming the credential and its provider.
func logExpiringTokens(load func() (*config.Data, error), log *slog.Logger, warn time.Duration, now time.Time) {
	d, err := load()
	if err != nil {
		log.Warn("cannot read the store to look for expiring tokens", "err", err)
		return
	}
	for _, t := range expiringTokens(d, warn, now) {
		if t.Kind != "" {
			log.Warn("client certificate expires soon or has expired: "+certFix(t), "platform", t.Kind, "instance", t.Name,
				"expires_at", t.ExpiresAt.UTC().Format(time.RFC3339), "days_left", int(t.Left.Hours()/24))
			continue
		}
		if t.Cert {
			log.Warn("client certificate expires soon or has expired: "+certFix(t), "credential", t.Name, "provider", t.ID,
				"expires_at", t.ExpiresAt.UTC().Format(time.RFC3339), "days_left", int(t.Left.Hours()/24))
			continue
		}
		if t.Left <= 0 {
			log.Warn("token expired: replace it with `gitopscfg rotate "+t.Name+"`", "credential", t.Name, "provider", t.ID,
				"expired_at", t.ExpiresAt.UTC().Format(time.RFC3339))
		} else {
			log.Warn("token expires soon: replace it with `gitopscfg rotate "+t.Name+"`", "credential", t.Name, "provider", t.ID,
				"expires_at", t.ExpiresAt.UTC().Format(time.RFC3339), "days_left", int(t.Left.Hours()/24))
		}
	}
}

// expiryGreeting is the notice an SSH session opens with: the tokens that expire within warn of
// now or have expired ("" when none, or when the store cannot be read: the picker says that
// itself). It names credentials (GitHub, acme-infra (GitHub)) and dates only, never a token.
func expiryGreeting(load func() (*config.Data, error), warn time.Duration, now time.Time) string {
	d, err := load()
	if err != nil {
		return ""
	}
	list := expiringTokens(d, warn, now)
	if len(list) == 0 {
		return ""
	}
	parts := make([]string, len(list))
	head := "Tokens to replace soon — "
	for i, t := range list {
		note, _ := ui.ExpiryNote(&t.ExpiresAt, now)
		if t.Left > 0 {
			note += " (" + t.ExpiresAt.UTC().Format("2006-01-02") + ")"
		}
		if t.Cert {
			note, head = "client certificate "+strings.TrimPrefix(note, "token "), "Tokens and client certificates to replace soon — "
		}
		parts[i] = reminderLabel(t) + ": " + note
	}
	return head + strings.Join(parts, "; ") +
		". Set a new token here (select the credential, enter) or run `gitopscfg rotate CREDENTIAL` on the server."
}
