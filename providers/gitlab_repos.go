package providers

import "context"

// gitlabRepos is the GitLab repository lifecycle for the round-trip check.
type gitlabRepos struct{ s *Session }

func newGitLabRepos(s *Session) repoAPI { return &gitlabRepos{s: s} }

func (g *gitlabRepos) Create(ctx context.Context, name string) (Repo, error) {
	return Repo{}, &APIError{Msg: "repository creation for GitLab is not built yet"}
}

func (g *gitlabRepos) Exists(ctx context.Context, r Repo) (bool, error) { return false, nil }

func (g *gitlabRepos) Delete(ctx context.Context, r Repo) error {
	return &APIError{Msg: "repository deletion for GitLab is not built yet"}
}

func (g *gitlabRepos) GitUsername() string { return g.s.Creds.Username }

func (g *gitlabRepos) DeletePermission() string { return "" }
