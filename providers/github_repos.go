package providers

import "context"

// githubRepos is the GitHub repository lifecycle for the round-trip check.
type githubRepos struct{ s *Session }

func newGitHubRepos(s *Session) repoAPI { return &githubRepos{s: s} }

func (g *githubRepos) Create(ctx context.Context, name string) (Repo, error) {
	return Repo{}, &APIError{Msg: "repository creation for GitHub is not built yet"}
}

func (g *githubRepos) Exists(ctx context.Context, r Repo) (bool, error) { return false, nil }

func (g *githubRepos) Delete(ctx context.Context, r Repo) error {
	return &APIError{Msg: "repository deletion for GitHub is not built yet"}
}

func (g *githubRepos) GitUsername() string { return g.s.Creds.Username }

func (g *githubRepos) DeletePermission() string { return "" }
