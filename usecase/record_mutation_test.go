package usecase_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
	"gitopscfg/usecase"
)

// TestARoundTripOfAnotherRepositoryIsNotRecorded: a round trip run on a repository other than the
// credential's stored one (check --deep --repo) tested other settings than the stored ones, so
// Test does not keep it as the last round trip; one run on the stored repository is kept.
func TestARoundTripOfAnotherRepositoryIsNotRecorded(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	creds := r.emu.Credentials(providers.Gitea, fake.GiteaTokenFull)
	creds.Repo = "acme/gitops"
	if _, err := r.b.Save(ctx, usecase.SaveInput{Credentials: creds, Base: config.AnyRevision}); err != nil {
		t.Fatal(err)
	}
	var ran []string
	b := usecase.New(r.s, usecase.Options{Who: "tester", Now: func() time.Time { return r.now },
		Deep: func(_ context.Context, _ *providers.Env, c providers.Credentials, _ func(providers.Check)) providers.Result {
			ran = append(ran, c.Repo)
			return providers.Result{Provider: c.Provider, Credential: c.CredentialName(), OK: true}
		}})
	for _, repo := range []string{"acme/elsewhere", ""} {
		out := b.Test(ctx, r.data(), []string{"gitea"}, usecase.TestOptions{Deep: true, Repo: &repo})
		if out.RecordErr != nil || out.Data != nil || r.data().Credentials["gitea"].LastDeep != nil {
			t.Fatalf("--repo %q: recorded %+v, %v; want nothing recorded", repo, r.data().Credentials["gitea"].LastDeep, out.RecordErr)
		}
	}
	stored := "acme/gitops"
	out := b.Test(ctx, r.data(), []string{"gitea"}, usecase.TestOptions{Deep: true, Repo: &stored})
	if deep := r.data().Credentials["gitea"].LastDeep; out.Data == nil || deep == nil || !deep.OK || !deep.Deep {
		t.Fatalf("--repo of the stored repository: recorded %+v, %v; want the round trip kept", deep, out.RecordErr)
	}
	if want := []string{"acme/elsewhere", "", "acme/gitops"}; len(ran) != 3 || ran[0] != want[0] || ran[1] != want[1] || ran[2] != want[2] {
		t.Fatalf("the round trips ran on %q, want %q", ran, want)
	}
}

// TestCreateMakesItsCredentialTheActiveOne: the store a first save creates holds that credential
// as the active one, whatever the input said (the wizard's and the demo's first credential).
func TestCreateMakesItsCredentialTheActiveOne(t *testing.T) {
	t.Parallel()
	emu := newRig(t).emu
	dir := filepath.Join(t.TempDir(), "cfg")
	in := usecase.SaveInput{Credentials: emu.Credentials(providers.GitLab, fake.GitLabTokenFull), Base: 7, Activate: false}
	b, out, err := usecase.Create(context.Background(), dir, "", usecase.Options{Who: "tester"}, in)
	if err != nil || b == nil || out.Data == nil {
		t.Fatalf("create: %+v, %v", out, err)
	}
	if out.Data.Active != "gitlab" || out.Data.Credentials["gitlab"] == nil {
		t.Fatalf("the created store's active credential is %q; want gitlab", out.Data.Active)
	}
}
