//go:build race

package main

// raceEnabled: this test binary runs with the race detector, which multiplies memory use.
const raceEnabled = true
