package cli

import (
	"context"
	"testing"
)

// TestVersionRunInProcess: version prints the program's version on stdout and nothing else.
func TestVersionRunInProcess(t *testing.T) {
	t.Parallel()
	streams, out, errb := testStreams("")
	if err := versionRun(context.Background(), &versionOptions{IO: streams, Version: "v1.2.3"}); err != nil {
		t.Fatal(err)
	}
	if out.String() != "gitopscfg v1.2.3\n" || errb.Len() != 0 {
		t.Fatalf("stdout %q, stderr %q", out, errb)
	}
}

// TestVersionCmdPassesItsOptions checks version's constructor: the factory's version and streams
// reach the run function; an argument is refused unrun.
func TestVersionCmdPassesItsOptions(t *testing.T) {
	t.Parallel()
	f, out, _ := testFactory("")
	var got *versionOptions
	if err := execute(newVersionCmd(f, func(_ context.Context, o *versionOptions) error { got = o; return nil })); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Version != "1.2.3-test" || got.IO.Out != out {
		t.Fatalf("options %+v", got)
	}
	if err := execute(newVersionCmd(f, mustNotRun[*versionOptions](t, "extra")), "extra"); exitCode(err) != exitUsageStore {
		t.Errorf("version extra: exit %d, %v", exitCode(err), err)
	}
}
