package platforms_test

import (
	"context"
	"testing"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
)

// Argo CD over SSH for Azure DevOps: the template claims the project's prefix on
// ssh.dev.azure.com's v3 path, and one repository is v3/ORG/PROJECT/REPO (no .git, no _git).
func TestArgoCDOverSSHForAzureDevOps(t *testing.T) {
	c := sshCredential(t)
	c.Provider, c.Name = providers.Azure, "azure"
	c.Settings = config.Settings{Host: "https://dev.azure.com/acme/", Org: "gitops", Username: "jdoe@example.com",
		Token: c.Token, SSHKey: c.SSHKey, SSHHostKey: c.SSHHostKey}
	objs, err := platforms.ArgoCD(context.Background(), nil, c, platforms.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := objs[0].Get("stringData.url"); got != "ssh://git@ssh.dev.azure.com/v3/acme/gitops/" {
		t.Errorf("repo-creds url %v", got)
	}
	repo, err := platforms.ArgoCD(context.Background(), nil, c, platforms.ExportOptions{Kind: platforms.KindRepository, Repo: "apps"})
	if err != nil || repo[0].Get("stringData.url") != "ssh://git@ssh.dev.azure.com/v3/acme/gitops/apps" {
		t.Errorf("one repository over SSH: %v %v", repo, err)
	}
}
