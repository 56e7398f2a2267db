package providers

import "context"

// checkBitbucket is the live check of Bitbucket credentials.
func checkBitbucket(ctx context.Context, s *Session) {
	s.Add(CheckAuth, Skip, "live checks for Bitbucket are not built yet")
}
