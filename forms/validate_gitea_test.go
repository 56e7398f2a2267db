package forms

import (
	"strings"
	"testing"

	"gitopscfg/providers"
)

func TestGiteaOrgAndHost(t *testing.T) {
	for _, ok := range []string{"acme", "acme-gitops", "Acme_Ops.2", "a"} {
		if got, err := checkOrg(providers.Gitea, " "+ok+" "); err != nil || got != ok {
			t.Errorf("Org(%q) = %q, %v", ok, got, err)
		}
	}
	for _, bad := range []string{"-acme", "acme-", "ac--me", "ac me", "acme/ops", strings.Repeat("a", 41), "acme.", "ac.-me"} {
		if _, err := checkOrg(providers.Gitea, bad); err == nil || !strings.Contains(err.Error(), "Gitea organisation name") {
			t.Errorf("Org(%q) = %v, want the Gitea rule", bad, err)
		}
	}
	if _, err := checkHost(providers.Gitea, ""); err == nil || !strings.Contains(err.Error(), "e.g. https://gitea.example.com/") {
		t.Errorf("empty host: %v, want an example address", err)
	}
	if got, err := checkHost(providers.Gitea, "https://codeberg.org"); err != nil || got != "https://codeberg.org/" {
		t.Errorf("Host(codeberg) = %q, %v", got, err)
	}
}
