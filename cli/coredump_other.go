//go:build !linux

package cli

import "syscall"

// noCoreDumps keeps the plaintext tokens this process holds out of core files: RLIMIT_CORE 0
// (soft and hard). Linux also makes the process not dumpable (coredump_linux.go).
func noCoreDumps() error {
	return syscall.Setrlimit(syscall.RLIMIT_CORE, &syscall.Rlimit{Cur: 0, Max: 0})
}
