package cli

import (
	"strings"
	"testing"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
)

// TestStatusShowsAReplacedHostKey: the recent changes name a replaced SSH host key, old → new
// fingerprint; status --json has both in the audit entry's host_key.
func TestStatusShowsAReplacedHostKey(t *testing.T) {
	t.Parallel()
	srv := kit.StartSSHServer(t, kit.RefuseKeys)
	s, open := newRunStore(t)
	c := providers.Credentials{Provider: providers.GitHub, Settings: config.Settings{Host: "https://github.com", Org: "acme",
		Username: "octocat", Token: statusGitHubCanary, SSHURL: srv.URL(), SSHHostKey: srv.KnownHosts()}}
	storeProvider(t, s, c, true, nil)
	from := srv.Fingerprint()
	to := srv.ChangeKey(t)
	c.SSHHostKey = srv.KnownHosts()
	storeProvider(t, s, c, true, nil)
	out, err := runStatus(t, open, noEnv(t), false)
	if err != nil {
		t.Fatal(err)
	}
	if want := "(ssh_host_key); host key replaced: " + providers.KnownHostsName(srv.Addr) + ": " + from + " → " + to; !strings.Contains(out, want) {
		t.Fatalf("status text lacks %q:\n%s", want, out)
	}
	out, err = runStatus(t, open, noEnv(t), true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"from": "`+from+`"`) || !strings.Contains(out, `"to": "`+to+`"`) {
		t.Fatalf("status --json lacks the replaced host key:\n%s", out)
	}
}
