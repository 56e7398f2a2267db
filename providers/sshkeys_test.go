package providers_test

import (
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// GitHub and Gitea register a credential's public key through their APIs, as a deploy key of the
// credential's repository or as a key of the token's user, and delete it again; Azure DevOps
// (no API for SSH keys) says the key is pasted by hand.
func TestRegisterSSHKeyGitHubAndGitea(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	for _, id := range []providers.ID{providers.GitHub, providers.Gitea} {
		if err := e.AddRepo(id, "gitops"); err != nil {
			t.Fatal(err)
		}
		for _, repo := range []string{"", e.DemoCredentials(id).Org + "/gitops"} {
			c := e.DemoCredentials(id)
			if id == providers.Gitea && repo == "" {
				c = e.Credentials(id, fake.GiteaTokenAll) // a key of the user needs write:user
			}
			c.Repo = repo
			c.SSHKey, _, _ = providers.GenerateSSHKey("t")
			ref, said, err := providers.RegisterSSHKey(testCtx(t), envWithTimeout(providers.DefaultTimeout), c)
			keys := e.SSHKeys(id)
			if err != nil || len(keys) != 1 || (repo != "") != strings.HasPrefix(ref, "deploy:"+repo+":") {
				t.Fatalf("%s %q: ref %q (%s), %v; keys %v", id, repo, ref, said, err, keys)
			}
			want := "user:"
			if repo != "" {
				want = "repo:" + strings.ToLower(repo)
			}
			if !strings.HasPrefix(keys[0], want) {
				t.Errorf("%s: the key went to %s, not %s", id, keys[0], want)
			}
			c.SSHKeyRef = ref
			if _, err := providers.UnregisterSSHKey(testCtx(t), envWithTimeout(providers.DefaultTimeout), c); err != nil || len(e.SSHKeys(id)) != 0 {
				t.Errorf("%s: unregister: %v, keys left %v", id, err, e.SSHKeys(id))
			}
		}
	}
	c := e.DemoCredentials(providers.Azure)
	c.SSHKey, _, _ = providers.GenerateSSHKey("t")
	if _, _, err := providers.RegisterSSHKey(testCtx(t), envWithTimeout(providers.DefaultTimeout), c); err == nil || !strings.Contains(err.Error(), "paste the public key") {
		t.Errorf("Azure DevOps: %v", err)
	}
}

// A key the API refuses (already in use; a key of the user without write:user) is an error that
// says so and shows no token.
func TestRegisterSSHKeyTwiceIsRefused(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	if err := e.AddRepo(providers.Gitea, "gitops"); err != nil {
		t.Fatal(err)
	}
	c := e.DemoCredentials(providers.Gitea)
	c.Repo = c.Org + "/gitops"
	c.SSHKey, _, _ = providers.GenerateSSHKey("t")
	if _, _, err := providers.RegisterSSHKey(testCtx(t), envWithTimeout(providers.DefaultTimeout), c); err != nil {
		t.Fatal(err)
	}
	_, _, err := providers.RegisterSSHKey(testCtx(t), envWithTimeout(providers.DefaultTimeout), c)
	if err == nil || !strings.Contains(err.Error(), "422") || strings.Contains(err.Error(), c.Token) {
		t.Errorf("the same key twice: %v", err)
	}
	c.Repo = ""
	c.SSHKey, _, _ = providers.GenerateSSHKey("u")
	_, _, err = providers.RegisterSSHKey(testCtx(t), envWithTimeout(providers.DefaultTimeout), c)
	if err == nil || !strings.Contains(err.Error(), "write:user") || strings.Contains(err.Error(), c.Token) {
		t.Errorf("a key of the user without write:user: %v", err)
	}
}
