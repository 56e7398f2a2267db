package platforms

import (
	"strings"
	"testing"

	"gitopscfg/providers"
)

// TestEveryProviderHasATarget: each provider states its delivery rules in its own file here, even
// when Devtron has no such provider, so that a new provider cannot be delivered by default rules
// nobody chose; and Devtron's names map back to the providers one to one.
func TestEveryProviderHasATarget(t *testing.T) {
	seen := map[string]providers.ID{}
	for _, id := range providers.IDs {
		tg, ok := targets[id]
		if !ok {
			t.Errorf("%s has no platforms target: register one from platforms/%s.go", id, id)
			continue
		}
		if tg.devtron == "" {
			continue
		}
		if other, dup := seen[tg.devtron]; dup {
			t.Errorf("%s and %s both call themselves %s in Devtron", other, id, tg.devtron)
		}
		seen[tg.devtron] = id
		if fromDevtron(tg.devtron) != id {
			t.Errorf("fromDevtron(%s) = %q, want %s", tg.devtron, fromDevtron(tg.devtron), id)
		}
	}
	if len(targets) != len(providers.IDs) {
		t.Errorf("%d targets for %d providers", len(targets), len(providers.IDs))
	}
	msg := unsupportedMsg(providers.Gitea)
	if want := "Devtron's GitOps providers are GitHub, GitLab, Azure DevOps and Bitbucket Cloud"; !strings.Contains(msg, want) {
		t.Errorf("unsupported message %q, want it to list %q", msg, want)
	}
}

func TestRegisterTargetRefusesAnIncompleteDevtronProvider(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("a target with a Devtron name and no Devtron configuration was registered")
		}
	}()
	registerTarget("nosuch", target{devtron: "NOSUCH"})
}
