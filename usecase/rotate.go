package usecase

import (
	"context"
	"errors"
	"fmt"
	"strings"
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
	Provider providers.ID
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
	Push func(ctx context.Context, d *config.Data, id providers.ID) (configured bool, err error)
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
	p := providers.MustLookup(in.Provider)
	stored := d.Credentials[string(p.ID)]
	if stored == nil {
		return Rotated{}, &UsageError{Msg: fmt.Sprintf("%s is not configured: run `gitopscfg set %s …` first", p.Name, p.ID)}
	}
	r := &rotation{b: b, in: in, ask: ask, p: p, env: b.Env(in.Timeout), old: providers.FromConfig(p.ID, stored)}
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
	env *providers.Env
	// old are the provider's credentials when the rotation started, the old token among them.
	old providers.Credentials
	out Rotated
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

// throughAPI: describe the stored token, confirm, rotate, save at once, then check, round trip
// and push.
func (r *rotation) throughAPI(ctx context.Context, api providers.Rotation) (Rotated, error) {
	info, err := api.Current(ctx, r.env, r.old)
	if err != nil {
		r.step(providers.Fail, "token", err.Error())
		r.note("Nothing changed: the store still holds %s.", hint(r.old.Token))
		return r.out, ErrStepFailed
	}
	r.step(providers.Pass, "token", describeToken(info, r.old.Token))
	// ExpiresIn is sent as given (the instance may allow less, and then refuses the rotation:
	// nothing changes).
	lifetime := r.in.ExpiresIn
	if lifetime == 0 {
		lifetime = api.Lifetime(info)
	}
	expires := providers.RotatedExpiry(r.b.now(), lifetime)
	if !r.in.Yes {
		ok, err := r.ask.Confirm(IssuePlan{Provider: r.p.Name, OldHint: hint(r.old.Token), Expires: expires})
		if err != nil {
			return r.out, err
		}
		if !ok {
			r.step(providers.Skip, "rotate", "not rotated: nothing changed")
			return r.out, ErrDeclined
		}
	}
	if ctx.Err() != nil {
		return r.interrupted("")
	}
	newTok, newInfo, err := api.Rotate(ctx, r.env, r.old, expires)
	if err != nil {
		r.step(providers.Fail, "rotate", err.Error())
		var re *providers.RotateError
		if errors.As(err, &re) && re.MaybeRevoked {
			r.note("The store still holds the old token %s, which %s may have revoked.", hint(r.old.Token), r.p.Name)
		} else {
			r.note("Nothing changed: the store still holds the old token %s, which still works.", hint(r.old.Token))
		}
		return r.out, ErrStepFailed
	}
	exp := "no expiry date"
	if newInfo.ExpiresAt != nil {
		exp = "expiring on " + newInfo.ExpiresAt.Format("2006-01-02")
	}
	r.step(providers.Pass, "rotate", fmt.Sprintf("%s issued the new token %s (%s) and revoked the old one %s", r.p.Name, hint(newTok), exp, hint(r.old.Token)))

	// The old token is dead: saving the new one comes first, and cancelling does not stop it.
	d, err := r.saveIssued(ctx, newTok)
	for err != nil {
		again, retry := r.unsaved(newTok, err)
		if !again {
			return r.out, retry
		}
		d, err = r.saveIssued(ctx, newTok)
	}
	r.out.Saved, r.out.NewHint, r.out.Data = true, hint(newTok), d
	r.step(providers.Pass, "save", fmt.Sprintf("the new token %s is in the store", hint(newTok)))
	// what is stored now: the new token over the settings as they are (another writer may have changed them)
	if err := r.verify(ctx, d, providers.FromConfig(r.p.ID, d.Credentials[string(r.p.ID)]), true); err != nil {
		return r.out, err
	}
	r.step(providers.Pass, "done", fmt.Sprintf("%s now uses %s; %s revoked the old token itself, so there is nothing to revoke by hand",
		r.p.Name, hint(newTok), r.p.Name))
	return r.out, nil
}

// saveIssued saves a token the provider issued (and so the only one that works), over whatever
// else changed meanwhile; cancelling does not stop it.
func (r *rotation) saveIssued(ctx context.Context, newTok string) (*config.Data, error) {
	return r.b.store.RotateToken(context.WithoutCancel(ctx), r.b.who, config.TokenRotation{
		Credential: string(r.p.ID), From: r.old.Settings, Token: newTok, Issued: true, At: r.b.now()})
}

// SaveRetrier is what an asker offers when its admin can retry the save of an issued token that
// failed (the picker's R): show, when called, reports the token whole (its only copy), on the
// admin's request; the answer says whether to save again.
type SaveRetrier interface {
	RetrySave(err error, show func()) (bool, error)
}

// unsaved reports an issued token that could not be saved while the old one is revoked: it is
// shown only on explicit request. again is true when the admin asked to save it again (an asker
// that is a SaveRetrier); otherwise the rotation ends with ErrSaveFailed (or the asker's error).
func (r *rotation) unsaved(newTok string, err error) (again bool, end error) {
	r.step(providers.Fail, "save", err.Error())
	r.note("The new token is NOT saved, and %s has revoked the old one %s: GitOps stops working until a working token is stored.",
		r.p.Name, hint(r.old.Token))
	show := func() {
		r.note("The new token, shown this once (store it with `gitopscfg set %s --token-stdin`, then clear the screen):", r.p.ID)
		r.emit(UnsavedToken{Token: newTok})
	}
	if rs, ok := r.ask.(SaveRetrier); ok {
		again, aerr := rs.RetrySave(err, show)
		switch {
		case aerr != nil:
			return false, aerr
		case again:
			return true, nil
		}
		return false, ErrSaveFailed
	}
	if r.in.ShowUnsaved || r.ask.ShowUnsaved() {
		show()
	} else {
		r.note("It is not shown (only --show-token-if-unsaved or an answer on a terminal shows it), so it is lost with this run:")
		r.note("create a new token at %s with the scopes %s and store it with `gitopscfg set %s --token-stdin`.",
			r.p.TokenURL(r.old.Host), strings.Join(r.p.ScopeNames(), ", "), r.p.ID)
	}
	return false, ErrSaveFailed
}

// verify checks c, then runs the round trip, then pushes to Devtron; saved says whether c is in
// the store already (issued by the provider), which the failure messages name; d is the store
// as the rotation last saw it. A token made by hand is saved between the round trip and the push.
func (r *rotation) verify(ctx context.Context, d *config.Data, c providers.Credentials, saved bool) error {
	where := fmt.Sprintf("Nothing saved: the store still holds the old token %s, unchanged.", hint(r.old.Token))
	if saved {
		where = fmt.Sprintf("The store holds the new token %s (the old one is revoked).", hint(c.Token))
	}
	if ctx.Err() != nil {
		return r.interruptedErr(saved, c.Token)
	}
	res := r.b.check(ctx, r.env, c)
	if ctx.Err() != nil {
		return r.interruptedErr(saved, c.Token)
	}
	checkedAt := r.b.now()
	r.result("check", res, false)
	if !res.OK {
		if saved {
			r.out.Data = r.record(ctx, d, c, res, checkedAt, false)
		}
		r.note("%s Fix what the check names, then run `gitopscfg check %s --deep`.", where, r.p.ID)
		return ErrStepFailed
	}
	deep := r.b.deep(ctx, r.env, c, func(ch providers.Check) {
		if ch.Status != providers.Running && strings.HasPrefix(ch.ID, "deep:") {
			r.note("%s %s %s", ch.Status.Mark(), ch.ID, ch.Message)
		}
	})
	if ctx.Err() != nil {
		return r.interruptedErr(saved, c.Token)
	}
	deepAt := r.b.now()
	r.result("round trip", deep, true)
	if saved {
		d = r.record(ctx, d, c, res, checkedAt, false)
		d = r.record(ctx, d, c, deep, deepAt, true)
		r.out.Data = d
	}
	if !deep.OK {
		r.note("%s Fix what the round trip names, then run `gitopscfg check %s --deep`.", where, r.p.ID)
		return ErrStepFailed
	}
	if !saved {
		var err error
		if d, err = r.saveChecked(ctx, c, res.Record(checkedAt, false), deep.Record(deepAt, true)); err != nil {
			return err
		}
	}
	return r.push(ctx, d, c)
}

// result reports a check's (or round trip's) outcome as one step, its failing lines beneath.
func (r *rotation) result(name string, res providers.Result, deep bool) {
	st := providers.Pass
	if !res.OK {
		st = providers.Fail
	}
	msg := fmt.Sprintf("passed in %d ms", res.DurationMS)
	if res.User != "" && !deep {
		msg = fmt.Sprintf("authenticated as %s, passed in %d ms", res.User, res.DurationMS)
	}
	if !res.OK {
		msg = fmt.Sprintf("failed in %d ms", res.DurationMS)
	}
	r.step(st, name, msg)
	if deep {
		return // the stages were reported as they finished
	}
	for _, c := range res.Checks {
		if !strings.HasPrefix(c.ID, "deep:") && (c.Status == providers.Fail || c.Status == providers.Warn) {
			r.note("%s %s %s", c.Status.Mark(), c.ID, c.Message)
		}
	}
}

// record remembers a check (or round trip) of the saved token, as a re-test does, and returns the
// store as it is then (d when nothing could be recorded).
func (r *rotation) record(ctx context.Context, d *config.Data, c providers.Credentials, res providers.Result, at time.Time, deep bool) *config.Data {
	next, err := r.b.Record(context.WithoutCancel(ctx), c, res, at, deep)
	switch {
	case errors.Is(err, ErrStale):
		return d // changed meanwhile: the result is not theirs to keep
	case err != nil:
		r.emit(RotateWarning{Text: "the check results could not be remembered: " + err.Error()})
		return d
	}
	return next
}

// saveChecked stores a pasted token that passed the check and the round trip, with their records;
// the store refuses it when the provider's settings changed since the rotation started.
func (r *rotation) saveChecked(ctx context.Context, c providers.Credentials, check, deep *config.CheckRecord) (*config.Data, error) {
	if ctx.Err() != nil {
		return nil, r.interruptedErr(false, c.Token)
	}
	d, err := r.b.store.RotateToken(context.WithoutCancel(ctx), r.b.who, config.TokenRotation{
		Credential: string(r.p.ID), From: r.old.Settings, Token: c.Token, Check: check, Deep: deep, At: r.b.now()})
	if err != nil {
		r.step(providers.Fail, "save", err.Error())
		r.note("Nothing saved: the store still holds what it held (the old token %s unless someone replaced it); run `gitopscfg rotate %s` again.",
			hint(r.old.Token), r.p.ID)
		return nil, ErrSaveFailed
	}
	r.out.Saved, r.out.NewHint, r.out.Data = true, hint(c.Token), d
	r.step(providers.Pass, "save", fmt.Sprintf("the new token %s is in the store", hint(c.Token)))
	return d, nil
}

// push sends the stored credentials to Devtron when an instance is configured. A rotation never
// changes Devtron's active provider.
func (r *rotation) push(ctx context.Context, d *config.Data, c providers.Credentials) error {
	configured, err := r.in.Push(ctx, d, r.p.ID)
	var se *platforms.SwitchError
	switch {
	case !configured:
		r.step(providers.Skip, "push", "no Devtron instance is configured: nothing to push")
	case errors.As(err, &se):
		r.step(providers.Skip, "push", fmt.Sprintf("Devtron holds no %s configuration and %s is its active provider: creating one would make %s the active one there, so nothing was pushed (`gitopscfg push devtron %s --activate` does that)",
			r.p.ID, platforms.ActiveName(se.Active), r.p.ID, r.p.ID))
	case err != nil:
		r.step(providers.Fail, "push", err.Error())
		r.note("The store holds the new token %s; Devtron still has the old one: run `gitopscfg push devtron %s`.", hint(c.Token), r.p.ID)
		return ErrStepFailed
	default:
		r.step(providers.Pass, "push", "Devtron has the new token")
	}
	return nil
}

// pushDevtron pushes the rotated credentials to the stored Devtron instance, keeping Devtron's
// active provider; the rotation's own check and round trip just passed, so the freshness gate is
// not asked again.
func (r *rotation) pushDevtron(ctx context.Context, d *config.Data, id providers.ID) (bool, error) {
	if d.Devtron == nil {
		return false, nil
	}
	if d.Credentials[string(id)] == nil {
		return true, fmt.Errorf("%s was removed from the store", id)
	}
	out, err := r.b.Push(ctx, d, PushInput{Provider: string(id), Force: true, Progress: r.in.PushProgress})
	if err != nil {
		return true, err
	}
	if !out.Result.OK() {
		return true, errors.New(out.Result.Message)
	}
	return true, nil
}

// interrupted reports a cancellation between steps, saying which token the store holds.
func (r *rotation) interrupted(newTok string) (Rotated, error) {
	return r.out, r.interruptedErr(r.out.Saved, newTok)
}

func (r *rotation) interruptedErr(saved bool, newTok string) error {
	if saved {
		r.step(providers.Skip, "interrupted", fmt.Sprintf("the store holds the new token %s (the old one is revoked); finish with `gitopscfg check %s --deep`",
			hint(newTok), r.p.ID))
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
	page := r.p.TokenURL(r.old.Host)
	r.emit(CreateAt{Page: page, Scopes: r.p.Scopes})
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
		r.p.Name, hint(tok), hint(r.old.Token), r.p.RevokeURL(r.old.Host, r.old.Token)))
	return r.out, nil
}

// describeToken says what the provider shows of the stored token.
func describeToken(t providers.TokenInfo, tok string) string {
	exp := "no expiry date"
	if t.ExpiresAt != nil {
		exp = "expires on " + t.ExpiresAt.Format("2006-01-02")
	}
	return fmt.Sprintf("the stored token %q (%s) has the scopes %s and %s", t.Name, hint(tok), strings.Join(t.Scopes, ", "), exp)
}
