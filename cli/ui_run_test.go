package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gitopscfg/providers"
	"gitopscfg/ui"
)

// TestUIRunInProcess drives the UI's run function with an injected UI start: without a terminal
// the full-screen UI is refused (exit 2) unstarted, while the accessible prompts start; the UI
// gets the options' store location, passphrase, environment, identity and look; a failed unlock
// is exit 2 and any other error of the UI is returned as it is.
func TestUIRunInProcess(t *testing.T) {
	t.Parallel()
	var started []ui.Options
	var startErr error
	opts := func(term, accessible bool) *uiOptions {
		streams, _, _ := testStreams("")
		streams.IsTerm = term
		return &uiOptions{IO: streams, Env: (&envRecorder{}).env, Who: testWho, ConfigDir: "/cfg", Version: "1.2.3",
			Passphrase: "pass from env", Accessible: accessible,
			Start: func(_ context.Context, o ui.Options) error { started = append(started, o); return startErr }}
	}

	err := uiRun(context.Background(), opts(false, false))
	if exitCode(err) != exitUsageStore || !strings.Contains(err.Error(), "the interactive UI needs a terminal") || len(started) != 0 {
		t.Fatalf("UI without a terminal: exit %d, %v, started %d", exitCode(err), err, len(started))
	}
	if err := uiRun(context.Background(), opts(true, false)); err != nil {
		t.Fatal(err)
	}
	if err := uiRun(context.Background(), opts(false, true)); err != nil {
		t.Fatal(err)
	}
	if len(started) != 2 {
		t.Fatalf("started %d UIs, want 2", len(started))
	}
	o := started[0]
	if o.ConfigDir != "/cfg" || o.Passphrase != "pass from env" || o.Who != "tester" || o.Version != "1.2.3" || o.Accessible ||
		o.Env == nil || o.Env.Timeout != providers.DefaultTimeout || o.NewProvider != nil {
		t.Fatalf("the UI got %+v", o)
	}
	if !started[1].Accessible {
		t.Fatal("--accessible did not reach the UI")
	}

	startErr = fmt.Errorf("unlock: %w", ui.ErrUnlockFailed)
	var ee *exitError
	if err := uiRun(context.Background(), opts(true, false)); !errors.As(err, &ee) || ee.code != exitUsageStore || !strings.Contains(err.Error(), ui.ErrUnlockFailed.Error()) {
		t.Fatalf("failed unlock: %v", err)
	}
	startErr = errors.New("the terminal went away")
	if err := uiRun(context.Background(), opts(true, false)); err != startErr {
		t.Fatalf("UI error: %v, want it returned as it is", err)
	}
}

// TestRootPassesTheUIItsOptions checks the root command's own wiring: the resolved config
// directory and GITOPSCFG_PASSPHRASE reach the UI, --accessible or TERM=dumb asks for the
// accessible prompts, and --demo points the UI at a throw-away store with the emulators' demo
// credentials (hiding the real passphrase), removed at exit; a stray argument is refused unrun.
func TestRootPassesTheUIItsOptions(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "cfg")
	root := func(env map[string]string, args ...string) (*uiOptions, *factory, error) {
		t.Helper()
		streams, _, _ := testStreams("")
		vars := map[string]string{"GITOPSCFG_CONFIG_DIR": dir, "GITOPSCFG_PASSPHRASE": "real passphrase"}
		for k, v := range env {
			vars[k] = v
		}
		f := newFactory(streams, "1.2.3", func(k string) string { return vars[k] }, nil)
		var got *uiOptions
		err := execute(newRootCmdWith(f, func(_ context.Context, o *uiOptions) error { got = o; return nil }), args...)
		return got, f, err
	}

	got, _, err := root(nil)
	if err != nil || got == nil || got.ConfigDir != dir || got.Passphrase != "real passphrase" || got.Accessible || got.NewProvider != nil ||
		got.Version != "1.2.3" || got.Start == nil || got.Env == nil || got.Who == nil {
		t.Fatalf("root: %v, %+v", err, got)
	}
	if got, _, err := root(nil, "--accessible"); err != nil || !got.Accessible {
		t.Fatalf("--accessible: %v, %+v", err, got)
	}
	if got, _, err := root(map[string]string{"TERM": "dumb"}); err != nil || !got.Accessible {
		t.Fatalf("TERM=dumb: %v, %+v", err, got)
	}

	got, f, err := root(nil, "--demo")
	defer f.runCleanup()
	if err != nil || got == nil || got.NewProvider == nil || got.Passphrase != "" || got.ConfigDir == dir ||
		!strings.Contains(filepath.Base(got.ConfigDir), "gitopscfg-demo-") {
		t.Fatalf("--demo: %v, %+v", err, got)
	}
	if h := got.NewProvider(providers.GitHub).Host; !strings.HasPrefix(h, "http://127.0.0.1:") {
		t.Errorf("--demo's new GitHub credentials point at %q, not the emulator", h)
	}
	f.runCleanup()
	if _, err := os.Stat(got.ConfigDir); !os.IsNotExist(err) {
		t.Errorf("the demo's store outlived the run: %v", err)
	}

	if got, _, err := root(nil, "stray"); exitCode(err) != exitUsageStore || got != nil {
		t.Fatalf("root stray: exit %d, %v, ran %v", exitCode(err), err, got != nil)
	}
}
