package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// TestActivateRunInProcess drives activate's run function with an injected store and fake
// streams: a provider that is not configured is a usage error naming the set command, and the
// store is left as it was.
func TestActivateRunInProcess(t *testing.T) {
	t.Parallel()
	s, err := config.Init(filepath.Join(t.TempDir(), "cfg"), "")
	if err != nil {
		t.Fatal(err)
	}
	gh, err := providers.Lookup("github")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	opts := &credentialOptions{Credential: string(gh.ID), runDeps: runDeps{IO: Streams{Out: &out},
		OpenStore: func() (*config.Store, error) { return s, nil }, Who: func() string { return "tester" }}}
	err = activateRun(context.Background(), opts)
	if exitCode(err) != exitUsageStore || !strings.Contains(err.Error(), "gitopscfg set github") {
		t.Fatalf("activate of an unconfigured provider: exit %d, %v", exitCode(err), err)
	}
	if out.Len() != 0 {
		t.Errorf("activate wrote %q on failure", out.String())
	}
	d, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if d.Active != "" {
		t.Errorf("active is %q after a refused activate", d.Active)
	}
}

// TestActivateCmdPassesItsOptions checks the constructor's seam: the command parses PROVIDER and
// hands the run function the factory's streams and store opener, without touching a store.
func TestActivateCmdPassesItsOptions(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	f := newFactory(Streams{In: strings.NewReader(""), Out: &out, Err: &out}, "test", func(string) string { return "" }, nil)
	var got *credentialOptions
	cmd := newActivateCmd(f, func(_ context.Context, o *credentialOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"GitLab"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Credential != strings.ToLower("GitLab") || got.IO.Out != &out || got.OpenStore == nil || got.Who == nil {
		t.Fatalf("options %+v", got)
	}
	cmd = newActivateCmd(f, func(context.Context, *credentialOptions) error { t.Fatal("ran with a bad provider"); return nil })
	cmd.SetArgs([]string{"no such!"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if err := cmd.Execute(); exitCode(err) != exitUsageStore {
		t.Fatalf("unknown provider: exit %d, %v", exitCode(err), err)
	}
}
