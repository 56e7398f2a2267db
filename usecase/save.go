package usecase

import (
	"context"
	"time"

	"gitopscfg/config"
	"gitopscfg/forms"
	"gitopscfg/providers"
)

// Verify is what Save runs on the credentials before it saves them.
type Verify int

const (
	// VerifyNone saves without running anything (a result given with the input is still kept).
	VerifyNone Verify = iota
	// VerifyCheck runs the live check; the credentials are saved only if it passes.
	VerifyCheck
	// VerifyDeep runs the round trip; the credentials are saved only if it passes.
	VerifyDeep
)

// Verified is a check or round trip of exactly Creds, run at At.
type Verified struct {
	Creds  providers.Credentials
	Result providers.Result
	At     time.Time
}

// SaveInput is one save of a provider's credentials.
type SaveInput struct {
	// Credentials are the provider's credentials as typed: Save normalises them (forms.Credentials)
	// and refuses what is not valid.
	Credentials providers.Credentials
	// Fields, when not empty, limits the save to these fields: the others keep their stored values.
	Fields []providers.FieldKey
	// Base is the store revision the edit started from (config.AnyRevision: whatever is current).
	Base     int64
	Activate bool
	Verify   Verify
	// Anyway saves even when the check failed (the admin was asked and said so); the failed
	// result is kept as the provider's last check.
	Anyway bool
	// Check and Deep are a live check and a round trip the front-end already ran; each is kept
	// only when it tested exactly the normalised credentials.
	Check, Deep *Verified
	// Timeout bounds what Save runs (0: the environment's, or the round trip's default).
	Timeout time.Duration
	// Stage receives the round trip's stages as they start and end (VerifyDeep; nil: none).
	Stage func(providers.Check)
	// TrustHostKey ("SHA256:…") trusts the SSH server's host key when it is that one; AskHostKey,
	// when set, asks the admin about a host key seen for the first time (see trustHostKey).
	TrustHostKey string
	AskHostKey   HostKeyQuestion
	// RegisterKey registers the SSH key's public half through the provider's API before the check
	// (a deploy key of the credential's repository, or a key of the token's user); a save that
	// fails afterwards deletes it again.
	RegisterKey bool
}

// Saved is what a save did.
type Saved struct {
	// Data is the store after the save (nil when nothing was saved).
	Data *config.Data
	// Credentials are the normalised credentials (saved, or not).
	Credentials providers.Credentials
	// Result is the check or round trip Save ran (nil when it ran none).
	Result *providers.Result
	// KeyRegistered says what RegisterKey did ("" nothing); KeyUnregistered what a failed save
	// then did to undo it.
	KeyRegistered, KeyUnregistered string
}

// InvalidError is a save refused because a field is not valid; nothing was run or saved.
type InvalidError struct{ Err error }

func (e *InvalidError) Error() string { return e.Err.Error() }
func (e *InvalidError) Unwrap() error { return e.Err }

// CheckFailedError is a save refused because the check (or the round trip) failed.
type CheckFailedError struct {
	Result providers.Result
	Deep   bool
}

func (e *CheckFailedError) Error() string {
	if e.Deep {
		return "not saved: the round trip failed"
	}
	return "not saved: the check failed"
}

// Save normalises in's credentials, runs what in.Verify asks, and saves them with the records of
// the check and round trip that tested exactly them, only when the check passed (or in.Anyway).
// The store refuses the save when another writer changed the provider since in.Base (KindConflict)
// or while the check ran (KindStale): what would be saved is not what was checked.
func (b *Backend) Save(ctx context.Context, in SaveInput) (Saved, error) {
	out, c, err := b.prepare(ctx, in)
	if err == nil {
		out.Data, err = b.store.Set(ctx, b.who, c)
	}
	if err != nil && out.KeyRegistered != "" {
		out.KeyUnregistered = b.undoRegistration(ctx, out.Credentials)
	}
	return out, err
}

// prepare normalises, verifies and turns in into the store's change.
func (b *Backend) prepare(ctx context.Context, in SaveInput) (Saved, config.Change, error) {
	norm, err := forms.Credentials(in.Credentials)
	out := Saved{Credentials: norm}
	if err != nil {
		return out, config.Change{}, &InvalidError{Err: err}
	}
	if providers.UsesSSH(norm) {
		if err := b.prepareSSH(ctx, &norm, &in, &out); err != nil {
			return out, config.Change{}, err
		}
	}
	now := b.now()
	c := config.Change{Credential: norm.CredentialName(), Provider: string(norm.Provider), Base: in.Base, Settings: norm.Settings, Fields: in.Fields, Activate: in.Activate, At: now}
	check, deep := in.Check, in.Deep
	switch in.Verify {
	case VerifyCheck:
		r := b.check(ctx, b.Env(in.Timeout), norm)
		out.Result = &r
		check = &Verified{Creds: norm, Result: r, At: now}
	case VerifyDeep:
		timeout := in.Timeout
		if timeout == 0 {
			timeout = providers.DeepTimeout
		}
		r := b.deep(ctx, b.Env(timeout), norm, in.Stage)
		out.Result = &r
		deep = &Verified{Creds: norm, Result: r, At: now}
	}
	if out.Result != nil && !out.Result.OK && !in.Anyway {
		return out, config.Change{}, &CheckFailedError{Result: *out.Result, Deep: in.Verify == VerifyDeep}
	}
	if check != nil && check.Creds == norm {
		c.Check = check.Result.Record(check.At, false)
	}
	if deep != nil {
		// The store keeps a round trip only when it tested the settings saved.
		c.Deep, c.DeepOf = deep.Result.Record(deep.At, true), deep.Creds.Settings
	}
	return out, c, nil
}

// Create creates the store in dir (protected by a key file, or by pass when it is not empty) and
// saves in's credentials in it as the active provider: nothing is written before the first save.
func Create(ctx context.Context, dir, pass string, o Options, in SaveInput) (*Backend, Saved, error) {
	probe := New(nil, o)
	in.Base, in.Activate = 0, true
	out, c, err := probe.prepare(ctx, in)
	if err != nil {
		return nil, out, err
	}
	s, err := config.Init(dir, pass)
	if err != nil {
		return nil, out, err
	}
	b := New(s, o)
	out.Data, err = s.Set(ctx, b.who, c)
	return b, out, err
}

// Activate makes the credential name the active one.
func (b *Backend) Activate(ctx context.Context, name string) (*config.Data, error) {
	return b.store.Activate(ctx, b.who, name)
}

// Remove deletes the credential name and its token, unless its settings changed after base;
// wasActive says whether it was the active one.
func (b *Backend) Remove(ctx context.Context, name string, base int64) (d *config.Data, wasActive bool, err error) {
	return b.store.Remove(ctx, b.who, name, base)
}
