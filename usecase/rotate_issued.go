package usecase

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// throughAPI: describe the stored token, confirm, rotate, save at once, then check, round trip
// and push.
func (r *rotation) throughAPI(ctx context.Context, api providers.Rotation) (Rotated, error) {
	expires, err := r.confirmIssue(ctx, api)
	if err != nil {
		return r.out, err
	}
	if ctx.Err() != nil {
		return r.interrupted("")
	}
	newTok, err := r.issue(ctx, api, expires)
	if err != nil {
		return r.out, err
	}
	// The old token is dead: saving the new one comes first, and cancelling does not stop it.
	d, err := r.keepIssued(ctx, newTok)
	if err != nil {
		return r.out, err
	}
	// what is stored now: the new token over the settings as they are (another writer may have changed them)
	if err := r.verify(ctx, d, providers.FromConfig(r.name, d.Credentials[r.name]), true); err != nil {
		return r.out, err
	}
	r.step(providers.Pass, "done", fmt.Sprintf("%s now uses %s; %s revoked the old token itself, so there is nothing to revoke by hand",
		r.p.Name, hint(newTok), r.p.Name))
	return r.out, nil
}

// confirmIssue describes the stored token, works out when the new one expires and, unless
// in.Yes, asks before the provider issues it; it returns that expiry.
func (r *rotation) confirmIssue(ctx context.Context, api providers.Rotation) (time.Time, error) {
	info, err := api.Current(ctx, r.env, r.old)
	if err != nil {
		r.step(providers.Fail, "token", err.Error())
		r.note("Nothing changed: the store still holds %s.", hint(r.old.Token))
		return time.Time{}, ErrStepFailed
	}
	r.info = info
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
			return time.Time{}, err
		}
		if !ok {
			r.step(providers.Skip, "rotate", "not rotated: nothing changed")
			return time.Time{}, ErrDeclined
		}
	}
	return expires, nil
}

// issue has the provider issue the new token, expiring then, and revoke the old one.
func (r *rotation) issue(ctx context.Context, api providers.Rotation, expires time.Time) (string, error) {
	newTok, newInfo, err := api.Rotate(ctx, r.env, r.old, r.info, expires)
	if err != nil {
		r.step(providers.Fail, "rotate", err.Error())
		var re *providers.RotateError
		if errors.As(err, &re) && re.MaybeRevoked {
			r.note("The store still holds the old token %s, which %s may have revoked.", hint(r.old.Token), r.p.Name)
		} else {
			r.note("Nothing changed: the store still holds the old token %s, which still works.", hint(r.old.Token))
		}
		return "", ErrStepFailed
	}
	exp := "no expiry date"
	if newInfo.ExpiresAt != nil {
		exp = "expiring on " + newInfo.ExpiresAt.Format("2006-01-02")
	}
	r.step(providers.Pass, "rotate", fmt.Sprintf("%s issued the new token %s (%s) and revoked the old one %s", r.p.Name, hint(newTok), exp, hint(r.old.Token)))
	return newTok, nil
}

// keepIssued saves the issued token, again each time the admin asks to retry a failed save; it
// returns the store as saved, or how the rotation ends when the token could not be kept.
func (r *rotation) keepIssued(ctx context.Context, newTok string) (*config.Data, error) {
	d, err := r.saveIssued(ctx, newTok)
	for err != nil {
		again, retry := r.unsaved(newTok, err)
		if !again {
			return nil, retry
		}
		d, err = r.saveIssued(ctx, newTok)
	}
	r.out.Saved, r.out.NewHint, r.out.Data = true, hint(newTok), d
	r.step(providers.Pass, "save", fmt.Sprintf("the new token %s is in the store", hint(newTok)))
	return d, nil
}

// saveIssued saves a token the provider issued (and so the only one that works), over whatever
// else changed meanwhile; cancelling does not stop it.
func (r *rotation) saveIssued(ctx context.Context, newTok string) (*config.Data, error) {
	return r.b.store.RotateToken(context.WithoutCancel(ctx), r.b.who, config.TokenRotation{
		Credential: r.name, From: r.old.Settings, Token: newTok, Issued: true, At: r.b.now()})
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
		r.note("The new token, shown this once (store it with `gitopscfg set %s --token-stdin`, then clear the screen):", r.name)
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
		page := r.p.TokenURL(r.old.Host)
		if r.info.Page != "" {
			page = r.info.Page // a group or project access token is made on its group's or project's page
		}
		r.note("create a new token at %s with the scopes %s and store it with `gitopscfg set %s --token-stdin`.",
			page, strings.Join(r.p.ScopeNames(), ", "), r.name)
	}
	return false, ErrSaveFailed
}

// describeToken says what the provider shows of the stored token.
func describeToken(t providers.TokenInfo, tok string) string {
	exp := "no expiry date"
	if t.ExpiresAt != nil {
		exp = "expires on " + t.ExpiresAt.Format("2006-01-02")
	}
	kind := "token"
	if t.Kind != "" {
		kind = t.Kind // a group or project access token, which rotates as a personal one does
	}
	return fmt.Sprintf("the stored %s %q (%s) has the scopes %s and %s", kind, t.Name, hint(tok), strings.Join(t.Scopes, ", "), exp)
}
