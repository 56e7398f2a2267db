package ui

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/platforms/devtronfake"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// The plain prompts offer what the picker offers: re-test every provider (7), push to Devtron (8)
// and rotate a token (9), after Quit so that the earlier answers keep their numbers.
func TestAccessibleRetestsEveryProvider(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	s := emulatedStore(t, emu, providers.GitHub, fake.GitHubTokenFull)
	var out bytes.Buffer
	err := runPiped(t, Options{Store: s, ConfigDir: s.Dir(), Who: "t"}, []string{"7", "6"}, &out)
	if err != nil {
		t.Fatalf("err = %v; output:\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "Re-testing 1 providers") || !strings.Contains(out.String(), "GitHub: passed") {
		t.Fatalf("no verdict per provider:\n%s", out.String())
	}
	if c := load(t, s).Credentials["github"]; c.LastCheck == nil || !c.LastCheck.OK {
		t.Fatalf("the result was not recorded: %+v", c.LastCheck)
	}
	if showsToken(out.String(), fake.GitHubTokenFull) {
		t.Fatalf("the token is shown:\n%s", out.String())
	}
}

// A push from the plain prompts asks, and says when Devtron's active provider would change: no
// pushes nothing; yes switches there and here.
func TestAccessiblePushAsksBeforeSwitching(t *testing.T) {
	t.Parallel()
	const devtronToken = "devtron-CANARY-accessible-push-00000041"
	emu := kit.Emulators(t, fake.Options{})
	dt := kit.Devtron(t, devtronfake.Options{Tokens: map[string]bool{devtronToken: true}})
	dt.Put(devtronfake.Row{Config: devtronfake.Config{Provider: "AZURE_DEVOPS", Host: "https://dev.azure.com/acme", AzureProjectName: "gitops", Username: "a", Token: "x", Active: true}})
	s := emulatedStore(t, emu, providers.GitHub, fake.GitHubTokenFull)
	ctx := context.Background()
	if _, err := s.RecordChecks(ctx, "t", config.Checked{Credential: "github", Tested: emu.Credentials(providers.GitHub, fake.GitHubTokenFull).Settings,
		Record: &config.CheckRecord{At: fixedNow, OK: true}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetPlatform(ctx, "t", "devtron", "default", config.Platform{URL: dt.URL(), Token: devtronToken}); err != nil {
		t.Fatal(err)
	}
	opts := Options{Store: s, ConfigDir: s.Dir(), Who: "t"}

	var out bytes.Buffer
	if err := runPiped(t, opts, []string{"8", "1", "n", "6"}, &out); err != nil {
		t.Fatalf("err = %v; output:\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "Devtron's active GitOps provider is azure") || !strings.Contains(out.String(), "Nothing was pushed: azure stays Devtron's active provider") {
		t.Fatalf("no question, or something was pushed:\n%s", out.String())
	}
	if len(dt.Rows()) != 1 {
		t.Fatalf("a declined push reached Devtron: %d rows", len(dt.Rows()))
	}

	out.Reset()
	if err := runPiped(t, opts, []string{"8", "1", "y", "6"}, &out); err != nil {
		t.Fatalf("err = %v; output:\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "is now the active provider here too") {
		t.Fatalf("the switch was not said:\n%s", out.String())
	}
	for _, row := range dt.Rows() {
		if row.Active != (row.Provider == "GITHUB") {
			t.Fatalf("after yes, %s active=%v", row.Provider, row.Active)
		}
	}
	if d := load(t, s); d.Active != "github" {
		t.Fatalf("the local active provider is %q, want github", d.Active)
	}
	for _, tok := range []string{fake.GitHubTokenFull, devtronToken} {
		if showsToken(out.String(), tok) {
			t.Fatalf("a token is shown:\n%s", out.String())
		}
	}
}

// A rotation by hand from the plain prompts reads the new token from the pipe, checks it, runs
// the round trip, saves it and never shows it.
func TestAccessibleRotatesByHand(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	s := emulatedStore(t, emu, providers.GitHub, fake.GitHubTokenFull)
	var out bytes.Buffer
	err := runPiped(t, Options{Store: s, ConfigDir: s.Dir(), Who: "t"}, []string{"9", "1", fake.GitHubTokenNoAdminOrg, "6"}, &out)
	if err != nil {
		t.Fatalf("err = %v; output:\n%s", err, out.String())
	}
	for _, want := range []string{"Create the replacement at", "pass: check:", "pass: round trip:", "pass: save:", "The rotation of GitHub's token is done."} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if c := load(t, s).Credentials["github"]; c.Token != fake.GitHubTokenNoAdminOrg || c.LastDeep == nil || !c.LastDeep.OK {
		t.Fatalf("stored %s, round trip %+v", providers.TokenHint(c.Token), c.LastDeep)
	}
	for _, tok := range []string{fake.GitHubTokenFull, fake.GitHubTokenNoAdminOrg} {
		if showsToken(out.String(), tok) {
			t.Fatalf("a token is shown:\n%s", out.String())
		}
	}
}
