package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/platforms/devtronfake"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// setCredential runs set for a credential named name of provider id, with token on stdin.
func (x *runFixture) setCredential(name string, id providers.ID, token string, activate bool) error {
	x.t.Helper()
	c := x.emu.Credentials(id, token)
	opts := &setOptions{runDeps: x.deps(token+"\n", false),
		Credential: name, Typed: name, TokenStdin: true, Activate: activate, Timeout: providers.DefaultTimeout,
		Fields: []setField{{"host", providers.FieldHost, c.Host}, {"org", providers.FieldOrg, c.Org}, {"username", providers.FieldUsername, c.Username}}}
	if name != string(id) {
		opts.ProviderFlag = string(id)
		if err := opts.earlyProvider(); err != nil {
			return err
		}
	}
	return setRun(context.Background(), opts)
}

// devtronInstance starts one more Devtron emulator, whose super-admin token is token, and stores
// it as the instance name.
func (x *runFixture) devtronInstance(name, token string) *devtronfake.Server {
	x.t.Helper()
	dt := kit.Devtron(x.t, devtronfake.Options{Tokens: map[string]bool{token: true}})
	if _, err := x.s.SetPlatform(context.Background(), "setup", "devtron", name, config.Platform{URL: dt.URL(), Token: token}); err != nil {
		x.t.Fatal(err)
	}
	return dt
}

// statusDoc runs status --json and decodes it.
func (x *runFixture) statusDoc() statusJSON {
	x.t.Helper()
	opts := &statusOptions{runDeps: x.deps("", false), JSON: true}
	if err := statusRun(context.Background(), opts); err != nil {
		x.t.Fatal(err)
	}
	var doc statusJSON
	if err := json.Unmarshal(x.out.Bytes(), &doc); err != nil {
		x.t.Fatalf("%v\n%s", err, x.out.String())
	}
	return doc
}

// platformCreds is the credentials' states of the instance named name in doc.
func platformCreds(doc statusJSON, name string) map[string]string {
	for _, p := range doc.Platforms {
		if p.Name == name {
			return p.Credentials
		}
	}
	return nil
}

// TestTwoCredentialsOfOneProviderAndTwoDevtrons: two GitHub credentials are set, checked and
// pushed by name to two Devtron instances; Devtron keeps one configuration per provider, so the
// second replaces the first only with --replace, and status says per instance which credential
// each holds (in_sync, other). No token reaches the output.
func TestTwoCredentialsOfOneProviderAndTwoDevtrons(t *testing.T) {
	t.Parallel()
	const prodCanary, stagingCanary = "devtron-CANARY-prod-admin-token-0000001", "devtron-CANARY-stag-admin-token-0000002"
	x := newRunFixture(t)
	ctx := context.Background()
	if err := x.setCredential("github", providers.GitHub, fake.GitHubTokenFull, true); err != nil {
		t.Fatalf("set github: %v\n%s", err, x.err.String())
	}
	if err := x.setCredential("acme-infra", providers.GitHub, fake.GitHubTokenNoAdminOrg, false); err != nil {
		t.Fatalf("set acme-infra: %v\n%s", err, x.err.String())
	}
	if !strings.Contains(x.out.String(), "Saved acme-infra (GitHub).") {
		t.Errorf("set acme-infra said %q", x.out.String())
	}
	// A new name that is no provider's needs --provider.
	if err := x.setCredential("acme-other", providers.ID(""), fake.GitHubTokenFull, false); exitCode(err) != exitUsageStore ||
		!strings.Contains(err.Error(), "--provider") {
		t.Errorf("a new credential without --provider: %v", err)
	}

	// check --all names each credential in JSON and in Prometheus's labels.
	opts := x.checkOpts("json")
	opts.All = true
	if err := checkRun(ctx, opts); err != nil {
		t.Fatalf("check --all: %v\n%s", err, x.out.String())
	}
	var rep struct {
		Results []struct {
			Provider, Credential string
			OK                   bool
		}
	}
	if err := json.Unmarshal(x.out.Bytes(), &rep); err != nil || len(rep.Results) != 2 ||
		rep.Results[0].Credential != "github" || rep.Results[1].Credential != "acme-infra" || rep.Results[1].Provider != "github" {
		t.Fatalf("check --all --json: %v %+v", err, rep)
	}
	opts = x.checkOpts("prometheus")
	opts.Credential, opts.Typed = "acme-infra", "acme-infra"
	if err := checkRun(ctx, opts); err != nil {
		t.Fatalf("check acme-infra: %v", err)
	}
	if !strings.Contains(x.out.String(), `gitopscfg_check_success{provider="github",credential="acme-infra",`) {
		t.Errorf("prometheus lacks the credential label:\n%s", x.out.String())
	}

	// Two Devtron instances: default and staging.
	x.devtron(map[string]bool{prodCanary: true}, prodCanary)
	staging := x.devtronInstance("staging", stagingCanary)
	push := x.pushOpts()
	push.Credential = "github"
	if err := pushRun(ctx, push); exitCode(err) != exitUsageStore || !strings.Contains(err.Error(), "default, staging") {
		t.Fatalf("push with two instances and none named: %v", err)
	}
	push = x.pushOpts()
	push.Credential, push.AllInstances, push.Activate = "github", true, true
	if err := pushRun(ctx, push); err != nil {
		t.Fatalf("push github --all-instances: %v\n%s%s", err, x.out.String(), x.err.String())
	}
	// acme-infra would replace github in both: refused without a terminal unless --replace.
	push = x.pushOpts()
	push.Credential, push.Instances = "acme-infra", []string{"staging"}
	err := pushRun(ctx, push)
	if exitCode(err) != exitUsageStore || !strings.Contains(err.Error(), "holds github") || !strings.Contains(err.Error(), "--replace") {
		t.Fatalf("a push replacing another credential without --replace: %v", err)
	}
	push = x.pushOpts()
	push.Credential, push.Instances, push.Replace = "acme-infra", []string{"staging"}, true
	if err := pushRun(ctx, push); err != nil {
		t.Fatalf("push acme-infra --instance staging --replace: %v\n%s", err, x.err.String())
	}

	// check --devtron's metrics name the credential Devtron holds, and not the one it does not.
	opts = x.checkOpts("prometheus")
	opts.All, opts.Devtron = true, true
	if err := checkRun(ctx, opts); err != nil {
		t.Fatalf("check --all --devtron: %v\n%s", err, x.out.String())
	}
	// Each instance is checked: each names the credential it holds, and no sample for the other.
	prom := x.out.String()
	for _, want := range []string{
		`gitopscfg_devtron_in_sync{provider="github",credential="github",url="` + x.dt.URL() + `/"} 1`,
		`gitopscfg_devtron_in_sync{provider="github",credential="acme-infra",url="` + staging.URL() + `/"} 1`,
		`gitopscfg_devtron_check_success{url="` + staging.URL() + `/"} 1`,
	} {
		if !strings.Contains(prom, want) {
			t.Errorf("the Devtron metrics lack %s:\n%s", want, prom)
		}
	}
	if strings.Count(prom, "gitopscfg_devtron_in_sync{") != 2 {
		t.Errorf("a credential an instance does not hold has a sample:\n%s", prom)
	}
	// Nagios names each instance among several.
	opts = x.checkOpts("nagios")
	opts.All, opts.Devtron = true, true
	if err := checkRun(ctx, opts); err != nil && exitCode(err) != 1 {
		t.Fatalf("check --format nagios --devtron: %v", err)
	}
	if line := x.out.String(); !strings.Contains(line, "Devtron default OK") ||
		!strings.Contains(line, "Devtron staging WARNING: the active credential differs: github here, acme-infra in Devtron") {
		t.Errorf("nagios does not name the instances: %s", line)
	}
	// jsonl has a devtron line per instance, each naming it.
	opts = x.checkOpts("jsonl")
	opts.All, opts.Devtron = true, true
	if err := checkRun(ctx, opts); err != nil {
		t.Fatal(err)
	}
	if out := x.out.String(); strings.Count(out, `"event":"devtron"`) != 2 || !strings.Contains(out, `"instance":"staging"`) {
		t.Errorf("check --format jsonl --devtron:\n%s", out)
	}
	// JSON keeps "devtron" for the default instance and lists both.
	opts = x.checkOpts("json")
	opts.All, opts.Devtron = true, true
	if err := checkRun(ctx, opts); err != nil {
		t.Fatal(err)
	}
	var cj struct {
		Devtron   struct{ Instance, URL string }
		Instances []struct{ Instance, URL string } `json:"devtron_instances"`
	}
	if err := json.Unmarshal(x.out.Bytes(), &cj); err != nil || cj.Devtron.URL != x.dt.URL()+"/" || len(cj.Instances) != 2 ||
		cj.Instances[1].Instance != "staging" {
		t.Errorf("check --json --devtron: %v %+v\n%s", err, cj, x.out.String())
	}

	doc := x.statusDoc()
	if len(doc.Providers) < 2 || *doc.Providers[0].Credential != "github" || *doc.Providers[1].Credential != "acme-infra" ||
		doc.Providers[1].Provider != providers.GitHub || doc.Providers[1].Name != "GitHub" {
		t.Fatalf("status providers: %+v", doc.Providers)
	}
	prod, stag := platformCreds(doc, "default"), platformCreds(doc, "staging")
	if prod["github"] != "in_sync" || prod["acme-infra"] != "other" || stag["acme-infra"] != "in_sync" || stag["github"] != "other" {
		t.Fatalf("platforms: default %v, staging %v", prod, stag)
	}
	if doc.Devtron == nil || doc.Devtron.URL != x.dt.URL() {
		t.Errorf("the devtron key is not the default instance: %+v", doc.Devtron)
	}
	// The text names both instances and who holds what.
	sopts := &statusOptions{runDeps: x.deps("", false)}
	if err := statusRun(ctx, sopts); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"✓ GitHub", "acme-infra (GitHub)", "Devtron staging — " + staging.URL(), "acme-infra other: it holds github"} {
		if !strings.Contains(x.out.String(), want) {
			t.Errorf("status text lacks %q:\n%s", want, x.out.String())
		}
	}

	// Pushed to both with --activate, acme-infra becomes the active one in both and here, once.
	push = x.pushOpts()
	push.Credential, push.AllInstances, push.Replace, push.Activate = "acme-infra", true, true, true
	if err := pushRun(ctx, push); err != nil {
		t.Fatalf("push acme-infra --all-instances --activate: %v\n%s", err, x.err.String())
	}
	if n := strings.Count(x.err.String(), "is now the active credential here too"); n != 1 || x.data().Active != "acme-infra" {
		t.Errorf("activated here %d times, active %q:\n%s", n, x.data().Active, x.err.String())
	}

	// Removing by name, and an unknown name says which exist.
	rm := &credentialOptions{runDeps: x.deps("", false), Credential: "acme-infar", Typed: "acme-infar"}
	if err := removeRun(ctx, rm); exitCode(err) != exitUsageStore || !strings.Contains(err.Error(), "did you mean acme-infra?") ||
		!strings.Contains(err.Error(), "github, acme-infra") {
		t.Fatalf("remove of a mistyped name: %v", err)
	}
	rm = &credentialOptions{runDeps: x.deps("", false), Credential: "acme-infra", Typed: "acme-infra"}
	if err := removeRun(ctx, rm); err != nil ||
		x.out.String() != "Removed acme-infra (GitHub).\nIt was the active credential: none is active now (`gitopscfg activate CREDENTIAL`).\n" {
		t.Fatalf("remove acme-infra: %v %q", err, x.out.String())
	}
	var audit []string
	for _, e := range x.data().Audit {
		audit = append(audit, string(e.Action)+":"+e.Credential+":"+e.Provider)
	}
	if got := strings.Join(audit, " "); !strings.Contains(got, "add:acme-infra:github") || !strings.Contains(got, "remove:acme-infra:github") {
		t.Errorf("the audit trail does not name the credential: %s", got)
	}
	x.noneLeaked(fake.GitHubTokenFull, fake.GitHubTokenNoAdminOrg, prodCanary, stagingCanary)
}

// TestRotationPushesToEveryDevtronInstance: with two Devtron instances, a rotation pushes the new
// token to each one that does not hold another credential of the provider, one step each, and
// skips (naming it) the one that does.
func TestRotationPushesToEveryDevtronInstance(t *testing.T) {
	t.Parallel()
	const prodCanary, stagingCanary = "devtron-CANARY-prod-rotate-token-000001", "devtron-CANARY-stag-rotate-token-000002"
	x := newRunFixture(t)
	ctx := context.Background()
	if err := x.setCredential("github", providers.GitHub, fake.GitHubTokenNoAdminOrg, true); err != nil {
		t.Fatal(err)
	}
	if err := x.setCredential("acme-infra", providers.GitHub, fake.GitHubTokenFull, false); err != nil {
		t.Fatal(err)
	}
	x.devtron(map[string]bool{prodCanary: true}, prodCanary)
	x.devtronInstance("staging", stagingCanary)
	for _, p := range []struct {
		cred, inst string
		replace    bool
	}{{"github", "default", false}, {"acme-infra", "staging", true}} {
		push := x.pushOpts()
		push.Credential, push.Instances, push.Replace, push.Activate = p.cred, []string{p.inst}, p.replace, true
		if err := pushRun(ctx, push); err != nil {
			t.Fatalf("push %s to %s: %v\n%s", p.cred, p.inst, err, x.err.String())
		}
	}
	ro := &rotateOptions{runDeps: x.deps(fake.GitHubTokenExpiryOffset+"\n", false),
		Credential: "github", Typed: "github", TokenStdin: true, Timeout: providers.DeepTimeout}
	if err := rotateRun(ctx, ro); err != nil {
		t.Fatalf("rotate github: %v\n%s%s", err, x.out.String(), x.err.String())
	}
	said := x.out.String() + x.err.String()
	for _, want := range []string{"the Devtron instance default has the new token", "staging: it holds acme-infra, another credential of the provider: nothing was pushed there"} {
		if !strings.Contains(said, want) {
			t.Errorf("the rotation did not say %q:\n%s", want, said)
		}
	}
	doc := x.statusDoc()
	if prod, stag := platformCreds(doc, "default"), platformCreds(doc, "staging"); prod["github"] != "in_sync" || stag["acme-infra"] != "in_sync" {
		t.Errorf("after the rotation: default %v, staging %v", prod, stag)
	}
	x.noneLeaked(fake.GitHubTokenFull, fake.GitHubTokenNoAdminOrg, fake.GitHubTokenExpiryOffset, prodCanary, stagingCanary)
}
