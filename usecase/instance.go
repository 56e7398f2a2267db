package usecase

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
)

// CheckInstance runs a platform instance's own check (Devtron: reachable, token valid,
// super-admin) within the deadline (0: the environment's); the error is an instance that cannot
// be asked at all (an unsafe URL, no token, an unreadable CA bundle).
func (b *Backend) CheckInstance(ctx context.Context, in platforms.Instance, timeout time.Duration) (providers.Result, error) {
	env := b.Env(timeout)
	in.Kind = cmp.Or(in.Kind, platforms.KindDevtron)
	pl, err := platforms.Open(env, in)
	if err != nil {
		return providers.Result{}, &InstanceError{Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, env.Timeout)
	defer cancel()
	return pl.Check(ctx), nil
}

// InstanceError is a platform instance that cannot be asked at all: an unsafe URL, no token, an
// unreadable CA bundle.
type InstanceError struct{ Err error }

func (e *InstanceError) Error() string { return e.Err.Error() }
func (e *InstanceError) Unwrap() error { return e.Err }

// InstanceInput is a platform instance to store.
type InstanceInput struct {
	Instance platforms.Instance
	// Check runs the instance check first and stores the instance only if it passed.
	Check   bool
	Timeout time.Duration
}

// InstanceCheckFailedError is an instance not stored because its check failed.
type InstanceCheckFailedError struct {
	Platform string
	Result   providers.Result
}

func (e *InstanceCheckFailedError) Error() string {
	return fmt.Sprintf("not saved: the %s check failed", e.Platform)
}

// SetInstance stores the platform instance (its secret encrypted like the Git tokens), with its
// check when in.Check: only an instance whose check passed is stored then. The result is the
// check run (zero without one).
func (b *Backend) SetInstance(ctx context.Context, in InstanceInput) (providers.Result, *config.Data, error) {
	in.Instance.Kind = cmp.Or(in.Instance.Kind, platforms.KindDevtron)
	var rec *config.CheckRecord
	var r providers.Result
	if in.Check {
		var err error
		if r, err = b.CheckInstance(ctx, in.Instance, in.Timeout); err != nil {
			return r, nil, err
		}
		if !r.OK {
			spec, _ := platforms.Lookup(string(in.Instance.Kind))
			return r, nil, &InstanceCheckFailedError{Platform: spec.Name, Result: r}
		}
		rec = r.Record(b.now(), false)
	}
	name := cmp.Or(in.Instance.Name, config.DefaultInstance)
	p := in.Instance.Stored()
	p.LastCheck = rec
	d, err := b.store.SetPlatform(ctx, b.who, string(in.Instance.Kind), name, p)
	return r, d, err
}

// RemoveInstance forgets the stored instance of kind named name ("": the default or only one);
// nothing changes in the platform.
func (b *Backend) RemoveInstance(ctx context.Context, kind platforms.Kind, name string) (*config.Data, error) {
	return b.store.RemovePlatform(ctx, b.who, string(kind), name)
}
