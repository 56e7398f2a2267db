package usecase

import (
	"context"

	"gitopscfg/providers"
)

// CheckLaterFunc runs the live check of credentials and leaves what can wait after its result is
// known to the caller (providers.RunDeferred): the revocation of a GitHub App's installation token.
type CheckLaterFunc func(context.Context, *providers.Env, providers.Credentials) (providers.Result, providers.Pending)

// checkLaterOf is o's CheckLater: providers.RunDeferred, or o's Check leaving nothing pending.
func checkLaterOf(o Options) CheckLaterFunc {
	switch {
	case o.CheckLater != nil:
		return o.CheckLater
	case o.Check != nil:
		check := o.Check
		return func(ctx context.Context, env *providers.Env, c providers.Credentials) (providers.Result, providers.Pending) {
			return check(ctx, env, c), nil
		}
	}
	return providers.RunDeferred
}

// CheckDraftLater is CheckDraft for a front-end that shows the result as soon as it is known (the
// terminal UI): what the check left to do is pending (nil: nothing), and the caller must run it,
// then show the warning it returns, if any. A process must not exit before it has run: it
// revokes a GitHub App's installation token, which otherwise stays valid for its hour.
func (b *Backend) CheckDraftLater(ctx context.Context, creds providers.Credentials, knownUser int64) (providers.Result, providers.Pending) {
	r, pending := b.checkLater(providers.WithKnownUserID(ctx, knownUser), b.Env(0), creds)
	r.Credential = creds.CredentialName()
	return r, pending
}
