package usecase

import (
	"context"
	"errors"
	"sync"
	"time"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// Stage is one round-trip stage of one credential as it starts (Status Running) and ends.
type Stage struct {
	// Credential is the credential's name, Provider its provider.
	Credential string
	Provider   providers.ID
	Check      providers.Check
}

// TestOptions tune Test.
type TestOptions struct {
	// Deep runs the round trip instead of the live check.
	Deep bool
	// Timeout bounds the whole test (0: the environment's; the round trip's own default with Deep).
	Timeout time.Duration
	// Stage, when set, receives each round-trip stage as it starts and ends (concurrently from
	// the providers' goroutines: it must be safe for that and must not block for long).
	Stage func(Stage)
	// Grade, when set, adjusts the results before they are recorded (the command line's expiry
	// thresholds), so that the store remembers what the admin was shown.
	Grade func([]providers.Result)
	// Repo, when set, is the existing repository of this run in place of the stored one ("": a
	// throw-away repository). A result of a repository other than the stored one is not recorded:
	// it belongs to other settings than the stored ones.
	Repo *string
}

// Tested is what Test found.
type Tested struct {
	// Results are in the order of the ids given.
	Results []providers.Result
	// At is when the test started; Data is the store after the results were recorded (nil when
	// nothing was recorded).
	At   time.Time
	Data *config.Data
	// RecordErr says why the results could not be remembered (nil when they were, or when every
	// tested provider changed meanwhile, so that no result was theirs to keep).
	RecordErr error
}

// Test re-tests the stored credentials names (as d holds them) concurrently, with the round
// trip when o.Deep, and records each result as the credential's last check (last round trip)
// when its stored settings are still the ones tested: a result belongs to the credentials it
// tested.
func (b *Backend) Test(ctx context.Context, d *config.Data, names []string, o TestOptions) Tested {
	out := Tested{At: b.now()}
	out.Results = b.RunTests(ctx, d, names, o)
	if o.Grade != nil {
		o.Grade(out.Results)
	}
	var checked []config.Checked
	for _, r := range out.Results {
		if o.Repo != nil && *o.Repo != d.Credentials[r.Credential].Repo {
			continue
		}
		checked = append(checked, config.Checked{Credential: r.Credential,
			Tested: d.Credentials[r.Credential].Settings, Record: r.Record(b.now(), o.Deep)})
	}
	if len(checked) == 0 {
		return out
	}
	data, err := b.store.RecordChecks(ctx, b.who, checked...)
	switch {
	case config.IsKind(err, config.KindStale):
		// Every provider changed while it was tested: no result is theirs to keep.
	case err != nil:
		out.RecordErr = err
	default:
		out.Data = data
	}
	return out
}

// RunTests is Test without the recording: the results, in the order of names.
func (b *Backend) RunTests(ctx context.Context, d *config.Data, names []string, o TestOptions) []providers.Result {
	timeout := o.Timeout
	if timeout == 0 && o.Deep {
		timeout = providers.DeepTimeout
	}
	env := b.Env(timeout)
	results := make([]providers.Result, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		sp := d.Credentials[name]
		creds := providers.FromConfig(name, sp)
		if o.Repo != nil {
			creds.Repo = *o.Repo
		}
		ctx := providers.WithKnownUserID(ctx, providers.KnownUserID(sp))
		wg.Go(func() {
			if o.Deep {
				var stage func(providers.Check)
				if o.Stage != nil {
					stage = func(c providers.Check) { o.Stage(Stage{Credential: name, Provider: creds.Provider, Check: c}) }
				}
				results[i] = b.deep(ctx, env, creds, stage)
			} else {
				results[i] = b.check(ctx, env, creds)
			}
			results[i].Active = d.Active == name
		})
	}
	wg.Wait()
	return results
}

// ErrStale is returned by Record when the stored credentials changed while they were tested.
var ErrStale = errors.New("the stored credentials changed during the check")

// Record keeps r, a test of exactly creds run at at, as the provider's last check (last round
// trip when deep); it fails with ErrStale when the stored credentials are no longer creds.
func (b *Backend) Record(ctx context.Context, creds providers.Credentials, r providers.Result, at time.Time, deep bool) (*config.Data, error) {
	d, err := b.store.RecordChecks(ctx, b.who, config.Checked{Credential: creds.CredentialName(), Tested: creds.Settings, Record: r.Record(at, deep)})
	if config.IsKind(err, config.KindStale) {
		return nil, ErrStale
	}
	return d, err
}

// CheckDraft runs the live check on credentials that are not (or not yet) stored, such as an
// editor's draft; nothing is recorded. knownUser is the user id an earlier check of the same
// token learned (0: none).
func (b *Backend) CheckDraft(ctx context.Context, creds providers.Credentials, knownUser int64) providers.Result {
	return b.check(providers.WithKnownUserID(ctx, knownUser), b.Env(0), creds)
}

// RoundTripDraft runs the round trip on credentials that are not (or not yet) stored, reporting
// each stage to stage (nil: none); nothing is recorded.
func (b *Backend) RoundTripDraft(ctx context.Context, creds providers.Credentials, stage func(providers.Check)) providers.Result {
	return b.deep(ctx, b.Env(providers.DeepTimeout), creds, stage)
}
