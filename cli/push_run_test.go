package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// pushOpts are push devtron's options with x's dependencies.
func (x *runFixture) pushOpts() *pushOptions {
	return &pushOptions{runDeps: x.deps("", false), Timeout: time.Minute}
}

// TestPushDevtronRunInProcess drives push devtron's run function against the provider and
// Devtron emulators: Devtron's progress goes to stderr (not with JSON), unchecked credentials
// are refused unless forced, a failed validation fails the run, and no token reaches the output.
func TestPushDevtronRunInProcess(t *testing.T) {
	t.Parallel()
	const adminCanary = "devtron-CANARY-push-admin-token-00000009"
	x := newRunFixture(t)
	ctx := context.Background()
	if err := pushRun(ctx, x.pushOpts()); exitCode(err) != exitUsageStore || !strings.Contains(err.Error(), "no Devtron instance is stored") {
		t.Fatalf("no instance: exit %d, %v", exitCode(err), err)
	}
	x.devtron(map[string]bool{adminCanary: true}, adminCanary)
	x.set(providers.GitHub, fake.GitHubTokenFull, true, &config.CheckRecord{At: x.now, OK: true})
	x.set(providers.GitLab, fake.GitLabTokenFull, false, nil)

	if err := pushRun(ctx, x.pushOpts()); err != nil {
		t.Fatalf("push: %v\n%s%s", err, x.out.String(), x.err.String())
	}
	if !strings.Contains(x.out.String(), "SAVED") || !strings.Contains(x.out.String(), "✓ Create Repo") || x.err.Len() == 0 {
		t.Errorf("push: stdout %q, stderr %q (want the outcome, and the progress on stderr)", x.out.String(), x.err.String())
	}
	rows := x.dt.Rows()
	if len(rows) != 1 || rows[0].Provider != "GITHUB" || rows[0].Token != fake.GitHubTokenFull || !rows[0].Active {
		t.Fatalf("Devtron holds %d rows", len(rows))
	}

	opts := x.pushOpts()
	opts.JSON = true
	if err := pushRun(ctx, opts); err != nil {
		t.Fatalf("push --json: %v", err)
	}
	var res platforms.PushResult
	if err := json.Unmarshal(x.out.Bytes(), &res); err != nil || res.Outcome != platforms.Saved || x.err.Len() != 0 {
		t.Fatalf("push --json: %v, stderr %q\n%s", err, x.err.String(), x.out.String())
	}

	opts = x.pushOpts()
	opts.Credential = "GitLab"
	if err := pushRun(ctx, opts); exitCode(err) != exitUsageStore || !strings.Contains(err.Error(), "gitopscfg check gitlab") {
		t.Fatalf("unchecked gitlab: exit %d, %v", exitCode(err), err)
	}
	if len(x.dt.Rows()) != 1 {
		t.Fatal("an unchecked configuration reached Devtron")
	}
	// GitHub is Devtron's active provider: GitLab is not created there in its place unless asked.
	opts = x.pushOpts()
	opts.Credential, opts.Force = "gitlab", true
	if err := pushRun(ctx, opts); exitCode(err) != exitUsageStore || !strings.Contains(err.Error(), "give --activate") {
		t.Fatalf("push gitlab --force without --activate: exit %d, %v", exitCode(err), err)
	}
	if rows := x.dt.Rows(); len(rows) != 1 || !rows[0].Active {
		t.Fatalf("a push without --activate changed Devtron: %+v", rows)
	}
	opts = x.pushOpts()
	opts.Credential, opts.Force, opts.Activate = "gitlab", true, true
	if err := pushRun(ctx, opts); err != nil || !strings.Contains(x.err.String(), "going on because of --force") ||
		!strings.Contains(x.out.String(), "in place of github") || !strings.Contains(x.err.String(), "GitLab is now the active provider here too") {
		t.Fatalf("push gitlab --force --activate: %v, stdout %q, stderr %q", err, x.out.String(), x.err.String())
	}
	if x.data().Active != "gitlab" {
		t.Fatalf("the local active provider is %q after --activate, want gitlab", x.data().Active)
	}
	// Back to GitHub, pushed as the active one; then GitLab, held inactive there, is updated in
	// place and stays inactive.
	opts = x.pushOpts()
	opts.Credential, opts.Activate = "github", true
	if err := pushRun(ctx, opts); err != nil || x.data().Active != "github" {
		t.Fatalf("push github --activate: %v, active here %q", err, x.data().Active)
	}
	opts = x.pushOpts()
	opts.Credential, opts.Force = "gitlab", true
	if err := pushRun(ctx, opts); err != nil || !strings.Contains(x.out.String(), "github stays the active one there") {
		t.Fatalf("update in place: %v, stdout %q", err, x.out.String())
	}
	for _, row := range x.dt.Rows() {
		if row.Active != (row.Provider == "GITHUB") {
			t.Fatalf("after an update in place, %s active=%v", row.Provider, row.Active)
		}
	}

	x.dt.FailStages(map[string]string{"Push": "authentication required"})
	if err := pushRun(ctx, x.pushOpts()); exitCode(err) != exitCheckFail || !strings.Contains(x.out.String(), "✗ Push: authentication required") {
		t.Fatalf("refused push: exit %d\n%s", exitCode(err), x.out.String())
	}
	x.noneLeaked(adminCanary, fake.GitHubTokenFull, fake.GitLabTokenFull)
}

// TestPushCmdPassesItsOptions checks the constructor's seam: the platform and provider arguments
// and the flags reach the options; another platform, or none, is refused (exit 2) before the run.
func TestPushCmdPassesItsOptions(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	f := newFactory(Streams{In: strings.NewReader(""), Out: &out, Err: &out}, "test", func(string) string { return "" }, nil)
	parse := func(args ...string) (*pushOptions, error) { return parseOptions(f, newPushCmd, args...) }
	got, err := parse("devtron", "gitlab", "--force", "--json", "--timeout", "1m")
	if err != nil || got == nil || got.Credential != "gitlab" || !got.Force || !got.JSON || got.Timeout != time.Minute {
		t.Fatalf("options: %v %+v", err, got)
	}
	if got.IO.Out != &out || got.OpenStore == nil || got.Env == nil {
		t.Fatalf("dependencies not filled: %+v", got)
	}
	if got, err := parse("devtron"); err != nil || got == nil || got.Credential != "" || got.Force || got.Timeout != 15*time.Minute {
		t.Fatalf("defaults: %v %+v", err, got)
	}
	for _, bad := range [][]string{{"argocd"}, {}, {"devtron", "github", "gitlab"}, {"devtron", "--timeout", "x"}} {
		got, err := parse(bad...)
		if got != nil || exitCode(err) != exitUsageStore {
			t.Errorf("%v: ran %v, exit %d", bad, got != nil, exitCode(err))
		}
	}
}

// TestPushDevtronAsksBeforeSwitching: on a terminal, a push that would change Devtron's active
// provider asks first; no creates nothing (or updates in place), yes switches there and here.
func TestPushDevtronAsksBeforeSwitching(t *testing.T) {
	t.Parallel()
	const adminCanary = "devtron-CANARY-push-ask-admin-token-0021"
	x := newRunFixture(t)
	ctx := context.Background()
	checked := &config.CheckRecord{At: x.now, OK: true}
	x.devtron(map[string]bool{adminCanary: true}, adminCanary)
	x.set(providers.GitHub, fake.GitHubTokenFull, true, checked)
	x.set(providers.GitLab, fake.GitLabTokenFull, false, checked)
	if err := pushRun(ctx, x.pushOpts()); err != nil {
		t.Fatal(err)
	}
	ask := func(answer string) *pushOptions {
		opts := x.pushOpts()
		opts.IO = x.streams(answer, true)
		opts.IO.InIsTerm = true
		opts.Credential = "gitlab"
		return opts
	}
	err := pushRun(ctx, ask("n\n"))
	if exitCode(err) != exitUsageStore || !strings.Contains(x.out.String(), "Make gitlab the active one in Devtron, and here?") ||
		!strings.Contains(x.out.String(), "no: nothing is pushed") || len(x.dt.Rows()) != 1 {
		t.Fatalf("answered no: exit %d, %v, stdout %q, %d rows", exitCode(err), err, x.out.String(), len(x.dt.Rows()))
	}
	if err := pushRun(ctx, ask("y\n")); err != nil || x.data().Active != "gitlab" {
		t.Fatalf("answered yes: %v, active here %q, stdout %q", err, x.data().Active, x.out.String())
	}
	for _, row := range x.dt.Rows() {
		if row.Active != (row.Provider == "GITLAB") {
			t.Fatalf("after yes, %s active=%v", row.Provider, row.Active)
		}
	}
	// GitHub is held inactive now: no updates it in place.
	opts := ask("no\n")
	opts.Credential = "github"
	if err := pushRun(ctx, opts); err != nil || !strings.Contains(x.out.String(), "no: github's configuration there is updated and stays inactive") ||
		!strings.Contains(x.out.String(), "gitlab stays the active one there") || x.data().Active != "gitlab" {
		t.Fatalf("answered no to an update: %v, stdout %q", err, x.out.String())
	}
	// Nothing to ask when the push keeps Devtron's active provider.
	opts = ask("")
	if err := pushRun(ctx, opts); err != nil || strings.Contains(x.out.String(), "[y/N]") {
		t.Fatalf("push of the active one: %v, stdout %q", err, x.out.String())
	}
	x.noneLeaked(adminCanary, fake.GitHubTokenFull, fake.GitLabTokenFull)
}

// TestStatusSaysWhenTheActiveProvidersDisagree: a Devtron whose active provider is not the one
// active here is reported by status (text and JSON) and by check --devtron's formats.
func TestStatusSaysWhenTheActiveProvidersDisagree(t *testing.T) {
	t.Parallel()
	const adminCanary = "devtron-CANARY-push-disagree-token-0022"
	x := newRunFixture(t)
	ctx := context.Background()
	checked := &config.CheckRecord{At: x.now, OK: true}
	x.devtron(map[string]bool{adminCanary: true}, adminCanary)
	x.set(providers.GitHub, fake.GitHubTokenFull, true, checked)
	x.set(providers.GitLab, fake.GitLabTokenFull, false, checked)
	// Devtron holds nothing: GitLab, created there, becomes its active provider.
	opts := x.pushOpts()
	opts.Credential = "gitlab"
	if err := pushRun(ctx, opts); err != nil || !strings.Contains(x.err.String(), "warning: GitLab is the active provider in Devtron, but here it is GitHub: `gitopscfg activate gitlab`") {
		t.Fatalf("push gitlab: %v, stderr %q", err, x.err.String())
	}
	st := compareNamed(ctx, x.env(time.Minute), x.data(), platforms.KindDevtron, "default")
	if st == nil || !st.ActiveDiffers || st.ActiveHere == nil || *st.ActiveHere != "github" || st.Active == nil || *st.Active != "gitlab" {
		t.Fatalf("drift: %+v", st)
	}
	var text bytes.Buffer
	writeDevtronStatusText(&text, st, true)
	if !strings.Contains(text.String(), "the active provider differs: github here, gitlab in Devtron") {
		t.Errorf("status text:\n%s", text.String())
	}
	copts := x.checkOpts("nagios")
	copts.All, copts.Devtron = true, true
	if err := checkRun(ctx, copts); exitCode(err) != 1 || !strings.Contains(x.out.String(), "WARNING: the active provider differs: github here, gitlab in Devtron") {
		t.Fatalf("nagios: exit %d, %q", exitCode(err), x.out.String())
	}
	// Made to agree, the warning goes.
	if _, err := x.s.Activate(ctx, "t", "gitlab"); err != nil {
		t.Fatal(err)
	}
	if st := compareNamed(ctx, x.env(time.Minute), x.data(), platforms.KindDevtron, "default"); st.ActiveDiffers {
		t.Errorf("agreeing providers reported as differing: %+v", st)
	}
	x.noneLeaked(adminCanary, fake.GitHubTokenFull, fake.GitLabTokenFull)
}
