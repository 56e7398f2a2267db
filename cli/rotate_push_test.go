package cli

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/platforms"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
)

// rotateFixture is a store holding provider id on the emulators with token old (active), and the
// options of a rotation of it with injected streams, clock, audit identity and Devtron push.
func rotateFixture(t *testing.T, e *fake.Emulators, id providers.ID, old string, now time.Time) (*config.Store, *rotateOptions, *bytes.Buffer) {
	t.Helper()
	s, err := config.Init(filepath.Join(t.TempDir(), "cfg"), "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Set(context.Background(), "setup", config.Change{Credential: string(id), Base: config.AnyRevision,
		Settings: e.Credentials(id, old).Settings, Activate: true})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	opts := &rotateOptions{
		runDeps: runDeps{
			IO:        Streams{In: strings.NewReader(""), Out: &out, Err: &out},
			OpenStore: func() (*config.Store, error) { return s, nil },
			Env: func(d time.Duration) *providers.Env {
				env := providers.NewEnv("test")
				env.Timeout = d
				return env
			},
			Now: func() time.Time { return now },
			Who: func() string { return "tester (local)" },
		},
		PushDevtron: func(context.Context, *config.Data, string) (bool, error) { return false, nil },
		Credential:  string(id),
		Timeout:     providers.DeepTimeout,
	}
	return s, opts, &out
}

// TestRotateRunPushesToDevtron drives rotateRun with an injected Devtron push: it runs after the
// save, with the new token in the store and in the content it is given; its failure is a failed
// step (exit 1) that names what the store and Devtron hold. The save is a rotation in the audit
// trail, stamped with the injected clock and identity.
func TestRotateRunPushesToDevtron(t *testing.T) {
	t.Parallel()
	// a fixed clock, of today: GitLab takes expiry dates from today on only
	now := time.Now().UTC().Truncate(time.Second)
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
		{"github not created in Devtron in place of its active provider", providers.GitHub, fake.GitHubTokenFull, fake.GitHubTokenNoAdminOrg,
			&platforms.SwitchError{Provider: providers.GitHub, Active: "GITLAB"}, 0,
			"push: Devtron holds no github configuration and gitlab is its active provider: creating one would make github the active one there, so nothing was pushed"},
		{"gitlab pushed", providers.GitLab, fake.GitLabTokenFull, "", nil, 0, "✓ push: Devtron has the new token"},
		{"gitlab push refused", providers.GitLab, fake.GitLabTokenFull, "", errors.New("Devtron could not be reached"), 1, "✗ push: Devtron could not be reached"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := kit.Emulators(t, fake.Options{}) // of its own: a rotation revokes the old token there
			s, opts, out := rotateFixture(t, e, c.id, c.old, now)
			var inStore, given string
			opts.PushDevtron = func(_ context.Context, d *config.Data, id string) (bool, error) {
				cur, err := s.Load()
				if err != nil {
					return true, err
				}
				inStore, given = cur.Credentials[id].Token, d.Credentials[id].Token
				return true, c.pushErr
			}
			if c.neu != "" {
				opts.IO.In, opts.TokenStdin = strings.NewReader(c.neu), true
			} else {
				opts.Yes = true
			}
			err := rotateRun(context.Background(), opts)
			all := out.String()
			if exitCode(err) != c.code || !strings.Contains(all, c.want) {
				t.Fatalf("exit %d (want %d), want %q in\n%s", exitCode(err), c.code, c.want, all)
			}
			if inStore == "" || inStore == c.old || given != inStore || (c.neu != "" && inStore != c.neu) {
				t.Fatalf("the push ran before the new token was saved, or on other content (store %s, given %s)", providers.TokenHint(inStore), providers.TokenHint(given))
			}
			if c.code != 0 && !strings.Contains(all, "Devtron still has the old one") {
				t.Fatalf("the failure does not say what Devtron holds:\n%s", all)
			}
			for _, tok := range []string{c.old, c.neu, inStore} {
				if tok != "" && strings.Contains(all, tok) {
					t.Fatalf("a token leaked:\n%s", all)
				}
			}
			d, err := s.Load()
			if err != nil {
				t.Fatal(err)
			}
			p := d.Credentials[string(c.id)]
			var rotations []config.AuditEntry
			for _, a := range d.Audit {
				if a.Action == config.ActionRotate {
					rotations = append(rotations, a)
				}
			}
			if len(rotations) != 1 || rotations[0].Who != "tester (local)" || !slices.Equal(rotations[0].Fields, []string{"token"}) {
				t.Fatalf("audit %+v", d.Audit)
			}
			if !p.UpdatedAt.Equal(now) || p.LastDeep == nil || !p.LastDeep.OK || !p.LastDeep.At.Equal(now) || p.LastCheck == nil || !p.LastCheck.At.Equal(now) {
				t.Fatalf("stored at %v, check %+v, round trip %+v (want both at %v)", p.UpdatedAt, p.LastCheck, p.LastDeep, now)
			}
		})
	}
}

// TestRotateCmdPassesItsOptions checks the constructor's seam: flags and PROVIDER are parsed into
// the options with the factory's dependencies; flags that do not apply are usage errors (exit 2)
// that never run the rotation.
func TestRotateCmdPassesItsOptions(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	f := newFactory(Streams{In: strings.NewReader(""), Out: &out, Err: &out}, "test", func(string) string { return "" }, nil)
	var got *rotateOptions
	cmd := newRotateCmd(f, func(_ context.Context, o *rotateOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"GitLab", "--yes", "--expires-in", "30d", "--show-token-if-unsaved", "--timeout", "5s"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Credential != strings.ToLower("GitLab") || !got.Yes || !got.ShowUnsaved || got.TokenStdin ||
		got.ExpiresIn != 30*24*time.Hour || got.Timeout != 5*time.Second {
		t.Fatalf("options %+v", got)
	}
	if got.IO.Out != &out || got.OpenStore == nil || got.Env == nil || got.Now == nil || got.Who == nil || got.PushProgress == nil {
		t.Fatalf("dependencies missing: %+v", got)
	}
	if env := got.Env(5 * time.Second); env.Timeout != 5*time.Second {
		t.Fatalf("the environment's deadline is %v", env.Timeout)
	}
	for name, args := range map[string][]string{
		"unknown provider":              {"no such!"},
		"no provider":                   {},
		"--expires-in without rotation": {"github", "--expires-in", "30d"},
		"--expires-in with a token":     {"gitlab", "--token-stdin", "--expires-in", "30d"},
		"--expires-in under a day":      {"gitlab", "--expires-in", "12h"},
		"--timeout 0":                   {"gitlab", "--timeout", "0"},
		"unknown flag":                  {"gitlab", "--nope"},
	} {
		cmd := newRotateCmd(f, func(context.Context, *rotateOptions) error { t.Errorf("%s: ran", name); return nil })
		cmd.SetArgs(args)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		if err := cmd.Execute(); exitCode(err) != exitUsageStore {
			t.Errorf("%s: exit %d, %v", name, exitCode(err), err)
		}
	}
}
