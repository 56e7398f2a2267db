package usecase

import (
	"cmp"
	"context"
	"time"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
)

// CheckDevtron runs the Devtron instance's own check (reachable, token valid, super-admin) within
// the deadline (0: the environment's); the error is an instance that cannot be asked at all (an
// unsafe URL, no token, an unreadable CA bundle).
func (b *Backend) CheckDevtron(ctx context.Context, in platforms.Instance, timeout time.Duration) (providers.Result, error) {
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

// DevtronInput is a Devtron instance to store.
type DevtronInput struct {
	Instance platforms.Instance
	// Check runs the instance check first and stores the instance only if it passed.
	Check   bool
	Timeout time.Duration
}

// DevtronCheckFailedError is an instance not stored because its check failed.
type DevtronCheckFailedError struct{ Result providers.Result }

func (e *DevtronCheckFailedError) Error() string { return "not saved: the Devtron check failed" }

// SetDevtron stores the Devtron instance (its API token encrypted like the Git tokens), with its
// check when in.Check: only an instance whose check passed is stored then. The result is the
// check run (zero without one).
func (b *Backend) SetDevtron(ctx context.Context, in DevtronInput) (providers.Result, *config.Data, error) {
	var rec *config.CheckRecord
	var r providers.Result
	if in.Check {
		var err error
		if r, err = b.CheckDevtron(ctx, in.Instance, in.Timeout); err != nil {
			return r, nil, err
		}
		if !r.OK {
			return r, nil, &DevtronCheckFailedError{Result: r}
		}
		rec = r.Record(b.now(), false)
	}
	name := cmp.Or(in.Instance.Name, config.DefaultInstance)
	d, err := b.store.SetPlatform(ctx, b.who, string(platforms.KindDevtron), name,
		config.Platform{URL: in.Instance.URL, Token: in.Instance.Token, CABundle: in.Instance.CABundle, Net: in.Instance.Net, LastCheck: rec})
	return r, d, err
}

// RemoveDevtron forgets the stored Devtron instance named name ("": the default or only one);
// nothing changes in Devtron.
func (b *Backend) RemoveDevtron(ctx context.Context, name string) (*config.Data, error) {
	return b.store.RemovePlatform(ctx, b.who, string(platforms.KindDevtron), name)
}
