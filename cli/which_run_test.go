package cli

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// whichOpts are which's options for u with x's dependencies.
func (x *runFixture) whichOpts(u string, asJSON bool) *whichOptions {
	return &whichOptions{runDeps: x.deps("", false), URL: u, JSON: asJSON, Timeout: 10 * time.Second}
}

// TestWhichRunInProcess drives which: the credential that serves each organisation's repository
// and reads it (exit 0), in text and in the JSON contract; an unknown URL (exit 1, credential
// null); a token that cannot read (exit 1, readable false); a URL that is no HTTPS URL (exit 2).
// No token reaches the output.
func TestWhichRunInProcess(t *testing.T) {
	t.Parallel()
	x := newRunFixture(t)
	ctx := context.Background()
	host := x.emu.URL(providers.GitHub) + "/"
	for _, org := range []string{fake.GitHubOrg, fake.GitHubOrgInfra} {
		if err := x.emu.AddOrgRepo(providers.GitHub, org, "gitops"); err != nil {
			t.Fatal(err)
		}
	}
	x.setNamed("github", providers.GitHub, fake.GitHubTokenFull, "", true)
	x.setNamed("acme-infra", providers.GitHub, fake.GitHubTokenFull, fake.GitHubOrgInfra, true)

	if err := whichRun(ctx, x.whichOpts(host+"acme-infra/gitops", false)); err != nil {
		t.Fatalf("which: %v\n%s%s", err, x.out.String(), x.err.String())
	}
	for _, want := range []string{host + "acme-infra/gitops — acme-infra (GitHub) — readable\n", "match  acme-infra (GitHub) serves it",
		"read   acme-infra may read " + host + "acme-infra/gitops as \"octocat\""} {
		if !strings.Contains(x.out.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, x.out.String())
		}
	}
	type doc struct {
		URL        string
		Credential *string
		Provider   *string
		Prefix     *string
		Readable   bool
		Checks     []map[string]any
	}
	js := func(u string, wantExit int) (doc, map[string]any) {
		t.Helper()
		err := whichRun(ctx, x.whichOpts(u, true))
		if exitCode(err) != wantExit {
			t.Fatalf("which %s --json: exit %d (%v), want %d\n%s", u, exitCode(err), err, wantExit, x.out.String())
		}
		var d doc
		var raw map[string]any
		if err := json.Unmarshal(x.out.Bytes(), &d); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, x.out.String())
		}
		_ = json.Unmarshal(x.out.Bytes(), &raw)
		keys := make([]string, 0, len(raw))
		for k := range raw {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, []string{"checks", "credential", "prefix", "provider", "readable", "url"}) {
			t.Fatalf("keys %v", keys)
		}
		return d, raw
	}
	d, _ := js(host+"acme/gitops.git", exitOK)
	if d.URL != host+"acme/gitops.git" || d.Credential == nil || *d.Credential != "github" || *d.Provider != "github" ||
		d.Prefix == nil || *d.Prefix != host+"acme/" || !d.Readable || len(d.Checks) != 2 || d.Checks[0]["id"] != "match" ||
		d.Checks[1]["id"] != "read" || d.Checks[1]["status"] != "pass" || d.Checks[1]["message"] == nil {
		t.Fatalf("which acme's repository: %+v", d)
	}
	d, raw := js("https://git.example.com/acme/gitops", exitCheckFail)
	if raw["credential"] != nil || raw["provider"] != nil || raw["prefix"] != nil || d.Readable || d.Checks[0]["status"] != "fail" {
		t.Fatalf("an unknown URL: %v", raw)
	}

	x.setNamed("acme-infra", providers.GitHub, fake.GitHubTokenNotMember, fake.GitHubOrgInfra, true)
	d, _ = js(host+"acme-infra/gitops", exitCheckFail)
	if d.Credential == nil || *d.Credential != "acme-infra" || d.Readable || d.Checks[1]["status"] != "fail" {
		t.Fatalf("a token that cannot read: %+v", d)
	}
	if err := whichRun(ctx, x.whichOpts(host+"acme-infra/gitops", false)); exitCode(err) != exitCheckFail ||
		!strings.Contains(x.out.String(), " — acme-infra (GitHub) — FAILED\n") {
		t.Fatalf("text of a token that cannot read: %v\n%s", err, x.out.String())
	}

	if err := whichRun(ctx, x.whichOpts("git@github.com:acme/gitops.git", true)); exitCode(err) != exitUsageStore || x.out.Len() != 0 {
		t.Fatalf("an SSH URL: exit %d, %v", exitCode(err), err)
	}
	x.noneLeaked(fake.GitHubTokenFull, fake.GitHubTokenNotMember)
}

// TestWhichCmdPassesItsOptions: the URL and the flags reach the options; no URL, two, or a bad
// --timeout is refused unrun.
func TestWhichCmdPassesItsOptions(t *testing.T) {
	t.Parallel()
	f, _, _ := testFactory("")
	got, err := parseOptions(f, newWhichCmd, "https://github.com/acme/gitops", "--json", "--timeout", "3s")
	if err != nil || got.URL != "https://github.com/acme/gitops" || !got.JSON || got.Timeout != 3*time.Second || got.Env == nil || got.OpenStore == nil {
		t.Fatalf("options: %+v, %v", got, err)
	}
	for _, bad := range [][]string{{}, {"a", "b"}, {"https://x/y", "--timeout", "0s"}} {
		if got, err := parseOptions(f, newWhichCmd, bad...); got != nil || exitCode(err) != exitUsageStore {
			t.Errorf("%v: ran %v, exit %d", bad, got != nil, exitCode(err))
		}
	}
}
