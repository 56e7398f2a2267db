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
		r.note("%s Fix what the check names, then run `gitopscfg check %s --deep`.", where, r.name)
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
		r.note("%s Fix what the round trip names, then run `gitopscfg check %s --deep`.", where, r.name)
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
		Credential: r.name, From: r.old.Settings, Token: c.Token, Check: check, Deep: deep, At: r.b.now()})
	if err != nil {
		r.step(providers.Fail, "save", err.Error())
		r.note("Nothing saved: the store still holds what it held (the old token %s unless someone replaced it); run `gitopscfg rotate %s` again.",
			hint(r.old.Token), r.name)
		return nil, ErrSaveFailed
	}
	r.out.Saved, r.out.NewHint, r.out.Data = true, hint(c.Token), d
	r.step(providers.Pass, "save", fmt.Sprintf("the new token %s is in the store", hint(c.Token)))
	return d, nil
}

// push sends the stored credentials to Devtron when an instance is configured. A rotation never
// changes Devtron's active provider.
func (r *rotation) push(ctx context.Context, d *config.Data, c providers.Credentials) error {
	configured, err := r.in.Push(ctx, d, r.name)
	var (
		se       *platforms.SwitchError
		reported *pushesReported
	)
	switch {
	case errors.As(err, &reported) && !reported.failed:
	case errors.As(err, &reported):
		r.note("The store holds the new token %s; a Devtron instance still has the old one: run `gitopscfg push devtron %s --instance NAME`.", hint(c.Token), r.name)
		return ErrStepFailed
	case !configured:
		r.step(providers.Skip, "push", "no Devtron instance is configured: nothing to push")
	case errors.As(err, &se):
		r.step(providers.Skip, "push", fmt.Sprintf("Devtron holds no %s configuration and %s is its active provider: creating one would make %s the active one there, so nothing was pushed (`gitopscfg push devtron %s --activate` does that)",
			r.name, platforms.ActiveName(se.Active), r.name, r.name))
	case err != nil:
		r.step(providers.Fail, "push", err.Error())
		r.note("The store holds the new token %s; Devtron still has the old one: run `gitopscfg push devtron %s`.", hint(c.Token), r.name)
		return ErrStepFailed
	default:
		r.step(providers.Pass, "push", "Devtron has the new token")
	}
	return nil
}

// pushesReported: pushes to several Devtron instances were made, each reported as its own step;
// failed says whether one failed.
type pushesReported struct{ failed bool }

func (e *pushesReported) Error() string {
	if e.failed {
		return "a push to a Devtron instance failed"
	}
	return "every Devtron instance was pushed to"
}

// pushDevtron pushes the rotated credentials to every stored Devtron instance, keeping each one's
// active provider and never replacing another credential there; the rotation's own check and
// round trip just passed, so the freshness gate is not asked again. With several instances each
// push is its own step.
func (r *rotation) pushDevtron(ctx context.Context, d *config.Data, name string) (bool, error) {
	instances := d.InstanceNames(string(platforms.KindDevtron))
	if len(instances) == 0 {
		return false, nil
	}
	if d.Credentials[name] == nil {
		return true, fmt.Errorf("%s was removed from the store", name)
	}
	if len(instances) == 1 {
		return true, r.pushTo(ctx, d, name, instances[0])
	}
	failed := false
	for _, inst := range instances {
		err := r.pushTo(ctx, d, name, inst)
		var (
			se *platforms.SwitchError
			re *ReplaceError
		)
		switch {
		case errors.As(err, &se):
			r.step(providers.Skip, "push", fmt.Sprintf("%s: Devtron holds no %s configuration and %s is its active provider: nothing was pushed there",
				inst, r.name, platforms.ActiveName(se.Active)))
		case errors.As(err, &re):
			r.step(providers.Skip, "push", fmt.Sprintf("%s: it holds %s, another credential of the provider: nothing was pushed there", inst, re.Holder))
		case err != nil:
			failed = true
			r.step(providers.Fail, "push", inst+": "+err.Error())
		default:
			r.step(providers.Pass, "push", "the Devtron instance "+inst+" has the new token")
		}
	}
	return true, &pushesReported{failed: failed}
}

// pushTo pushes the credential name to the Devtron instance inst.
func (r *rotation) pushTo(ctx context.Context, d *config.Data, name, inst string) error {
	out, err := r.b.Push(ctx, d, PushInput{Credential: name, Instance: inst, Force: true, Progress: r.in.PushProgress})
	if err != nil {
		return err
	}
	if !out.Result.OK() {
		return errors.New(out.Result.Message)
	}
	return nil
}
