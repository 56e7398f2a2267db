package providers

import (
	"context"

	"gitopscfg/config"
)

// A re-test usually checks the same token as last time, so the identity the last check learned
// lets the look-ups that need it go out at once instead of waiting for /user: GitLab's membership
// look-up needs the user id. The hint travels in the context, so Run, RunDeep and their callers
// keep their signatures; a checker uses it only when the answer confirms it (the token still
// belongs to that user), and otherwise sends the look-up again with the id it was given.

type knownUserKey struct{}

// WithKnownUserID returns ctx carrying the user id a previous check of the same credentials
// learned (0: none).
func WithKnownUserID(ctx context.Context, id int64) context.Context {
	if id == 0 {
		return ctx
	}
	return context.WithValue(ctx, knownUserKey{}, id)
}

// knownUserID is the hint of WithKnownUserID, 0 when there is none.
func knownUserID(ctx context.Context) int64 {
	id, _ := ctx.Value(knownUserKey{}).(int64)
	return id
}

// KnownUserID is the user id remembered for a stored provider: from its latest check record
// (live check or round trip) that has one; 0 when none does. The store drops check records when
// the credentials change, so a remembered id always comes from the same token.
func KnownUserID(p *config.Credential) int64 {
	if p == nil {
		return 0
	}
	var best *config.CheckRecord
	for _, r := range []*config.CheckRecord{p.LastCheck, p.LastDeep} {
		if r != nil && r.UserID != 0 && (best == nil || r.At.After(best.At)) {
			best = r
		}
	}
	if best == nil {
		return 0
	}
	return best.UserID
}

// SetUserID records the numeric user id the provider answered with.
func (s *session) SetUserID(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.result.UserID = id
}
