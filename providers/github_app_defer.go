package providers

import (
	"context"
	"sync"
)

// A live check's result can be known before its last request: a GitHub App's check revokes the
// installation token it minted (DELETE /installation/token) once it has learned all it needed.
// RunDeferred returns the result at once and leaves that revocation to the caller (the terminal
// UI shows the result, then revokes in a command of its own); Run waits for it, as the command
// line must: a process that exits must not leave a live token behind.

// Pending is what a live check left to do after its result was known: the revocation of the
// installation token a GitHub App's check minted. It runs once (later calls do nothing), even
// when ctx has ended, within revokeTimeout, and returns the warning to add to the result
// (CheckRevoke, sealed and redacted like the result's own checks), or nil when all is done.
type Pending func(ctx context.Context) *Check

// RunDeferred is Run, but a GitHub App's installation token is not yet revoked when it returns:
// pending (nil when nothing is left) revokes it, and the caller must call it. The result's
// expiry check then says that the token is being revoked.
func RunDeferred(ctx context.Context, env *Env, c Credentials) (Result, Pending) {
	return run(ctx, env, c, true)
}

// pending is what the session's check left to do (nil: nothing).
func (s *session) pending() Pending {
	s.mu.Lock()
	revoke := s.pendingRevoke
	s.mu.Unlock()
	if revoke == nil {
		return nil
	}
	var once sync.Once
	return func(ctx context.Context) (warn *Check) {
		once.Do(func() {
			why := revoke(ctx)
			if why == "" {
				return
			}
			s.mu.Lock()
			msg := s.redact(why)
			s.mu.Unlock()
			ch := Check{ID: CheckRevoke, Status: Warn, Message: msg}.Sealed(s.Creds)
			warn = &ch
		})
		return warn
	}
}

// revokeNowOrLater revokes the installation token a minted now, returning why it could not
// ("" done), or leaves it to the caller of RunDeferred (later).
func (a *gitHubAppRun) revokeNowOrLater(ctx context.Context) (why string, later bool) {
	if !a.s.deferRevoke {
		return a.revoke(ctx), false
	}
	a.s.mu.Lock()
	a.s.pendingRevoke = a.revoke
	a.s.mu.Unlock()
	return "", true
}
