package forms

import (
	"strings"
	"testing"

	"gitopscfg/providers"
)

// The SSH URL takes ssh:// URLs and Git's scp-like [user@]host:path (as Azure DevOps' Clone dialog
// shows it), kept as given; anything else, or a password, is refused with the forms it takes.
func TestCheckSSHURLTakesSCPStyle(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"ssh://git@gitea.example.com:2222/", "git@ssh.dev.azure.com:v3/acme/gitops/apps", "git.example.com:srv/x.git"} {
		if got, err := checkSSHURL(ok); err != nil || got != ok {
			t.Errorf("checkSSHURL(%q) = %q, %v", ok, got, err)
		}
	}
	for in, want := range map[string]string{
		"https://github.com/":            "git@host:path",
		"/srv/git/x.git":                 "git@host:path",
		"ssh://git:secret@host/":         "password",
		"git@ssh.dev.azure.com:v3/a?x=1": "git@host:path",
		"ssh://git@host:99999/":          "port",
	} {
		if _, err := checkSSHURL(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("checkSSHURL(%q): %v, want %q", in, err, want)
		}
	}
}

// The generic provider takes an scp-like repository URL, kept as given.
func TestGenericProviderTakesSCPStyleURL(t *testing.T) {
	t.Parallel()
	priv, _, err := providers.GenerateSSHKey("t")
	if err != nil {
		t.Fatal(err)
	}
	c := providers.Credentials{Provider: providers.GitServer, Name: "mirror"}
	c.URL, c.Username, c.SSHKey = "git@git.example.com:repos/gitops.git", "git", priv
	if norm, err := Credentials(c); err != nil || norm.URL != c.URL {
		t.Errorf("scp-like URL: %q, %v", norm.URL, err)
	}
	c.URL = "git:pw@git.example.com:repos/gitops.git"
	if _, err := Credentials(c); err == nil {
		t.Error("an scp-like URL with a password was taken")
	}
}
