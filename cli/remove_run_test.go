package cli

import (
	"context"
	"strings"
	"testing"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// TestRemoveRunInProcess drives remove's run function with an injected store and fake streams:
// removing the active provider says that none is active now; removing another says only that it
// was removed; an unconfigured provider is a usage error that leaves the store as it was. The
// audit trail names who removed.
func TestRemoveRunInProcess(t *testing.T) {
	t.Parallel()
	s, open := newRunStore(t)
	gh, gl := providers.MustLookup(providers.GitHub), providers.MustLookup(providers.GitLab)
	storeProvider(t, s, providers.Credentials{Provider: gh.ID, Settings: config.Settings{Host: gh.DefaultHost, Org: "acme", Username: "octocat", Token: "ghp_CANARYremove00000000000000000000000000"}}, true, nil)
	storeProvider(t, s, providers.Credentials{Provider: gl.ID, Settings: config.Settings{Host: gl.DefaultHost, Org: "acme", Username: "jdoe", Token: "glpat-CANARYremove000000"}}, false, nil)
	remove := func(p providers.Provider) (string, error) {
		streams, out, _ := testStreams("")
		err := removeRun(context.Background(), &credentialOptions{runDeps: runDeps{IO: streams, OpenStore: open, Who: testWho}, Credential: string(p.ID)})
		return out.String(), err
	}

	out, err := remove(gh)
	if err != nil || out != "Removed GitHub.\nIt was the active provider: none is active now (`gitopscfg activate CREDENTIAL`).\n" {
		t.Fatalf("remove github: %v, %q", err, out)
	}
	d := loadData(t, s)
	if d.Credentials["github"] != nil || d.Active != "" || d.Credentials["gitlab"] == nil {
		t.Fatalf("after remove github: active %q, providers %v", d.Active, d.Credentials)
	}
	if last := d.Audit[len(d.Audit)-1]; last.Who != "tester" || last.Credential != "github" {
		t.Fatalf("last audit entry %+v", last)
	}
	if out, err := remove(gl); err != nil || out != "Removed GitLab.\n" {
		t.Fatalf("remove gitlab: %v, %q", err, out)
	}
	rev := loadData(t, s).Revision
	out, err = remove(gh)
	if exitCode(err) != exitUsageStore || !strings.Contains(err.Error(), "GitHub is not configured; nothing was changed") || out != "" {
		t.Fatalf("remove unconfigured: exit %d, %v, %q", exitCode(err), err, out)
	}
	if loadData(t, s).Revision != rev {
		t.Fatal("a refused remove changed the store")
	}
}

// TestRemoveCmdPassesItsOptions checks remove's constructor: PROVIDER is parsed case-blind and
// the run function gets the factory's streams, store opener and identity; a bad or missing
// PROVIDER is refused unrun.
func TestRemoveCmdPassesItsOptions(t *testing.T) {
	t.Parallel()
	f, out, _ := testFactory("")
	var got *credentialOptions
	if err := execute(newRemoveCmd(f, func(_ context.Context, o *credentialOptions) error { got = o; return nil }), "Bitbucket"); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Credential != strings.ToLower("Bitbucket") || got.IO.Out != out || got.OpenStore == nil || got.Who == nil {
		t.Fatalf("options %+v", got)
	}
	for _, args := range [][]string{{"no such!"}, {}, {"github", "gitlab"}} {
		if err := execute(newRemoveCmd(f, mustNotRun[*credentialOptions](t, args...)), args...); exitCode(err) != exitUsageStore {
			t.Errorf("%v: exit %d, %v", args, exitCode(err), err)
		}
	}
}
