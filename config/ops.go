package config

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The store's edits: the command line, the full-screen UI and the plain-prompt mode all change the
// store through these operations, so that the same rules hold whichever way an admin works.

// Action names a kind of change in the audit trail.
type Action string

// The audit actions.
const (
	// ActionAdd: a provider was configured for the first time.
	ActionAdd Action = "add"
	// ActionSet: a configured provider's settings changed.
	ActionSet Action = "set"
	// ActionRemove: a provider and its token were deleted.
	ActionRemove Action = "remove"
	// ActionActivate: a provider became the active one.
	ActionActivate Action = "activate"
	// ActionDeactivate: no provider is active any more (the active one was removed).
	ActionDeactivate Action = "deactivate"
	// ActionRotate: a provider's token was replaced by a rotation (RotateToken).
	ActionRotate Action = "rotate"
	// ActionCheck: a check result was recorded; it changes no settings, so it makes no entry of its own.
	ActionCheck Action = "check"
)

// AnyRevision, given as the base revision of an edit, applies the edit to whatever is current:
// the edit function sees the current content, so no other writer's change is lost.
const AnyRevision int64 = -1

// Change is one edit of a credential's settings (see Set).
type Change struct {
	// Credential is the credential's name (e.g. "github", "acme-infra").
	Credential string
	// Provider is the provider's id of a new credential ("": the provider named like the
	// credential); an existing credential keeps its provider, which Provider must then match.
	Provider string
	// Base is the store revision the edit started from: the save conflicts when this provider's
	// settings changed, or it was removed, after Base. AnyRevision applies it to whatever is current.
	Base int64
	// Settings are the provider's settings as the caller means them (and checked them).
	Settings Settings
	// Fields, when not empty, limits the edit to these settings: the others keep their current
	// values (a command line that sets only --org).
	Fields []Field
	// Check is the live check of exactly Settings, kept as the last check.
	Check *CheckRecord
	// Deep is a round trip of DeepOf, kept as the last round trip when DeepOf are the saved settings.
	Deep   *CheckRecord
	DeepOf Settings
	// Activate also makes the provider the active one.
	Activate bool
	// At is when the edit was made.
	At time.Time
}

// Set saves a provider's settings. A new provider gets an "add" audit entry, a changed one a
// "set" entry naming the changed fields. Check records follow the settings they tested: a check
// given with the change is kept; one of other settings is refused (KindStale: the settings saved
// would not be the ones checked) or, for a round trip of an older draft, dropped; records of the
// previous settings are forgotten when the settings change.
func (s *Store) Set(ctx context.Context, who string, c Change) (*Data, error) {
	if err := ValidName(c.Credential); err != nil {
		return nil, &Error{Kind: KindInvalid, Credential: c.Credential, Msg: "the credential's name: " + err.Error() + "; nothing was changed"}
	}
	for _, f := range c.Fields {
		if (&Settings{}).Ref(f) == nil {
			return nil, &Error{Kind: KindInvalid, Msg: fmt.Sprintf("%q is not a setting; nothing was changed", f)}
		}
	}
	if c.Check != nil && c.Check.Deep {
		return nil, &Error{Kind: KindInvalid, Msg: "a round trip is not a check: give it as Deep; nothing was changed"}
	}
	if c.At.IsZero() {
		c.At = s.now()
	}
	return s.editProvider(ctx, who, ActionSet, c.Credential, c.Base, func(d *Data) error {
		p := d.Credentials[c.Credential]
		switch {
		case p == nil:
			p = &Credential{Provider: cmp.Or(c.Provider, c.Credential)}
			d.Credentials[c.Credential] = p
		case c.Provider != "" && c.Provider != p.Provider:
			return &Error{Kind: KindInvalid, Credential: c.Credential,
				Msg: fmt.Sprintf("the credential %s is of provider %s, not %s; nothing was changed", c.Credential, p.Provider, c.Provider)}
		}
		next := c.Settings
		if len(c.Fields) > 0 {
			next = p.Settings
			for _, f := range c.Fields {
				*next.Ref(f) = *c.Settings.Ref(f)
			}
		}
		tested := c.Check != nil || (c.Deep != nil && c.DeepOf == c.Settings)
		if tested && next != c.Settings {
			return staleError(c.Credential)
		}
		p.Settings = next
		p.UpdatedAt = c.At.UTC()
		if c.Check != nil {
			p.LastCheck = c.Check.clone()
		}
		if c.Deep != nil && c.DeepOf == next {
			p.LastDeep = c.Deep.clone()
			p.LastDeep.Deep = true
		}
		if c.Activate {
			d.Active = c.Credential
		}
		return nil
	})
}

// Activate makes provider id the active one. It must be configured (KindNotConfigured otherwise),
// whatever revision the caller saw: activation is of the provider as it is now.
func (s *Store) Activate(ctx context.Context, who, id string) (*Data, error) {
	return s.Update(ctx, who, ActionActivate, AnyRevision, func(d *Data) error {
		if d.Credentials[id] == nil {
			return notConfiguredError(id)
		}
		d.Active = id
		return nil
	})
}

// Remove deletes provider id and its token. It conflicts when the provider's settings changed, or
// it was removed, after base (AnyRevision: remove it as it is now); other providers' changes and
// recorded checks do not conflict. It fails with KindNotConfigured when id is not configured.
// wasActive says whether it was the active provider (no provider is active then).
func (s *Store) Remove(ctx context.Context, who, id string, base int64) (d *Data, wasActive bool, err error) {
	d, err = s.editProvider(ctx, who, ActionRemove, id, base, func(d *Data) error {
		if d.Credentials[id] == nil {
			return notConfiguredError(id)
		}
		delete(d.Credentials, id)
		if d.Active == id {
			d.Active, wasActive = "", true
		}
		return nil
	})
	return d, wasActive, err
}

// TokenRotation is the replacement of one provider's token (see RotateToken).
type TokenRotation struct {
	// Credential is the credential's name (e.g. "gitlab").
	Credential string
	// From are the provider's settings when the rotation started, the old token among them.
	From Settings
	// Token is the new token.
	Token string
	// Issued: the provider issued Token and revoked the old one at once (a rotation through its
	// API), so Token is the only token that works. It is saved before anything else (so without
	// Check or Deep), over whatever else changed in the provider's settings meanwhile.
	//
	// Otherwise the admin made Token, and it is saved only with the live check (Check) and the
	// round trip (Deep) it passed with the settings From.
	Issued bool
	Check  *CheckRecord
	Deep   *CheckRecord
	// At is when the rotation was saved.
	At time.Time
}

// RotateToken saves a rotation's new token, with a "rotate" audit entry naming the token (and
// only the token). The old token's check records go; a rotation by hand keeps the new token's.
// Nothing is saved when
//   - the rotation is malformed (KindInvalid): no provider or token, the new token is the old
//     one, records with an issued token, or a token made by hand without a passing check and round trip;
//   - the provider was removed meanwhile (KindNotConfigured);
//   - the stored token is no longer the old one (KindConflict): someone else replaced it, and
//     theirs is kept;
//   - by hand, the provider's other settings changed meanwhile (KindStale): the check and the
//     round trip tested the old ones.
func (s *Store) RotateToken(ctx context.Context, who string, r TokenRotation) (*Data, error) {
	invalid := func(msg string) (*Data, error) {
		return nil, &Error{Kind: KindInvalid, Credential: r.Credential, Msg: msg + "; nothing was changed"}
	}
	switch {
	case r.Credential == "":
		return invalid("no provider given")
	case r.Token == "":
		return invalid("no new token given")
	case r.Token == r.From.Token:
		return invalid("the new token is the one stored already")
	case r.Issued && (r.Check != nil || r.Deep != nil):
		return invalid("a token the provider issued is saved before it is checked, so without check records")
	case !r.Issued && (r.Check == nil || r.Check.Deep || !r.Check.OK):
		return invalid("a token made by hand is saved only once its live check passed")
	case !r.Issued && (r.Deep == nil || !r.Deep.Deep || !r.Deep.OK):
		return invalid("a token made by hand is saved only once its round trip passed")
	}
	if r.At.IsZero() {
		r.At = s.now()
	}
	return s.Update(ctx, who, ActionRotate, AnyRevision, func(d *Data) error {
		p := d.Credentials[r.Credential]
		switch {
		case p == nil:
			return &Error{Kind: KindNotConfigured, Credential: r.Credential,
				Msg: r.Credential + " was removed from the store while its token was being rotated; nothing was saved"}
		case p.Token != r.From.Token:
			return &Error{Kind: KindConflict, Credential: r.Credential,
				Msg: "the stored token was replaced while rotating: that one is kept, and nothing was saved"}
		case !r.Issued && p.Settings != r.From:
			return &Error{Kind: KindStale, Credential: r.Credential,
				Msg: "the settings of " + r.Credential + " changed while the new token was being checked; nothing was saved"}
		}
		p.Token = r.Token
		p.UpdatedAt = r.At.UTC()
		p.LastCheck, p.LastDeep = r.Check.clone(), r.Deep.clone()
		return nil
	})
}

// Checked is the result of checking (or, with Record.Deep, round-tripping) one provider's settings.
type Checked struct {
	Credential string
	// Tested are the settings the check ran on.
	Tested Settings
	Record *CheckRecord
}

// RecordChecks keeps each result as its provider's last check (last round trip when Record.Deep),
// when the provider still has the settings that were tested; a result of settings that changed or
// were removed meanwhile belongs to no stored credentials and is left out. It makes no audit
// entry and leaves the backup as it is (it changes no settings). When no result can be kept,
// nothing is written and the error is KindStale.
func (s *Store) RecordChecks(ctx context.Context, who string, results ...Checked) (*Data, error) {
	if len(results) == 0 {
		return nil, &Error{Kind: KindInvalid, Msg: "no check result to record; nothing was changed"}
	}
	return s.Update(ctx, who, ActionCheck, AnyRevision, func(d *Data) error {
		var stale []string
		for _, r := range results {
			p := d.Credentials[r.Credential]
			if p == nil || r.Record == nil || p.Settings != r.Tested {
				stale = append(stale, r.Credential)
				continue
			}
			if r.Record.Deep {
				p.LastDeep = r.Record.clone()
			} else {
				p.LastCheck = r.Record.clone()
			}
		}
		if len(stale) == len(results) {
			return staleError(stale...)
		}
		return nil
	})
}

// editProvider is UpdateProvider, with AnyRevision applying to whatever is current.
func (s *Store) editProvider(ctx context.Context, who string, action Action, id string, base int64, edit func(*Data) error) (*Data, error) {
	if base == AnyRevision {
		return s.Update(ctx, who, action, AnyRevision, edit)
	}
	return s.UpdateProvider(ctx, who, action, id, base, edit)
}

func notConfiguredError(id string) error {
	return &Error{Kind: KindNotConfigured, Credential: id, Msg: id + " is not configured; nothing was changed"}
}

func staleError(ids ...string) error {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	return &Error{Kind: KindStale, Credential: strings.Join(ids, ", "),
		Msg: fmt.Sprintf("the stored settings of %s changed while they were being checked; nothing was saved", strings.Join(ids, ", "))}
}

// SetPlatform stores the platform instance of kind named name (URL, secret, CA bundle and the
// check that passed, if any), replacing the one stored under that name before.
func (s *Store) SetPlatform(ctx context.Context, who, kind, name string, p Platform) (*Data, error) {
	if err := ValidName(name); err != nil {
		return nil, &Error{Kind: KindInvalid, Msg: fmt.Sprintf("the %s instance: %v; nothing was changed", kind, err)}
	}
	p.UpdatedAt = s.now().UTC()
	return s.Update(ctx, who, PlatformAction(kind, false), AnyRevision, func(d *Data) error {
		if d.Platforms == nil {
			d.Platforms = map[string]map[string]*Platform{}
		}
		if d.Platforms[kind] == nil {
			d.Platforms[kind] = map[string]*Platform{}
		}
		d.Platforms[kind][name] = &p
		return nil
	})
}

// RemovePlatform forgets the platform instance of kind named name ("": the default or only one,
// see Data.Instance); KindNotConfigured when there is none.
func (s *Store) RemovePlatform(ctx context.Context, who, kind, name string) (*Data, error) {
	return s.Update(ctx, who, PlatformAction(kind, true), AnyRevision, func(d *Data) error {
		found, _ := d.Instance(kind, name)
		switch {
		case found == "" && name == "":
			return &Error{Kind: KindNotConfigured, Msg: fmt.Sprintf("no %s instance is stored; nothing was changed", kind)}
		case found == "":
			return &Error{Kind: KindNotConfigured, Msg: fmt.Sprintf("no %s instance named %q is stored; nothing was changed", kind, name)}
		}
		name = found
		delete(d.Platforms[kind], name)
		if len(d.Platforms[kind]) == 0 {
			delete(d.Platforms, kind)
		}
		return nil
	})
}
