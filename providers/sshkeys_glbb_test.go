package providers_test

import (
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// register registers c's key and returns the reference, what was said and the error, which must
// never show the token.
func register(t *testing.T, c providers.Credentials) (string, string, error) {
	t.Helper()
	ref, said, err := providers.RegisterSSHKey(testCtx(t), envWithTimeout(providers.DefaultTimeout), c)
	if err != nil && strings.Contains(err.Error(), c.Token) {
		t.Fatalf("the error shows the token: %v", err)
	}
	return ref, said, err
}

func unregister(t *testing.T, c providers.Credentials, ref string) error {
	t.Helper()
	c.SSHKeyRef = ref
	_, err := providers.UnregisterSSHKey(testCtx(t), envWithTimeout(providers.DefaultTimeout), c)
	return err
}

func withNewKey(c providers.Credentials, repo string) providers.Credentials {
	c.Repo = repo
	c.SSHKey, _, _ = providers.GenerateSSHKey("t")
	return c
}

// GitLab registers a deploy key with write access (can_push) on the credential's project, or a
// key of the token's user, and deletes it again.
func TestRegisterSSHKeyGitLab(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	if err := e.AddRepo(providers.GitLab, "apps"); err != nil {
		t.Fatal(err)
	}
	project := fake.GitLabGroupPath + "/apps"
	for _, repo := range []string{project, ""} {
		c := withNewKey(e.DemoCredentials(providers.GitLab), repo)
		ref, said, err := register(t, c)
		keys := e.SSHKeys(providers.GitLab)
		want := map[bool]string{true: "repo:" + project + " ssh-ed25519 ", false: "user:" + fake.GitLabUser + " ssh-ed25519 "}[repo != ""]
		if err != nil || len(keys) != 1 || !strings.HasPrefix(keys[0], want) {
			t.Fatalf("%q: ref %q (%s), %v; keys %v, want %s…", repo, ref, said, err, keys, want)
		}
		if wantRef := map[bool]string{true: "deploy:" + project + ":", false: "user:"}[repo != ""]; !strings.HasPrefix(ref, wantRef) {
			t.Errorf("ref %q, want %s…", ref, wantRef)
		}
		if err := unregister(t, c, ref); err != nil || len(e.SSHKeys(providers.GitLab)) != 0 {
			t.Errorf("%q: unregister: %v, keys left %v", repo, err, e.SSHKeys(providers.GitLab))
		}
	}
}

// GitLab's refusals say what to do: a token without api names the scope, a Developer cannot add
// deploy keys (Maintainer), and a key GitLab holds already elsewhere is named as such.
func TestRegisterSSHKeyGitLabRefusals(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	if err := e.AddRepo(providers.GitLab, "apps"); err != nil {
		t.Fatal(err)
	}
	project := fake.GitLabGroupPath + "/apps"
	for _, tc := range []struct {
		token, repo, want string
	}{
		{fake.GitLabTokenNoAPI, "", "lacks the api scope"},
		{fake.GitLabTokenNoAPI, project, "lacks the api scope"},
		{fake.GitLabTokenDeveloper, project, "Maintainer role on " + project},
	} {
		c := withNewKey(e.Credentials(providers.GitLab, tc.token), tc.repo)
		if _, _, err := register(t, c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %q: %v, want %q", tc.token, tc.repo, err, tc.want)
		}
	}
	c := withNewKey(e.DemoCredentials(providers.GitLab), project)
	if _, _, err := register(t, c); err != nil {
		t.Fatal(err)
	}
	c.Repo = "" // the same key as a key of the user
	if _, _, err := register(t, c); err == nil || !strings.Contains(err.Error(), "holds this public key already") {
		t.Errorf("a key on a project, then on the user: %v", err)
	}
}

// Bitbucket's deploy keys are read-only, so a key goes to the token's account even when the
// credential names a repository, and the answer says why; the key is deleted again.
func TestRegisterSSHKeyBitbucket(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	for _, repo := range []string{fake.BitbucketWorkspace + "/gitops-bootstrap", ""} {
		c := withNewKey(e.Credentials(providers.Bitbucket, fake.BitbucketTokenSSHKeys), repo)
		ref, said, err := register(t, c)
		keys := e.SSHKeys(providers.Bitbucket)
		if err != nil || !strings.HasPrefix(ref, "user:{") || len(keys) != 1 || !strings.HasPrefix(keys[0], "user:"+fake.BitbucketUsername+" ") {
			t.Fatalf("%q: ref %q (%s), %v; keys %v", repo, ref, said, err, keys)
		}
		if (repo != "") != strings.Contains(said, "deploy keys are read-only") {
			t.Errorf("%q: %s", repo, said)
		}
		if err := unregister(t, c, ref); err != nil || len(e.SSHKeys(providers.Bitbucket)) != 0 {
			t.Errorf("%q: unregister: %v, keys left %v", repo, err, e.SSHKeys(providers.Bitbucket))
		}
	}
}

// Bitbucket's refusals: a token without the SSH-key scopes names them, an access token has no
// account to hold keys, a key held already is named as such, and so is a key deleted less than
// 30 days ago (Bitbucket keeps it; the messages are those Atlassian's knowledge base quotes, "Why
// am I not able to add an SSH key in Bitbucket Cloud").
func TestRegisterSSHKeyBitbucketRefusals(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	for _, tc := range []struct {
		token, want string
	}{
		{fake.BitbucketTokenFull, "write:ssh-key:bitbucket"},
		{fake.BitbucketAccessToken, "access token belongs to a workspace or repository"},
	} {
		c := withNewKey(e.Credentials(providers.Bitbucket, tc.token), "")
		if _, _, err := register(t, c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.token, err, tc.want)
		}
	}
	c := withNewKey(e.Credentials(providers.Bitbucket, fake.BitbucketTokenSSHKeys), "")
	ref, _, err := register(t, c)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err = register(t, c); err == nil || !strings.Contains(err.Error(), "holds this public key already, on another account") ||
		!strings.Contains(err.Error(), "Someone has already registered that SSH key.") {
		t.Errorf("the same key twice: %v", err)
	}
	if err := unregister(t, c, ref); err != nil {
		t.Fatal(err)
	}
	_, _, err = register(t, c)
	if err == nil || !strings.Contains(err.Error(), "keeps a deleted key for up to 30 days") {
		t.Errorf("a key deleted just now, again: %v", err)
	}
}
