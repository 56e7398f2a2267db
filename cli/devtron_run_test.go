package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/platforms"
	"gitopscfg/platforms/devtronfake"
	"gitopscfg/usecase"
)

// devtronSetOpts are devtron set's options with x's dependencies and stdin.
func (x *runFixture) devtronSetOpts(stdin string) *platformSetOptions {
	return &platformSetOptions{runDeps: x.deps(stdin, false), Spec: devtronSpec(), Values: map[string]string{}, Timeout: 5 * time.Second}
}

// devtronSpec is Devtron's registration.
func devtronSpec() platforms.Spec {
	spec, err := platforms.Lookup("devtron")
	if err != nil {
		panic(err)
	}
	return spec
}

// TestDevtronSetRunInProcess drives devtron set's run function: a token that fails the instance
// check is not saved, a super-admin's is saved with the check at the injected time and the
// injected identity in the audit trail, and neither token reaches the output.
func TestDevtronSetRunInProcess(t *testing.T) {
	t.Parallel()
	const adminCanary = "devtron-CANARY-set-admin-token-000000007"
	const viewerCanary = "devtron-CANARY-set-viewer-token-00000008"
	x := newRunFixture(t)
	dt := kit.Devtron(t, devtronfake.Options{Tokens: map[string]bool{adminCanary: true, viewerCanary: false}})
	ctx := context.Background()

	opts := x.devtronSetOpts(viewerCanary)
	opts.Values["url"], opts.TokenStdin = dt.URL(), true
	if err := platformSetRun(ctx, opts); exitCode(err) != exitCheckFail || !strings.Contains(x.out.String(), "super-admin") ||
		!strings.Contains(x.err.String(), "not saved") {
		t.Fatalf("a viewer's token: exit %d, stdout %q, stderr %q", exitCode(err), x.out.String(), x.err.String())
	}
	if usecase.StoredDevtron(x.data()) != nil {
		t.Fatal("a token that failed the check was saved")
	}

	opts = x.devtronSetOpts(adminCanary + "\n")
	opts.Values["url"], opts.TokenStdin = " "+dt.URL()+" ", true
	if err := platformSetRun(ctx, opts); err != nil || !strings.Contains(x.out.String(), "Saved the Devtron instance "+dt.URL()+".") {
		t.Fatalf("a super-admin's token: %v\n%s%s", err, x.out.String(), x.err.String())
	}
	d := x.data()
	if usecase.StoredDevtron(d) == nil || usecase.StoredDevtron(d).URL != dt.URL() || usecase.StoredDevtron(d).Token != adminCanary || usecase.StoredDevtron(d).LastCheck == nil ||
		!usecase.StoredDevtron(d).LastCheck.At.Equal(x.now) || !usecase.StoredDevtron(d).LastCheck.OK {
		t.Fatalf("stored Devtron %+v", usecase.StoredDevtron(d))
	}
	if last := d.Audit[len(d.Audit)-1]; last.Who != "tester" || last.Action != config.PlatformAction("devtron", false) {
		t.Errorf("audit entry %+v, want devtron-set by the injected identity", last)
	}

	// Only the CA bundle changes: the stored URL and token stay; a relative path is refused.
	opts = x.devtronSetOpts("")
	opts.Values["ca-bundle"], opts.NoCheck = "ca.pem", true
	if err := platformSetRun(ctx, opts); exitCode(err) != exitUsageStore || !strings.Contains(err.Error(), "must be absolute") {
		t.Fatalf("relative --ca-bundle: exit %d, %v", exitCode(err), err)
	}
	opts = x.devtronSetOpts("")
	if err := platformSetRun(ctx, opts); exitCode(err) != exitUsageStore || !strings.Contains(err.Error(), "nothing to change") {
		t.Fatalf("no change: exit %d, %v", exitCode(err), err)
	}
	opts = x.devtronSetOpts("")
	opts.Values["url"], opts.NoCheck = "http://devtron.example.com", true
	if err := platformSetRun(ctx, opts); err == nil {
		t.Fatal("a plain-http URL off loopback was saved")
	}
	if d := x.data(); usecase.StoredDevtron(d).URL != dt.URL() || usecase.StoredDevtron(d).Token != adminCanary {
		t.Fatalf("refused changes changed the store: %+v", usecase.StoredDevtron(d))
	}
	x.noneLeaked(adminCanary, viewerCanary)
}

// TestDevtronRemoveRunInProcess: removing with no instance stored is a usage error; removing a
// stored one forgets it, as the injected identity.
func TestDevtronRemoveRunInProcess(t *testing.T) {
	t.Parallel()
	x := newRunFixture(t)
	ctx := context.Background()
	opts := &platformRemoveOptions{runDeps: x.deps("", false), Spec: devtronSpec()}
	if err := platformRemoveRun(ctx, opts); exitCode(err) != exitUsageStore || !strings.Contains(err.Error(), "no Devtron instance is stored") {
		t.Fatalf("nothing stored: exit %d, %v", exitCode(err), err)
	}
	x.devtron(nil, devtronfake.SuperAdminToken)
	if err := platformRemoveRun(ctx, opts); err != nil || !strings.Contains(x.out.String(), "Removed the Devtron instance") {
		t.Fatalf("remove: %v, %q", err, x.out.String())
	}
	d := x.data()
	if usecase.StoredDevtron(d) != nil {
		t.Fatalf("still stored: %+v", usecase.StoredDevtron(d))
	}
	if last := d.Audit[len(d.Audit)-1]; last.Who != "tester" || last.Action != config.PlatformAction("devtron", true) {
		t.Errorf("audit entry %+v", last)
	}
}

// TestDevtronCmdsPassTheirOptions checks the constructors' seams: devtron set's flags reach the
// options (a flag not given stays nil, so the stored value is kept), and bad flags or arguments
// are refused (exit 2) before either run function runs.
func TestDevtronCmdsPassTheirOptions(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	f := newFactory(Streams{In: strings.NewReader(""), Out: &out, Err: &out}, "test", func(string) string { return "" }, nil)
	newSet := func(f *factory, runF func(context.Context, *platformSetOptions) error) *cobra.Command {
		return newPlatformSetCmd(f, devtronSpec(), runF)
	}
	parse := func(args ...string) (*platformSetOptions, error) { return parseOptions(f, newSet, args...) }
	got, err := parse("--url", "https://devtron.example.com", "--token-stdin", "--no-check", "--timeout", "3s")
	if err != nil || got == nil || got.Values["url"] != "https://devtron.example.com" || len(got.Values) != 1 ||
		!got.TokenStdin || !got.NoCheck || got.Timeout != 3*time.Second {
		t.Fatalf("set: %v %+v", err, got)
	}
	if got.IO.Out != &out || got.OpenStore == nil || got.Env == nil || got.Now == nil || got.Who == nil {
		t.Fatalf("dependencies not filled: %+v", got)
	}
	got, err = parse("--ca-bundle", "")
	if ca, given := got.Values["ca-bundle"]; err != nil || got == nil || len(got.Values) != 1 || !given || ca != "" || got.TokenStdin || got.Timeout <= 0 {
		t.Fatalf("set --ca-bundle '': %v %+v", err, got)
	}
	if got, err := parse("staging", "--url", "https://devtron.example.com"); err != nil || got == nil || got.Instance != "staging" {
		t.Fatalf("set staging: %v %+v", err, got)
	}
	if got, err := parse("--url", "https://devtron.example.com"); err != nil || got == nil || got.Instance != "default" {
		t.Fatalf("set without INSTANCE: %v %+v", err, got)
	}
	for _, bad := range [][]string{{"Bad Name!"}, {"one", "two"}, {"--token"}, {"--timeout", "soon"}} {
		if got, err := parse(bad...); got != nil || exitCode(err) != exitUsageStore {
			t.Errorf("set %v: ran %v, exit %d", bad, got != nil, exitCode(err))
		}
	}

	ran := false
	rm := newPlatformRemoveCmd(f, devtronSpec(), func(_ context.Context, o *platformRemoveOptions) error {
		ran = o.IO.Out == &out && o.OpenStore != nil && o.Who != nil && o.Spec.Kind == "devtron"
		return nil
	})
	rm.SetArgs(nil)
	if err := rm.Execute(); err != nil || !ran {
		t.Fatalf("remove: %v, ran with the factory's dependencies %v", err, ran)
	}
	for _, bad := range [][]string{{"Bad Name!"}, {"one", "two"}} {
		ran = false
		rm.SetArgs(bad)
		rm.SilenceErrors, rm.SilenceUsage = true, true
		if err := rm.Execute(); exitCode(err) != exitUsageStore || ran {
			t.Fatalf("remove %v: exit %d, ran %v", bad, exitCode(err), ran)
		}
	}
}

func ptrTo[T any](v T) *T { return &v }
