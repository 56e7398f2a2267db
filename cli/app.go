// Package cli owns the command line: one file per verb, the exit-code contract of the README, and
// the wiring of config directory, store, provider checks and UI for each run.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"gitopscfg/config"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// Exit codes (README): 0 ok, 1 a check failed or nothing to check, 2 usage, config or store error.
const (
	exitOK         = 0
	exitCheckFail  = 1
	exitUsageStore = 2
)

// Streams are the process's standard streams, injected so tests can capture them.
type Streams struct {
	In     io.Reader
	Out    io.Writer
	Err    io.Writer
	IsTerm bool // Out is a terminal
	// InIsTerm is true when In is a terminal too (a person can answer questions).
	InIsTerm bool
}

// factory holds what every verb of one invocation shares.
type factory struct {
	Streams
	Version   string
	ConfigDir string
	Demo      bool
	// Env is the live-check environment (shared HTTP clients); created on first use.
	env *providers.Env
	// Getenv reads the environment (tests swap it).
	Getenv func(string) string
	// Passphrase asks for the store passphrase on a terminal; nil means no terminal.
	Passphrase func(prompt string) (string, error)
	// cleanup runs at exit (e.g. the demo's emulators and temporary directory).
	cleanup []func()
	// store is set when the store was unlocked before the verb ran (the SSH server's sessions).
	store *config.Store
	// whoami overrides the audit identity (the SSH key of a session).
	whoami string
	// demo holds the emulators of --demo.
	demo *fake.Emulators
	// now is the clock.
	now func() time.Time
	// progressMu keeps concurrent progress lines whole.
	progressMu sync.Mutex
}

// runDeps are what the factory gives every verb's run, the same for each: the streams, how to
// open the store, the providers' environment with a deadline, the clock and the audit identity.
// A verb's options embed them; tests give their own.
type runDeps struct {
	IO        Streams
	OpenStore func() (*config.Store, error)
	Env       func(timeout time.Duration) *providers.Env
	Now       func() time.Time
	Who       func() string
	// Getenv reads the environment (nil: an empty one).
	Getenv func(string) string
}

// deps are the dependencies f gives a verb's run.
func (f *factory) deps() runDeps {
	return runDeps{IO: f.Streams, OpenStore: f.openStore, Env: f.providerEnvWithTimeout, Now: f.now, Who: f.who, Getenv: f.Getenv}
}

// exitError carries an exit code with its message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErr is an exit-2 error.
func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsageStore, err: fmt.Errorf(format, args...)}
}

// checkFailed is the exit-1 outcome, already reported on stdout.
var errCheckFailed = &exitError{code: exitCheckFail, err: errors.New("")}

// exitCode maps an error to the process exit code.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitUsageStore
}

// providerEnv returns the shared live-check environment.
func (f *factory) providerEnv() *providers.Env {
	if f.env == nil {
		f.env = providers.NewEnv(f.Version)
	}
	return f.env
}

// providerEnvWithTimeout is providerEnv with another deadline; the shared Env is not changed, since SSH sessions
// run verbs concurrently on it.
func (f *factory) providerEnvWithTimeout(d time.Duration) *providers.Env {
	env := *f.providerEnv()
	env.Timeout = d
	return &env
}

// resolveConfigDir applies --config-dir, GITOPSCFG_CONFIG_DIR, then $XDG_CONFIG_HOME/gitopscfg.
func (f *factory) resolveConfigDir() error {
	if f.ConfigDir == "" {
		f.ConfigDir = f.Getenv("GITOPSCFG_CONFIG_DIR")
	}
	if f.ConfigDir == "" {
		base := f.Getenv("XDG_CONFIG_HOME")
		if base == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return usageErr("cannot find the home directory: set --config-dir or GITOPSCFG_CONFIG_DIR")
			}
			base = filepath.Join(home, ".config")
		}
		f.ConfigDir = filepath.Join(base, "gitopscfg")
	}
	abs, err := filepath.Abs(f.ConfigDir)
	if err != nil {
		return usageErr("invalid config directory %q: %v", f.ConfigDir, err)
	}
	f.ConfigDir = abs
	return nil
}

// passphrase returns the store passphrase: GITOPSCFG_PASSPHRASE, else a prompt on the terminal.
func (f *factory) passphrase() (string, error) {
	if p := f.Getenv("GITOPSCFG_PASSPHRASE"); p != "" {
		return p, nil
	}
	if f.Passphrase == nil {
		return "", errors.New("the store is passphrase-protected: set GITOPSCFG_PASSPHRASE (there is no terminal to ask on)")
	}
	return f.Passphrase("Passphrase for " + filepath.Join(f.ConfigDir, config.IdentityFile) + ": ")
}

// openStore unlocks the store, printing its warnings to stderr.
func (f *factory) openStore() (*config.Store, error) {
	if f.store != nil {
		return f.store, nil
	}
	s, err := config.Open(f.ConfigDir, f.passphrase)
	if err != nil {
		return nil, err
	}
	for _, w := range s.Warnings() {
		fmt.Fprintln(f.Err, "warning:", w)
	}
	return s, nil
}

// terminalPassphrase reads a passphrase from the controlling terminal without echo.
func terminalPassphrase(prompt string) (string, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return "", errors.New("the store is passphrase-protected: set GITOPSCFG_PASSPHRASE (there is no terminal to ask on)")
	}
	defer tty.Close()
	b, err := readSecret(tty, tty, prompt)
	if err != nil {
		return "", fmt.Errorf("cannot read the passphrase: %w", err)
	}
	return string(b), nil
}

// who names the person running this process, for the audit trail.
func (f *factory) who() string {
	if f.whoami != "" {
		return f.whoami
	}
	return config.LocalUser()
}
