package providers

import "context"

// azureRepos is the Azure repository lifecycle for the round-trip check.
type azureRepos struct{ s *Session }

func newAzureRepos(s *Session) repoAPI { return &azureRepos{s: s} }

func (g *azureRepos) Create(ctx context.Context, name string) (Repo, error) {
	return Repo{}, &APIError{Msg: "repository creation for Azure is not built yet"}
}

func (g *azureRepos) Exists(ctx context.Context, r Repo) (bool, error) { return false, nil }

func (g *azureRepos) Delete(ctx context.Context, r Repo) error {
	return &APIError{Msg: "repository deletion for Azure is not built yet"}
}

func (g *azureRepos) GitUsername() string { return g.s.Creds.Username }

func (g *azureRepos) DeletePermission() string { return "" }
