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
func (x *runFixture) pushOpts() *pushDevtronOptions {
	return &pushDevtronOptions{IO: x.streams("", false), OpenStore: x.openStore, Env: x.env, Timeout: time.Minute}
}

// TestPushDevtronRunInProcess drives push devtron's run function against the provider and
// Devtron emulators: Devtron's progress goes to stderr (not with JSON), unchecked credentials
// are refused unless forced, a failed validation fails the run, and no token reaches the output.
func TestPushDevtronRunInProcess(t *testing.T) {
	t.Parallel()
	const adminCanary = "devtron-CANARY-push-admin-token-00000009"
	x := newRunFixture(t)
	ctx := context.Background()
	if err := pushDevtronRun(ctx, x.pushOpts()); exitCode(err) != exitUsageStore || !strings.Contains(err.Error(), "no Devtron instance is stored") {
		t.Fatalf("no instance: exit %d, %v", exitCode(err), err)
	}
	x.devtron(map[string]bool{adminCanary: true}, adminCanary)
	x.set(providers.GitHub, fake.GitHubTokenFull, true, &config.CheckRecord{At: x.now, OK: true})
	x.set(providers.GitLab, fake.GitLabTokenFull, false, nil)

	if err := pushDevtronRun(ctx, x.pushOpts()); err != nil {
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
	if err := pushDevtronRun(ctx, opts); err != nil {
		t.Fatalf("push --json: %v", err)
	}
	var res platforms.PushResult
	if err := json.Unmarshal(x.out.Bytes(), &res); err != nil || res.Outcome != platforms.Saved || x.err.Len() != 0 {
		t.Fatalf("push --json: %v, stderr %q\n%s", err, x.err.String(), x.out.String())
	}

	opts = x.pushOpts()
	opts.Provider = "GitLab"
	if err := pushDevtronRun(ctx, opts); exitCode(err) != exitUsageStore || !strings.Contains(err.Error(), "gitopscfg check gitlab") {
		t.Fatalf("unchecked gitlab: exit %d, %v", exitCode(err), err)
	}
	if len(x.dt.Rows()) != 1 {
		t.Fatal("an unchecked configuration reached Devtron")
	}
	opts = x.pushOpts()
	opts.Provider, opts.Force = "gitlab", true
	if err := pushDevtronRun(ctx, opts); err != nil || !strings.Contains(x.err.String(), "going on because of --force") {
		t.Fatalf("push gitlab --force: %v, stderr %q", err, x.err.String())
	}

	x.dt.FailStages(map[string]string{"Push": "authentication required"})
	if err := pushDevtronRun(ctx, x.pushOpts()); exitCode(err) != exitCheckFail || !strings.Contains(x.out.String(), "✗ Push: authentication required") {
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
	parse := func(args ...string) (*pushDevtronOptions, error) {
		var got *pushDevtronOptions
		cmd := newPushCmd(f, func(_ context.Context, o *pushDevtronOptions) error { got = o; return nil })
		cmd.SetArgs(args)
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		return got, cmd.Execute()
	}
	got, err := parse("devtron", "gitlab", "--force", "--json", "--timeout", "1m")
	if err != nil || got == nil || got.Provider != "gitlab" || !got.Force || !got.JSON || got.Timeout != time.Minute {
		t.Fatalf("options: %v %+v", err, got)
	}
	if got.IO.Out != &out || got.OpenStore == nil || got.Env == nil {
		t.Fatalf("dependencies not filled: %+v", got)
	}
	if got, err := parse("devtron"); err != nil || got == nil || got.Provider != "" || got.Force || got.Timeout != 15*time.Minute {
		t.Fatalf("defaults: %v %+v", err, got)
	}
	for _, bad := range [][]string{{"argocd"}, {}, {"devtron", "github", "gitlab"}, {"devtron", "--timeout", "x"}} {
		got, err := parse(bad...)
		if got != nil || exitCode(err) != exitUsageStore {
			t.Errorf("%v: ran %v, exit %d", bad, got != nil, exitCode(err))
		}
	}
}
