package providers_test

import (
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/forms"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// The generic provider over HTTPS against a plain Git server (the emulator): Git's own check
// (authenticate and read the repository), and the existing-repository round trip on its one
// repository, which never creates nor deletes a repository; the token never shows.

func gitServerCreds(t *testing.T, e *fake.Emulators, token, repoPath string) providers.Credentials {
	t.Helper()
	c := e.Credentials(providers.GitServer, token)
	if repoPath != "" {
		c.URL = e.URL(providers.GitServer) + repoPath
	}
	norm, err := forms.Credentials(c)
	if err != nil {
		t.Fatalf("the forms refuse the credentials: %v", err)
	}
	if norm.Host != e.URL(providers.GitServer)+"/" {
		t.Fatalf("the host is not derived from the URL: %q", norm.Host)
	}
	return norm
}

func TestGitServerCheck(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	for _, tc := range []struct {
		name, token, path string
		auth, read        providers.Status
		words             string
	}{
		{"may read", fake.GitServerToken, "", providers.Pass, providers.Pass, "HEAD → main"},
		{"wrong token", "wrong-token-0123456789abcdef", "", providers.Fail, providers.Skip, "401"},
		{"no such repository", fake.GitServerToken, "/acme/other.git", providers.Pass, providers.Fail, "404"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := gitServerCreds(t, e, tc.token, tc.path)
			r := providers.Run(testCtx(t), envWithTimeout(providers.DefaultTimeout), c)
			auth, _ := r.Find(providers.CheckAuth)
			read, _ := r.Find(providers.CheckRead)
			if auth.Status != tc.auth || read.Status != tc.read || !strings.Contains(auth.Message+read.Message, tc.words) {
				t.Errorf("auth %s, read %s, want %s, %s with %q:\n%s", auth.Status, read.Status, tc.auth, tc.read, tc.words, dumpResult(r))
			}
			assertNoToken(t, r, tc.token)
		})
	}
}

func TestGitServerRoundTripIsTheExistingRepositoryOne(t *testing.T) {
	t.Parallel()
	e := kit.Emulators(t, fake.Options{})
	c := gitServerCreds(t, e, fake.GitServerToken, "")
	r := providers.RunDeep(testCtx(t), envWithTimeout(providers.DeepTimeout), c, nil)
	for _, id := range providers.ExistingStages {
		if ch, ok := r.Find(id); !ok || ch.Status != providers.Pass {
			t.Errorf("%s: %s %s", id, ch.Status, ch.Message)
		}
	}
	for _, id := range []string{providers.CheckDeepCreate, providers.CheckDeepDelete} {
		if _, ok := r.Find(id); ok {
			t.Errorf("the generic provider's round trip ran %s", id)
		}
	}
	assertNoToken(t, r, fake.GitServerToken)

	bad := gitServerCreds(t, e, "wrong-token-0123456789abcdef", "")
	r = providers.RunDeep(testCtx(t), envWithTimeout(providers.DeepTimeout), bad, nil)
	if ch, _ := r.Find(providers.CheckDeepRead); ch.Status != providers.Skip || r.OK {
		t.Errorf("with a refused token, deep:read is %s:\n%s", ch.Status, dumpResult(r))
	}
}
