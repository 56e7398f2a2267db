package usecase

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
)

// A rotation replaces a provider's token as one guided step. A provider that rotates through its
// API (providers.Provider.Rotation: GitLab) issues the new token itself and revokes the old one at
// once, so the new token is saved before anything else; for the others the admin creates the
// replacement, and it is saved only after it passed the check and the round trip. Either way, a
// failure at any step leaves the store with the token that works, and says which.

// RotateInput is one rotation.
type RotateInput struct {
	// Credential is the name of the credential whose token is replaced.
	Credential string
	// ByHand: the admin makes the token even where the provider issues one (GitLab --token-stdin).
	ByHand bool
	// Yes issues the new token without asking first.
	Yes bool
	// ExpiresIn is the issued token's lifetime (0: the old one's, see providers.Rotation.Lifetime).
	ExpiresIn time.Duration
	// Timeout is the deadline of each step's requests.
	Timeout time.Duration
	// ShowUnsaved shows an issued token that could not be saved without asking.
	ShowUnsaved bool
	// Events receives each step as it happens (nil: none); Push's progress goes to PushProgress.
	Events       func(RotateEvent)
	PushProgress func(platforms.Event)
	// Push, when set, replaces the push to Devtron (tests); configured is false when the store
	// holds no instance.
	Push func(ctx context.Context, d *config.Data, name string) (configured bool, err error)
}

// Rotated is what a rotation did.
type Rotated struct {
	// Saved: the store holds the new token (NewHint names it).
	Saved   bool
	NewHint string
	Data    *config.Data
}

// Rotation outcomes besides success. Each was reported by the events already.
var (
	// ErrDeclined: the admin answered no; nothing changed.
	ErrDeclined = errors.New("not rotated: nothing changed")
	// ErrStepFailed: a step failed (the events say which, and which token the store holds).
	ErrStepFailed = errors.New("a rotation step failed")
	// ErrInterrupted: the context ended between steps (the events say which token the store holds).
	ErrInterrupted = errors.New("the rotation was interrupted")
	// ErrSaveFailed: the new token could not be saved.
	ErrSaveFailed = errors.New("the new token could not be saved")
)

// Rotate replaces in.Provider's token, reporting each step to in.Events and asking ask. Errors:
// *UsageError (not configured, the same token, nothing to ask on), the Err* outcomes above, or
// the asker's own error.
func (b *Backend) Rotate(ctx context.Context, in RotateInput, ask RotateAsker) (Rotated, error) {
	d, err := b.store.Load()
	if err != nil {
		return Rotated{}, err
	}
	name, stored, err := Stored(d, in.Credential)
	if err != nil {
		return Rotated{}, err
	}
	if err := rotatable(name, stored); err != nil {
		return Rotated{}, err
	}
	p := providers.MustLookup(providers.ID(stored.Provider))
	r := &rotation{b: b, in: in, ask: ask, p: p, name: name, env: b.Env(in.Timeout), old: providers.FromConfig(name, stored)}
	if r.in.Push == nil {
		r.in.Push = r.pushDevtron
	}
	if p.Rotation != nil && !in.ByHand {
		return r.throughAPI(ctx, *p.Rotation)
	}
	return r.byHand(ctx)
}

// rotation is one run of Rotate.
type rotation struct {
	b   *Backend
	in  RotateInput
	ask RotateAsker
	p   providers.Provider
	// name is the credential's name.
	name string
	env  *providers.Env
	// old are the provider's credentials when the rotation started, the old token among them.
	old providers.Credentials
	// info is what the provider showed of the old token (through an API rotation).
	info providers.TokenInfo
	out  Rotated
}

func (r *rotation) emit(e RotateEvent) {
	if r.in.Events != nil {
		r.in.Events(e)
	}
}

func (r *rotation) step(st providers.Status, name, msg string) {
	r.emit(StepDone{Status: st, Name: name, Message: msg})
}

func (r *rotation) note(format string, args ...any) {
	r.emit(StepNote{Text: fmt.Sprintf(format, args...)})
}

func hint(tok string) string { return providers.TokenHint(tok) }

// interrupted reports a cancellation between steps, saying which token the store holds.
func (r *rotation) interrupted(newTok string) (Rotated, error) {
	return r.out, r.interruptedErr(r.out.Saved, newTok)
}

func (r *rotation) interruptedErr(saved bool, newTok string) error {
	if saved {
		r.step(providers.Skip, "interrupted", fmt.Sprintf("the store holds the new token %s (the old one is revoked); finish with `gitopscfg check %s --deep`",
			hint(newTok), r.name))
	} else {
		r.step(providers.Skip, "interrupted", fmt.Sprintf("nothing saved: the store still holds the old token %s, unchanged", hint(r.old.Token)))
	}
	return ErrInterrupted
}

// byHand: say where to create the replacement, read it, check it, round-trip it, save it, push
// it, then say where to revoke the old one.
func (r *rotation) byHand(ctx context.Context) (Rotated, error) {
	if err := r.ask.CanReadToken(); err != nil {
		return r.out, err
	}
	page, revoke, scopes := r.p.TokenURL(r.old.Host), r.p.RevokeURL(r.old.Host, r.old.Token), r.p.Scopes
	if r.p.Rotation != nil {
		// A group or project access token is made and revoked on its group's or project's page,
		// which the provider names from the stored token (when it still works).
		if info, err := r.p.Rotation.Current(ctx, r.env, r.old); err == nil && info.Page != "" {
			page, revoke = info.Page, info.Page
		}
	}
	if r.old.Kind == config.CredentialServicePrincipal {
		// A client secret is made, and the old one deleted, on the app registration's page.
		page, scopes = providers.ClientSecretsPage(r.old), nil
		revoke = page
	}
	r.emit(CreateAt{Page: page, Scopes: scopes})
	tok, err := r.ask.Token()
	if err != nil {
		return r.out, err
	}
	if tok == r.old.Token {
		return r.out, &UsageError{Msg: fmt.Sprintf("that is the token stored already: create a new one at %s", page)}
	}
	r.step(providers.Pass, "token", "read "+hint(tok))
	next := r.old
	next.Token = tok
	if err := r.verify(ctx, nil, next, false); err != nil {
		return r.out, err
	}
	r.step(providers.Pass, "done", fmt.Sprintf("%s now uses %s. Revoke the old token %s at %s: it keeps working until you do",
		r.p.Name, hint(tok), hint(r.old.Token), revoke))
	return r.out, nil
}
