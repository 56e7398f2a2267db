package providers

import "context"

// bitbucketRepos is the Bitbucket repository lifecycle for the round-trip check.
type bitbucketRepos struct{ s *Session }

func newBitbucketRepos(s *Session) repoAPI { return &bitbucketRepos{s: s} }

func (g *bitbucketRepos) Create(ctx context.Context, name string) (Repo, error) {
	return Repo{}, &APIError{Msg: "repository creation for Bitbucket is not built yet"}
}

func (g *bitbucketRepos) Exists(ctx context.Context, r Repo) (bool, error) { return false, nil }

func (g *bitbucketRepos) Delete(ctx context.Context, r Repo) error {
	return &APIError{Msg: "repository deletion for Bitbucket is not built yet"}
}

func (g *bitbucketRepos) GitUsername() string { return g.s.Creds.Username }

func (g *bitbucketRepos) DeletePermission() string { return "" }
