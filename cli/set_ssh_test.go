package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gitopscfg/providers"
)

// The SSH flags are refused where they do not apply, before anything is read or sent.
func TestSSHFlagsWhereTheyDoNotApply(t *testing.T) {
	t.Parallel()
	dir := initStore(t)
	key := filepath.Join(t.TempDir(), "id")
	priv, _, err := providers.GenerateSSHKey("x")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, []byte(priv), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"set", "azure", "--ssh-key", key}, "Azure DevOps takes RSA SSH keys only"},
		{[]string{"set", "azure", "--ssh-key", key, "--register-key"}, "cannot be registered through its API"},
		{[]string{"set", "github", "--trust-host-key", "SHA256:x"}, "apply to a credential with an SSH key"},
		{[]string{"set", "github", "--ssh-key", key, "--ssh-key-generate"}, "exclude each other"},
		{[]string{"set", "github", "--ssh-key", key, "--trust-host-key", "MD5:aa"}, "SHA256 fingerprint"},
	} {
		r := gitopscfg(t, dir, "", nil, tc.args...)
		if r.code != 2 || !strings.Contains(r.err, tc.want) {
			t.Errorf("%v: exit %d, want 2 with %q\n%s", tc.args, r.code, tc.want, r.err)
		}
	}
}
