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
	if !strings.Contains(out.String(), "Re-testing 1 provider …") || !strings.Contains(out.String(), "GitHub: passed") {
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

// TestAccessibleAddsSecondCredential: from a pipe, the plain prompts add a second GitHub credential
// (Add, the provider, the name, the fields), list it under GitHub's, and act on it by name: its
// re-test is its own. A name taken is refused without asking again (its line would be the next
// answer's), and nothing is added.
func TestAccessibleAddsSecondCredential(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	s := emulatedStore(t, emu, providers.GitHub, fake.GitHubTokenFull)
	newProvider := func(id providers.ID) providers.Credentials { return emu.Credentials(id, "") }
	var out bytes.Buffer
	answers := []string{
		"10", "1", "github", // Add, GitHub, a name taken: refused
		// Add, GitHub, acme-infra, a token (the first kind), its fields (host, organisation,
		// username, token, API URL, CA bundle, proxy), not active
		"10", "1", "acme-infra", "1", "", fake.GitHubOrgInfra, "", fake.GitHubTokenFull, "", "", "", "n",
		"3", "2", // re-test the second row: acme-infra
		"6",
	}
	err := runPiped(t, Options{Store: s, ConfigDir: s.Dir(), Who: "t", NewProvider: newProvider}, answers, &out)
	if err != nil {
		t.Fatalf("err = %v; output:\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{
		"Not added: GitHub exists already: edit it, or choose another name.",
		"Name of the new GitHub credential (lower-case letters, digits and '-', at most 40 characters):",
		"All checks passed.", "Saved acme-infra (GitHub).", "Make acme-infra (GitHub) the active credential?",
		"\nGitHub: configured (", "\nacme-infra (GitHub): configured (",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if i, j := strings.LastIndex(text, "\nGitHub: configured"), strings.LastIndex(text, "\nacme-infra (GitHub): configured"); i > j || j > strings.LastIndex(text, "\nGitLab: not configured") {
		t.Errorf("acme-infra is not listed under GitHub:\n%s", text)
	}
	if showsToken(text, fake.GitHubTokenFull) {
		t.Fatalf("the output shows the token:\n%s", text)
	}
	d := load(t, s)
	c := d.Credentials["acme-infra"]
	if c == nil || c.Provider != "github" || c.Org != fake.GitHubOrgInfra || c.Token != fake.GitHubTokenFull || d.Active == "acme-infra" {
		t.Fatalf("after adding: %v, active %q, acme-infra %+v", usecaseNames(d), d.Active, c)
	}
	if strings.Count(text, "All checks passed.") != 2 || strings.Contains(text, "is not configured.") || d.Credentials["github"].LastCheck != nil {
		t.Fatalf("the re-test of row 2 was not acme-infra's (github's last check %v):\n%s", d.Credentials["github"].LastCheck, text)
	}
}

// With two Devtron instances (neither named default), the plain prompts' push asks to which, by
// number: the one chosen gets the push, the other nothing; the number after the last pushes to
// each in turn, each push asking first.
func TestAccessiblePushAsksWhichInstance(t *testing.T) {
	t.Parallel()
	const devtronToken = "devtron-CANARY-accessible-push-00000042"
	emu := kit.Emulators(t, fake.Options{})
	prod := kit.Devtron(t, devtronfake.Options{Tokens: map[string]bool{devtronToken: true}})
	staging := kit.Devtron(t, devtronfake.Options{Tokens: map[string]bool{devtronToken: true}})
	s := emulatedStore(t, emu, providers.GitHub, fake.GitHubTokenFull)
	ctx := context.Background()
	if _, err := s.RecordChecks(ctx, "t", config.Checked{Credential: "github", Tested: emu.Credentials(providers.GitHub, fake.GitHubTokenFull).Settings,
		Record: &config.CheckRecord{At: fixedNow, OK: true}}); err != nil {
		t.Fatal(err)
	}
	for name, dt := range map[string]*devtronfake.Server{"prod": prod, "staging": staging} {
		if _, err := s.SetPlatform(ctx, "t", "devtron", name, config.Platform{URL: dt.URL(), Token: devtronToken}); err != nil {
			t.Fatal(err)
		}
	}
	opts := Options{Store: s, ConfigDir: s.Dir(), Who: "t"}

	var out bytes.Buffer
	// push, GitHub, staging, yes, quit
	if err := runPiped(t, opts, []string{"8", "1", "2", "y", "6"}, &out); err != nil {
		t.Fatalf("err = %v; output:\n%s", err, out.String())
	}
	for _, want := range []string{"Push GitHub to which Devtron instance?", "prod at " + prod.URL(), "staging at " + staging.URL(), "All, one after the other (each push asks first)",
		"Push GitHub to Devtron staging at " + staging.URL() + "?", "Devtron staging: GitHub: Devtron validated and saved the configuration"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if held(staging, "GITHUB") == nil || len(prod.Rows()) != 0 {
		t.Fatalf("after the push to staging: prod holds %+v, staging %+v", prod.Rows(), staging.Rows())
	}

	out.Reset()
	// push, GitHub, all: prod yes, staging (which holds it already) no, quit
	if err := runPiped(t, opts, []string{"8", "1", "3", "y", "n", "6"}, &out); err != nil {
		t.Fatalf("err = %v; output:\n%s", err, out.String())
	}
	text := out.String()
	i, j := strings.Index(text, "Devtron prod: GitHub: Devtron validated and saved the configuration"), strings.Index(text, "Nothing was pushed to Devtron staging.")
	if i < 0 || j < i {
		t.Fatalf("all did not push to prod, then ask about staging:\n%s", text)
	}
	if held(prod, "GITHUB") == nil || len(staging.Rows()) != 1 {
		t.Fatalf("after all: prod holds %+v, staging %+v", prod.Rows(), staging.Rows())
	}
	for _, tok := range []string{fake.GitHubTokenFull, devtronToken} {
		if showsToken(text, tok) {
			t.Fatalf("a token is shown:\n%s", text)
		}
	}
}

// The plain prompts add a GitHub App: the kind is asked after the name, then the App's own
// fields; its private key, pasted on one line (a prompt takes one), is kept as the PEM file it
// was, and it never shows.
func TestAccessibleAddsAGitHubApp(t *testing.T) {
	t.Parallel()
	emu := kit.Emulators(t, fake.Options{})
	s := emulatedStore(t, emu, providers.GitHub, fake.GitHubTokenFull)
	api := emu.Credentials(providers.GitHub, "")
	key := fake.GitHubAppKey()
	var out bytes.Buffer
	answers := []string{
		// Add, GitHub, acme-app, a GitHub App (the second kind), then host, organisation, App ID,
		// private key, installation ID (found), API URL, CA bundle, proxy; not active
		"10", "1", "acme-app", "2", api.Host, fake.GitHubOrg, fake.GitHubAppFull, strings.Join(strings.Fields(key), " "), "",
		api.APIURL, "", "", "n",
		"6",
	}
	if err := runPiped(t, Options{Store: s, ConfigDir: s.Dir(), Who: "t"}, answers, &out); err != nil {
		t.Fatalf("err = %v; output:\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{"Kind of credential:", "GitHub App ID", "Saved acme-app (GitHub)."} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	c := load(t, s).Credentials["acme-app"]
	if c == nil || c.Kind != config.CredentialGitHubApp || c.AppID != fake.GitHubAppFull || c.Token != strings.TrimSpace(key) || c.Username != "" {
		t.Fatalf("stored: %+v", c)
	}
	if body := strings.Split(strings.TrimSpace(key), "\n")[3]; strings.Contains(text, body) {
		t.Fatalf("the output shows the private key:\n%s", text)
	}
}
