//go:build race

package e2e

// raceEnabled: this test binary runs with the race detector, which multiplies memory use.
const raceEnabled = true
