package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// Helpers shared by the in-process tests of the verbs' run functions (<verb>_run_test.go).

// runNow is the fixed clock of the run-function tests.
var runNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func fixedClock() time.Time { return runNow }

func testWho() string { return "tester" }

// newRunStore creates an empty key-file store (no scrypt: fast) and returns it with an opener.
func newRunStore(t *testing.T) (*config.Store, func() (*config.Store, error)) {
	t.Helper()
	s, err := config.Init(filepath.Join(t.TempDir(), "cfg"), "")
	if err != nil {
		t.Fatal(err)
	}
	return s, func() (*config.Store, error) { return s, nil }
}

// loadData reads the store, failing the test on an error.
func loadData(t *testing.T, s *config.Store) *config.Data {
	t.Helper()
	d, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// storeProvider saves c on s unchecked, as `set --no-check` would.
func storeProvider(t *testing.T, s *config.Store, c providers.Credentials, activate bool, check *config.CheckRecord) {
	t.Helper()
	if _, err := s.Set(context.Background(), "setup", config.Change{Credential: string(c.Provider), Base: config.AnyRevision,
		Settings: c.Settings, Activate: activate, Check: check, At: runNow}); err != nil {
		t.Fatal(err)
	}
}

// testStreams are fake streams: stdin from in, stdout and stderr kept.
func testStreams(in string) (Streams, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return Streams{In: strings.NewReader(in), Out: &out, Err: &errb}, &out, &errb
}

// envRecorder is an Env option whose environments are fresh (their own clients) and which keeps
// the timeouts asked for.
type envRecorder struct {
	mu       sync.Mutex
	timeouts []time.Duration
}

func (r *envRecorder) env(d time.Duration) *providers.Env {
	r.mu.Lock()
	r.timeouts = append(r.timeouts, d)
	r.mu.Unlock()
	e := providers.NewEnv("test")
	e.Timeout = d
	return e
}

func (r *envRecorder) asked() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.timeouts...)
}

// noEnv is an Env option for runs that must not talk to a provider or Devtron.
func noEnv(t *testing.T) func(time.Duration) *providers.Env {
	return func(time.Duration) *providers.Env {
		t.Error("asked for a providers' environment")
		return providers.NewEnv("test")
	}
}

// testFactory is a factory with fake streams and an empty environment, as the constructors see it.
func testFactory(in string) (*factory, *bytes.Buffer, *bytes.Buffer) {
	streams, out, errb := testStreams(in)
	return newFactory(streams, "1.2.3-test", func(string) string { return "" }, nil), out, errb
}

// execute runs a standalone verb command with args, as its parent would, without printing usage.
func execute(cmd *cobra.Command, args ...string) error {
	var sink bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetOut(&sink)
	cmd.SetErr(&sink)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	return cmd.Execute()
}

// parseOptions runs the command newCmd builds on args, as execute does, with a run function that
// keeps the options it is given, and returns them (nil when the arguments were refused first).
func parseOptions[O any](f *factory, newCmd func(*factory, func(context.Context, O) error) *cobra.Command, args ...string) (O, error) {
	var got O
	err := execute(newCmd(f, func(_ context.Context, o O) error { got = o; return nil }), args...)
	return got, err
}

// mustNotRun is a run function for arguments the constructor must refuse.
func mustNotRun[O any](t *testing.T, args ...string) func(context.Context, O) error {
	return func(context.Context, O) error {
		t.Errorf("%v: ran, want it refused", args)
		return nil
	}
}
