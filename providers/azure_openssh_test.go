package providers_test

import (
	"slices"
	"strings"
	"testing"

	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
	"gitopscfg/providers/opensshtest"
)

// An Azure DevOps credential over SSH against a real OpenSSH server with git-shell (make
// test-gitea): the API is the Azure DevOps emulator's, Git goes over SSH with a generated RSA key
// to the repository's Azure-shaped path v3/ORGANISATION/PROJECT/REPO, under the server's
// directory given as the SSH URL (a repository's whole SSH URL, as Azure's Clone dialog shows it).
// The live check's ssh stage and the existing-repository round trip pass, and nothing is left.
func TestOpenSSHAzureShapedRoundTrip(t *testing.T) {
	srv := opensshtest.Start(t)
	e := kit.Emulators(t, fake.Options{})
	if err := e.AddRepo(providers.Azure, "apps"); err != nil {
		t.Fatal(err)
	}
	path := "v3/" + fake.AzureOrganisation + "/" + fake.AzureProject + "/apps"
	cloneURL := srv.Repo(t, path)
	priv, pub, err := providers.GenerateSSHKeyFor(providers.Azure, "gitopscfg-azure")
	if err != nil {
		t.Fatal(err)
	}
	srv.Authorize(t, pub)
	hk, err := providers.ScanHostKey(testCtx(t), srv.Addr, "")
	if err != nil {
		t.Fatal(err)
	}
	c := e.DemoCredentials(providers.Azure)
	c.Repo, c.SSHKey, c.SSHURL = fake.AzureProject+"/apps", priv, cloneURL
	c.SSHHostKey = providers.KnownHostsLine(srv.Addr, hk)
	if u, err := providers.SSHRepoURL(c, fake.AzureProject+"/apps"); err != nil || u != cloneURL {
		t.Fatalf("SSHRepoURL = %s, %v; want %s", u, err, cloneURL)
	}

	r := providers.Run(testCtx(t), envWithTimeout(providers.DeepTimeout), c)
	if ch, _ := r.Find(providers.CheckSSH); !r.OK || ch.Status != providers.Pass {
		t.Fatalf("live check over SSH:\n%s", dumpResult(r))
	}
	d := providers.RunDeep(testCtx(t), envWithTimeout(providers.DeepTimeout), c, nil)
	for _, id := range providers.ExistingStages {
		if ch, ok := d.Find(id); !ok || ch.Status != providers.Pass {
			t.Errorf("%s: %s %s", id, ch.Status, ch.Message)
		}
	}
	if b := srv.Branches(t, path); !slices.Equal(b, []string{"main"}) {
		t.Errorf("branches left behind: %v", b)
	}
	if ch, _ := d.Find(providers.CheckDeepRead); !strings.Contains(ch.Message, "Git reads "+cloneURL) {
		t.Errorf("the round trip did not read the repository over SSH at %s: %s", cloneURL, ch.Message)
	}
	noKeyIn(t, c, d)
}
