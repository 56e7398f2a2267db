package platforms_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
)

// sshCredential is a GitHub credential going to Git over SSH, trusting a host key for github.com.
func sshCredential(t *testing.T) providers.Credentials {
	t.Helper()
	priv, hostPub, err := providers.GenerateSSHKey("host")
	if err != nil {
		t.Fatal(err)
	}
	key, _, err := providers.GenerateSSHKey("gitopscfg-acme")
	if err != nil {
		t.Fatal(err)
	}
	_ = priv
	f := strings.Fields(hostPub)
	c := providers.Credentials{Provider: providers.GitHub, Name: "acme", Settings: config.Settings{Host: "https://github.com/", Org: "acme",
		Username: "octocat", Token: "ghp_" + gitCanary, SSHKey: key, SSHHostKey: "github.com " + f[0] + " " + f[1]}}
	return c
}

// Argo CD over SSH: the credential template claims the organisation's ssh:// prefix with the
// private key (sshPrivateKey, no password), and argocd-ssh-known-hosts-cm holds the trusted key.
func TestArgoCDOverSSH(t *testing.T) {
	c := sshCredential(t)
	objs, err := platforms.ArgoCD(context.Background(), nil, c, platforms.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d := docs(t, platforms.EncodeYAML(objs))
	if len(d) != 2 {
		t.Fatalf("%d documents, want the Secret and the known hosts", len(d))
	}
	var s corev1.Secret
	strict(t, d[0], &s)
	sd := s.StringData
	// (docs splits the stream on its separators, which takes the last line break of the key.)
	if sd["url"] != "ssh://git@github.com/acme/" || sd["sshPrivateKey"] != strings.TrimSuffix(c.SSHKey, "\n") || sd["password"] != "" || sd["username"] != "" {
		t.Errorf("Secret: url %q, %d keys", sd["url"], len(sd))
	}
	var cm corev1.ConfigMap
	strict(t, d[1], &cm)
	if cm.Name != "argocd-ssh-known-hosts-cm" || cm.Data["ssh_known_hosts"] != c.SSHHostKey+"\n" {
		t.Errorf("known hosts: %s %q", cm.Name, cm.Data["ssh_known_hosts"])
	}
	repo, err := platforms.ArgoCD(context.Background(), nil, c, platforms.ExportOptions{Kind: platforms.KindRepository, Repo: "gitops"})
	if err != nil || repo[0].Get("stringData.url") != "ssh://git@github.com/acme/gitops.git" {
		t.Errorf("one repository over SSH: %v %v", repo, err)
	}
	// Two credentials' known hosts become one ConfigMap holding both lines.
	other := sshCredential(t)
	more, _ := platforms.ArgoCD(context.Background(), nil, other, platforms.ExportOptions{Name: "other"})
	merged, err := platforms.MergeExports([]string{"a", "b"}, [][]platforms.Object{objs, more})
	if err != nil || len(merged) != 3 {
		t.Fatalf("merged: %d objects, %v", len(merged), err)
	}
	if hosts, _ := merged[1].Get("data.ssh_known_hosts").(string); !strings.Contains(hosts, c.SSHHostKey) || !strings.Contains(hosts, other.SSHHostKey) {
		t.Errorf("merged known hosts: %q", hosts)
	}
	c.SSHHostKey = ""
	if _, err := platforms.ArgoCD(context.Background(), nil, c, platforms.ExportOptions{}); err == nil || !strings.Contains(err.Error(), "no SSH host key is trusted") {
		t.Errorf("exported without a trusted host key: %v", err)
	}
}

// Flux over SSH: identity, identity.pub and known_hosts, as flux create secret git writes them.
func TestFluxOverSSH(t *testing.T) {
	c := sshCredential(t)
	objs, err := platforms.Flux(c, platforms.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var s corev1.Secret
	strict(t, docs(t, platforms.EncodeYAML(objs))[0], &s)
	sd := s.StringData
	pub, _ := providers.SSHPublicKey(c)
	if sd["identity"] != c.SSHKey || sd["identity.pub"] != pub+"\n" || sd["known_hosts"] != c.SSHHostKey+"\n" || len(sd) != 3 {
		t.Errorf("Flux SSH secret: %d keys", len(sd))
	}
}

// The generic provider exports its one repository; Devtron's open-source API takes neither it nor
// an SSH credential, and says why before sending anything.
func TestGenericProviderAndSSHDelivery(t *testing.T) {
	g := providers.Credentials{Provider: providers.GitServer, Name: "mirror", Settings: config.Settings{
		URL: "https://git.example.com/acme/gitops.git", Username: "jdoe", Token: "tok-" + gitCanary}}
	objs, err := platforms.ArgoCD(context.Background(), nil, g, platforms.ExportOptions{})
	if err != nil || objs[0].Get("stringData.url") != g.URL || objs[0].Get("metadata.labels.argocd\\.argoproj\\.io/secret-type") == "repo-creds" {
		t.Errorf("generic Argo CD export: %v %v", objs, err)
	}
	if err := platforms.DevtronRefusal(g); !errors.Is(err, platforms.ErrUnsupported) || !strings.Contains(err.Error(), "Other GitOps") {
		t.Errorf("Devtron and the generic provider: %v", err)
	}
	s := sshCredential(t)
	if err := platforms.DevtronRefusal(s); !errors.Is(err, platforms.ErrNoSSH) || !strings.Contains(err.Error(), "SSH") {
		t.Errorf("Devtron and an SSH credential: %v", err)
	}
}
