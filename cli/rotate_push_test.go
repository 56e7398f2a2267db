package cli

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"gitopscfg/config"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// TestRotatePushesToDevtron drives the push step through its hook (the Devtron client plugs in
// there): it runs after the save, with the new token stored, and its failure is a failed step
// that names what the store and Devtron hold. Not parallel: it swaps the package's hook.
func TestRotatePushesToDevtron(t *testing.T) {
	e, err := fake.Start(fake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	saved := pushRotatedToDevtron
	t.Cleanup(func() { pushRotatedToDevtron = saved })
	cases := []struct {
		name     string
		id       providers.ID
		old, neu string // neu "": rotated by the provider
		pushErr  error
		code     int
		want     string
	}{
		{"github pushed", providers.GitHub, fake.GitHubTokenFull, fake.GitHubTokenNoAdminOrg, nil, 0, "✓ push: Devtron has the new token"},
		{"github push refused", providers.GitHub, fake.GitHubTokenFull, fake.GitHubTokenNoAdminOrg, errors.New("Devtron refused the configuration: validation failed at Create Repo"), 1,
			"✗ push: Devtron refused the configuration"},
		{"gitlab push refused", providers.GitLab, fake.GitLabTokenFull, "", errors.New("Devtron could not be reached"), 1, "✗ push: Devtron could not be reached"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "cfg")
			s, err := config.Init(dir, "")
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Update(context.Background(), "test", "set", -1, func(d *config.Data) error {
				p := &config.Provider{}
				creds := e.Credentials(c.id, c.old)
				if c.id == providers.GitLab {
					creds.Token = c.old
				}
				creds.ApplyTo(p)
				d.Providers[string(c.id)] = p
				d.Active = string(c.id)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			var pushedToken string
			pushRotatedToDevtron = func(ctx context.Context, f *factory, id providers.ID) (bool, error) {
				st, err := f.openStore()
				if err != nil {
					return true, err
				}
				d, err := st.Load()
				if err != nil {
					return true, err
				}
				pushedToken = d.Providers[string(id)].Token
				return true, c.pushErr
			}
			var out, errb bytes.Buffer
			a := newFactory(Streams{In: strings.NewReader(c.neu), Out: &out, Err: &errb}, "dev", func(string) string { return "" }, nil)
			root := newRootCmd(a)
			args := []string{"--config-dir", dir, "rotate", string(c.id), "--token-stdin"}
			if c.neu == "" {
				args = []string{"--config-dir", dir, "rotate", string(c.id), "--yes"}
			}
			root.SetArgs(args)
			root.SetIn(a.In)
			root.SetOut(&out)
			root.SetErr(&errb)
			code := exitCode(root.ExecuteContext(context.Background()))
			all := out.String() + errb.String()
			if code != c.code || !strings.Contains(all, c.want) {
				t.Fatalf("exit %d (want %d), want %q in\n%s", code, c.code, c.want, all)
			}
			if pushedToken == "" || pushedToken == c.old || (c.neu != "" && pushedToken != c.neu) {
				t.Fatal("the push ran before the new token was saved")
			}
			if c.pushErr != nil && !strings.Contains(all, "Devtron still has the old one") {
				t.Fatalf("the failure does not say what Devtron holds:\n%s", all)
			}
			for _, tok := range []string{c.old, c.neu, pushedToken} {
				if tok != "" && strings.Contains(all, tok) {
					t.Fatalf("a token leaked:\n%s", all)
				}
			}
		})
	}
}
