package ui

import (
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// A credential with an existing repository: the round-trip screen lists this mode's stages, fills
// them in, and says that no repository was created or deleted.
func TestRoundTripOfAnExistingRepositoryShowsItsStages(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	if err := emu.AddRepo(providers.Gitea, "gitops"); err != nil {
		t.Fatal(err)
	}
	if err := emu.Seed(providers.Gitea, "gitops"); err != nil {
		t.Fatal(err)
	}
	_, s := newStore(t, func(d *config.Data) {
		p := &config.Credential{Provider: string(providers.Gitea), UpdatedAt: fixedNow.Add(-time.Hour)}
		p.Settings = emu.Credentials(providers.Gitea, fake.GiteaTokenPusher).Settings
		p.Username, p.Repo = fake.GiteaPusher, fake.GiteaOrg+"/gitops"
		d.Credentials[string(providers.Gitea)] = p
	})
	hs := start(t, Options{Store: s, ConfigDir: s.Dir()}, realChecks, 120, 40)
	hs.waitFor("never checked")
	hs.key("down", "down", "down", "down")
	hs.waitFor("Gitea / Forgejo", "acme/gitops")
	hs.key("r")
	hs.waitFor("it pushes a throw-away branch to acme/gitops and deletes it")
	hs.key("y")
	scr := plainText(hs.waitFor("Round trip passed", "pushes to and deletes its branches"))
	for _, id := range providers.ExistingStages {
		if !strings.Contains(scr, "✓ "+id+" (") {
			t.Errorf("%s did not pass with a duration:\n%s", id, scr)
		}
	}
	if strings.Contains(scr, providers.CheckDeepCreate) {
		t.Errorf("the screen shows deep:create:\n%s", scr)
	}
	if got, _ := emu.Branches(providers.Gitea, "gitops"); len(got) != 1 {
		t.Errorf("branches left: %v", got)
	}
}
