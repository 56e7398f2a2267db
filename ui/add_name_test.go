package ui

import (
	"strings"
	"testing"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// A new credential's name is refused when the command line could not name it: another
// provider's id, or a provider's alias (forgejo names Gitea's own credential there).
func TestNewCredentialNameRefusesWhatNamesAnother(t *testing.T) {
	t.Parallel()
	gh := providers.MustLookup(providers.GitHub)
	d := config.NewData()
	for typed, want := range map[string]string{
		"gitlab":   "GitLab's own credential",
		"forgejo":  "another name of Gitea / Forgejo's own credential (gitea)",
		"Codeberg": "another name of",
		"Bad Name": "may hold only",
	} {
		if _, err := newCredentialName(d, gh, typed); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", typed, err, want)
		}
	}
	if name, err := newCredentialName(d, gh, " Acme-Infra "); err != nil || name != "acme-infra" {
		t.Errorf("acme-infra: %q %v", name, err)
	}
}
