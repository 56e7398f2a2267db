package e2e

import (
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// emuseed PROVIDER NAME gives PROVIDER's repository NAME a first commit, as a repository someone
// created and initialised by hand.
func cmdEmuSeed(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: emuseed PROVIDER NAME")
	}
	emu := ts.Value(emulatorsKey{}).(*fake.Emulators)
	ts.Check(emu.Seed(providers.ID(args[0]), args[1]))
}

// emuprotect PROVIDER NAME PATTERN push|delete|both MESSAGE protects the branches of PROVIDER's
// repository NAME that match PATTERN (a shell glob) as the provider's rule does: the push, the
// deletion or both are refused with MESSAGE (%s is the branch).
func cmdEmuProtect(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 5 {
		ts.Fatalf("usage: emuprotect PROVIDER NAME PATTERN push|delete|both MESSAGE")
	}
	rule := fake.ProtectRule{Pattern: args[2], Message: args[4],
		Push: args[3] == "push" || args[3] == "both", Delete: args[3] == "delete" || args[3] == "both"}
	emu := ts.Value(emulatorsKey{}).(*fake.Emulators)
	ts.Check(emu.Protect(providers.ID(args[0]), args[1], rule))
}

// emubranches PROVIDER NAME BRANCH... fails unless PROVIDER's repository NAME holds exactly the
// branches given (in git's order): what a round trip left behind.
func cmdEmuBranches(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: emubranches PROVIDER NAME BRANCH...")
	}
	emu := ts.Value(emulatorsKey{}).(*fake.Emulators)
	got, err := emu.Branches(providers.ID(args[0]), args[1])
	ts.Check(err)
	if strings.Join(got, " ") != strings.Join(args[2:], " ") {
		ts.Fatalf("%s's branches: %v, want %v", args[1], got, args[2:])
	}
}
