// Package usecase owns what gitopscfg does: saving credentials with their check or round trip,
// re-testing stored ones, pushing them to a platform, exporting them, and comparing a platform
// with the store. Each use case is written once here and owns its rules (what a check leaves in
// the store, when a token may be saved, the freshness gate before a delivery, which client to
// build); the front-ends (cli/, ui/, server/) call these functions and render what they report,
// and never call the providers' checks, the platforms' clients or the store's writes themselves.
// See ARCHITECTURE.md.
package usecase

import (
	"context"
	"time"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// CheckFunc runs the live check of credentials (providers.Run).
type CheckFunc func(context.Context, *providers.Env, providers.Credentials) providers.Result

// DeepFunc runs the round trip of credentials (providers.RunDeep), reporting each stage.
type DeepFunc func(context.Context, *providers.Env, providers.Credentials, func(providers.Check)) providers.Result

// Backend is what every use case needs: the open store, the providers' environment, the clock and
// who acts (for the audit trail). A front-end builds one per store and identity; it is safe for
// concurrent use.
type Backend struct {
	store *config.Store
	env   func(time.Duration) *providers.Env
	now   func() time.Time
	who   string
	check CheckFunc
	deep  DeepFunc
	// checkLater is the live check that leaves what can wait to its caller (check_later.go).
	checkLater CheckLaterFunc
}

// Options are a Backend's dependencies besides the store; zero fields take the defaults.
type Options struct {
	// Env returns the providers' environment (shared HTTP clients) with a deadline (0: the
	// default); it is asked for only when a use case talks to a provider or a platform.
	Env func(timeout time.Duration) *providers.Env
	// Now is the clock (time.Now).
	Now func() time.Time
	// Who is the audit trail's name for whoever acts.
	Who string
	// Check and Deep replace the providers' live check and round trip (tests).
	Check CheckFunc
	Deep  DeepFunc
	// CheckLater replaces providers.RunDeferred (tests); without it, a Check given is used and
	// leaves nothing pending.
	CheckLater CheckLaterFunc
}

// New returns the use cases on store s (nil: only the ones that need no store, such as checking
// a draft).
func New(s *config.Store, o Options) *Backend {
	b := &Backend{store: s, env: o.Env, now: o.Now, who: o.Who, check: o.Check, deep: o.Deep}
	if b.env == nil {
		b.env = EnvOf(providers.NewEnv("gitopscfg"))
	}
	if b.now == nil {
		b.now = time.Now
	}
	b.checkLater = checkLaterOf(o)
	if b.check == nil {
		b.check = providers.Run
	}
	if b.deep == nil {
		b.deep = providers.RunDeep
	}
	// Every result names the credential it tested, whichever check made it.
	check, deep := b.check, b.deep
	b.check = func(ctx context.Context, env *providers.Env, c providers.Credentials) providers.Result {
		r := check(ctx, env, c)
		r.Credential = c.CredentialName()
		return r
	}
	b.deep = func(ctx context.Context, env *providers.Env, c providers.Credentials, stage func(providers.Check)) providers.Result {
		r := deep(ctx, env, c, stage)
		r.Credential = c.CredentialName()
		return r
	}
	return b
}

// Store is the store the use cases act on.
func (b *Backend) Store() *config.Store { return b.store }

// Env is the providers' environment with deadline d (0: the environment's own).
func (b *Backend) Env(d time.Duration) *providers.Env { return b.env(d) }

// EnvOf is an Options.Env on a shared environment: each call gets a copy with its deadline (0:
// env's own), so that the shared one is never changed while sessions run use cases on it.
func EnvOf(env *providers.Env) func(time.Duration) *providers.Env {
	return func(d time.Duration) *providers.Env {
		e := *env
		if d > 0 {
			e.Timeout = d
		}
		return &e
	}
}

// Load reads the store.
func (b *Backend) Load() (*config.Data, error) { return b.store.Load() }
