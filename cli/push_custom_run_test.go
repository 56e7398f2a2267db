package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// push devtron of a credential with an existing repository: stderr says first what
// allowCustomRepository means, the result quotes validationSkipped, and Devtron holds the flag.
func TestPushDevtronOfACredentialWithARepository(t *testing.T) {
	t.Parallel()
	const adminCanary = "devtron-CANARY-push-admin-token-00000021"
	x := newRunFixture(t)
	x.devtron(map[string]bool{adminCanary: true}, adminCanary)
	c := config.Change{Credential: string(providers.GitHub), Base: config.AnyRevision, Activate: true,
		Settings: x.emu.Credentials(providers.GitHub, fake.GitHubTokenFull).Settings}
	c.Settings.Repo = fake.GitHubOrg + "/gitops"
	c.Check = &config.CheckRecord{At: x.now, OK: true}
	if _, err := x.s.Set(context.Background(), "setup", c); err != nil {
		t.Fatal(err)
	}
	if err := pushRun(context.Background(), x.pushOpts()); err != nil {
		t.Fatalf("push: %v\n%s%s", err, x.out.String(), x.err.String())
	}
	said := x.err.String()
	note := strings.Index(said, "goes to Devtron with allowCustomRepository")
	if note < 0 || !strings.Contains(said, "each Devtron application names its own repository") {
		t.Errorf("stderr does not say what allowCustomRepository means:\n%s", said)
	}
	if send := strings.Index(said, "sending the configuration"); send >= 0 && send < note {
		t.Errorf("the note comes after the push was sent:\n%s", said)
	}
	if !strings.Contains(x.out.String(), "validationSkipped: true") || !strings.Contains(x.out.String(), "SAVED (not checked by Devtron)") {
		t.Errorf("stdout:\n%s", x.out.String())
	}
	if rows := x.dt.Rows(); len(rows) != 1 || !rows[0].AllowCustomRepository {
		t.Fatalf("Devtron holds %+v", rows)
	}
	opts := x.pushOpts()
	opts.JSON = true
	if err := pushRun(context.Background(), opts); err != nil {
		t.Fatalf("push --json: %v", err)
	}
	var res platforms.PushResult
	if err := json.Unmarshal(x.out.Bytes(), &res); err != nil || !res.CustomRepository || res.Outcome != platforms.SavedUnchecked {
		t.Fatalf("push --json: %v\n%s", err, x.out.String())
	}
}
