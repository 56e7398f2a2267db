// Package kit holds the helpers the tests of several packages share (the end-to-end tests of e2e/
// and the package tests beside the code): the emulators started for one test, the canary token, a
// buffer that wakes its waiters at each write, the GitLab membership watch, and the like. It is
// imported by tests only.
package kit

import (
	"testing"

	"gitopscfg/platforms/devtronfake"
	"gitopscfg/providers/fake"
)

// Canary is a GitHub token that must never show outside the encrypted store: tests store it and
// then scan outputs and files for it.
const Canary = "ghp_CANARYcanary0123456789abcdefghijkl"

// Emulators starts the provider emulators for one test (or benchmark) and stops them when it
// ends.
func Emulators(t testing.TB, opts fake.Options) *fake.Emulators {
	t.Helper()
	e, err := fake.Start(opts)
	if err != nil {
		t.Fatalf("start the emulators: %v", err)
	}
	t.Cleanup(e.Close)
	return e
}

// Devtron starts a Devtron emulator for one test (or benchmark) and stops it when it ends.
func Devtron(t testing.TB, opts devtronfake.Options) *devtronfake.Server {
	t.Helper()
	dt, err := devtronfake.Start(opts)
	if err != nil {
		t.Fatalf("start the Devtron emulator: %v", err)
	}
	t.Cleanup(dt.Close)
	return dt
}
