package cli

import "syscall"

// noCoreDumps keeps the plaintext tokens this process holds out of core files, as ssh-agent and
// gpg-agent do: RLIMIT_CORE 0 (soft and hard, so nothing this process starts can raise it), and
// not dumpable, which also stops other processes of the same user from attaching with ptrace or
// reading its memory through /proc/PID/mem.
func noCoreDumps() error {
	if err := syscall.Setrlimit(syscall.RLIMIT_CORE, &syscall.Rlimit{Cur: 0, Max: 0}); err != nil {
		return err
	}
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_DUMPABLE, 0, 0); errno != 0 {
		return errno
	}
	return nil
}
