package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// setNamed stores the credential name of provider id on the emulators with token and org (""
// the emulator's), with a passing check when checked.
func (x *runFixture) setNamed(name string, id providers.ID, token, org string, checked bool) {
	x.t.Helper()
	s := x.emu.Credentials(id, token).Settings
	if org != "" {
		s.Org = org
	}
	c := config.Change{Credential: name, Provider: string(id), Base: config.AnyRevision, Settings: s}
	if checked {
		c.Check = &config.CheckRecord{At: time.Now().UTC(), OK: true}
	}
	if _, err := x.s.Set(context.Background(), "setup", c); err != nil {
		x.t.Fatal(err)
	}
}

// setOpts are set's options for the stored credential name with x's dependencies.
func (x *runFixture) setOpts(name string, fields ...setField) *setOptions {
	return &setOptions{runDeps: x.deps("", false), Credential: name, Typed: name, Fields: fields, Timeout: 7 * time.Second}
}

// TestExportAllRunInProcess drives export --all: one Secret per credential, the skipped ones named
// on stderr with the reason and exit 1; two credentials claiming one Argo CD prefix refused (exit
// 2, nothing printed) with both names, until set --url-prefix narrows one; an invalid prefix is
// refused by set. No token reaches anything but the manifests.
func TestExportAllRunInProcess(t *testing.T) {
	t.Parallel()
	x := newRunFixture(t)
	ctx := context.Background()
	host := x.emu.URL(providers.GitHub) + "/"
	x.setNamed("github", providers.GitHub, fake.GitHubTokenFull, "", true)
	x.setNamed("acme-infra", providers.GitHub, fake.GitHubTokenFull, fake.GitHubOrgInfra, true)
	x.setNamed("gitlab", providers.GitLab, fake.GitLabTokenFull, "", false)
	all := func(platform string, force bool) error {
		opts := x.exportOpts(platform, false)
		opts.All, opts.Force = true, force
		err := exportRun(ctx, opts)
		x.out.Reset() // the manifests hold the tokens: keep them out of the leak scan
		return err
	}

	opts := x.exportOpts("argocd", false)
	opts.All = true
	err := exportRun(ctx, opts)
	manifests := x.out.String()
	x.out.Reset()
	if exitCode(err) != exitCheckFail || strings.Count(manifests, "kind: \"Secret\"") != 2 ||
		!strings.Contains(manifests, `name: "gitopscfg-github-repo-creds"`) || !strings.Contains(manifests, `name: "gitopscfg-acme-infra-repo-creds"`) ||
		!strings.Contains(manifests, `url: "`+host+`acme-infra/"`) {
		t.Fatalf("export argocd --all: exit %d, %v\n%s", exitCode(err), err, manifests)
	}
	for _, want := range []string{"Exported 2 credentials: github, acme-infra.\n",
		"skipped gitlab: gitlab's credentials have not been checked since they were last set: run `gitopscfg check gitlab` first, or give --force\n",
		"not exported: 1 credential of 3\n"} {
		if !strings.Contains(x.err.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, x.err.String())
		}
	}
	if err := all("flux", true); err != nil || !strings.Contains(x.err.String(), "warning: gitlab's credentials have not been checked") ||
		!strings.Contains(x.err.String(), "Exported 3 credentials: github, acme-infra, gitlab.") {
		t.Fatalf("export flux --all --force: %v\n%s", err, x.err.String())
	}

	// A second credential of acme claims acme's prefix too.
	x.setNamed("acme-2", providers.GitHub, fake.GitHubTokenFull, fake.GitHubOrg, true)
	opts = x.exportOpts("argocd", false)
	opts.All, opts.Force = true, true
	err = exportRun(ctx, opts)
	if exitCode(err) != exitUsageStore || x.out.Len() != 0 || !strings.Contains(err.Error(), "nothing exported: the credentials github and acme-2 claim the same Argo CD URL prefix "+host+"acme/") ||
		!strings.Contains(err.Error(), "`gitopscfg set acme-2 --url-prefix "+host+"acme/") {
		t.Fatalf("conflict: exit %d, stdout %d bytes, %v", exitCode(err), x.out.Len(), err)
	}

	// set --url-prefix: refused off the host, then narrowed under it (checked live, saved).
	err = setRun(ctx, x.setOpts("acme-2", setField{"url-prefix", providers.FieldURLPrefix, "https://github.example.com/acme/"}))
	if exitCode(err) != exitUsageStore || !strings.Contains(err.Error(), "not under the Git host \""+host+"\"") {
		t.Fatalf("set --url-prefix off the host: exit %d, %v", exitCode(err), err)
	}
	if err := setRun(ctx, x.setOpts("acme-2", setField{"url-prefix", providers.FieldURLPrefix, host + "acme/team-"})); err != nil {
		t.Fatalf("set --url-prefix: %v\n%s", err, x.err.String())
	}
	if c := x.data().Credentials["acme-2"]; c.URLPrefix != host+"acme/team-" || c.LastCheck == nil || !c.LastCheck.OK || c.Token != fake.GitHubTokenFull {
		t.Fatalf("stored %+v", c)
	}
	if err := all("argocd", true); err != nil || !strings.Contains(x.err.String(), "Exported 4 credentials: github, acme-2, acme-infra, gitlab.") {
		t.Fatalf("after the narrowing: %v\n%s", err, x.err.String())
	}
	x.noneLeaked(fake.GitHubTokenFull, fake.GitLabTokenFull)
}

// export --all takes no CREDENTIAL, and is refused to a terminal like any export.
func TestExportAllCmdRefusesACredential(t *testing.T) {
	t.Parallel()
	f, _, _ := testFactory("")
	got, err := parseOptions(f, newExportCmd, "argocd", "github", "--all")
	if got != nil || exitCode(err) != exitUsageStore || !strings.Contains(err.Error(), "give a CREDENTIAL or --all, not both") {
		t.Fatalf("argocd github --all: ran %v, %v", got != nil, err)
	}
	if got, err := parseOptions(f, newExportCmd, "flux", "--all"); err != nil || !got.All || got.Credential != "" {
		t.Fatalf("flux --all: %+v, %v", got, err)
	}
	x := newRunFixture(t)
	x.setNamed("github", providers.GitHub, fake.GitHubTokenFull, "", true)
	opts := x.exportOpts("argocd", true)
	opts.All = true
	if err := exportRun(context.Background(), opts); exitCode(err) != exitUsageStore || x.out.Len() != 0 {
		t.Fatalf("--all to a terminal: exit %d, stdout %q", exitCode(err), x.out.String())
	}
}
