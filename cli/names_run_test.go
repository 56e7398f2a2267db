package cli

import (
	"context"
	"slices"
	"testing"

	"gitopscfg/providers"
)

// TestProviderAliases: forgejo and codeberg name the Gitea provider on every verb that takes a
// PROVIDER, in any case; the verb is handed the provider itself (named Gitea / Forgejo).
func TestProviderAliases(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"forgejo", "codeberg", "Forgejo", " CODEBERG ", "gitea"} {
		p, err := providerArg(name)
		if err != nil || p.ID != providers.Gitea || p.Name != "Gitea / Forgejo" {
			t.Errorf("providerArg(%q) = %s, %v; want gitea", name, p.ID, err)
		}
	}
	f, _, _ := testFactory("")
	var got []string
	record := func(verb string) func(providers.ID) {
		return func(id providers.ID) { got = append(got, verb+" "+string(id)) }
	}
	for _, c := range []struct {
		args []string
		run  func() error
	}{
		{[]string{"forgejo"}, func() error {
			return execute(newActivateCmd(f, func(_ context.Context, o *credentialOptions) error {
				record("activate")(providers.ID(o.Credential))
				return nil
			}), "forgejo")
		}},
		{[]string{"codeberg"}, func() error {
			return execute(newRemoveCmd(f, func(_ context.Context, o *credentialOptions) error {
				record("remove")(providers.ID(o.Credential))
				return nil
			}), "codeberg")
		}},
		{[]string{"forgejo"}, func() error {
			return execute(newCheckCmd(f, func(_ context.Context, o *checkOptions) error {
				record("check")(providers.ID(o.Credential))
				return nil
			}), "forgejo")
		}},
		{[]string{"codeberg"}, func() error {
			return execute(newSetCmd(f, func(_ context.Context, o *setOptions) error { record("set")(providers.ID(o.Credential)); return nil }), "codeberg", "--org", "acme")
		}},
		{[]string{"forgejo"}, func() error {
			return execute(newRotateCmd(f, func(_ context.Context, o *rotateOptions) error {
				record("rotate")(providers.ID(o.Credential))
				return nil
			}), "forgejo")
		}},
		{[]string{"devtron", "Forgejo"}, func() error {
			return execute(newPushCmd(f, func(_ context.Context, o *pushOptions) error {
				record("push")(providers.ID(o.Credential))
				return nil
			}), "devtron", "Forgejo")
		}},
		{[]string{"flux", "codeberg"}, func() error {
			return execute(newExportCmd(f, func(_ context.Context, o *exportOptions) error {
				record("export")(providers.ID(o.Credential))
				return nil
			}), "flux", "codeberg")
		}},
	} {
		if err := c.run(); err != nil {
			t.Errorf("%v: %v", c.args, err)
		}
	}
	want := []string{"activate gitea", "remove gitea", "check gitea", "set gitea", "rotate gitea", "push gitea", "export gitea"}
	if !slices.Equal(got, want) {
		t.Fatalf("the verbs were handed %v, want %v", got, want)
	}
}

// TestUnknownProviderSaysWhatItMayHaveMeant: a mistyped provider is a usage error that names the
// nearest providers (one edit away, the ones it starts or that start it) and lists the names.
func TestUnknownProviderSaysWhatItMayHaveMeant(t *testing.T) {
	t.Parallel()
	const names = "Use one of github, gitlab, azure, bitbucket, gitea (or forgejo, codeberg), git"
	for typed, want := range map[string]string{
		"githb":         `unknown provider "githb": did you mean github or git? ` + names,
		"GitLb":         `unknown provider "GitLb": did you mean gitlab or git? ` + names,
		"gitx":          `unknown provider "gitx": did you mean git? ` + names,
		"azure-devops":  `unknown provider "azure-devops": did you mean azure? ` + names,
		"forgjo":        `unknown provider "forgjo": did you mean forgejo? ` + names,
		"bitbucket.org": `unknown provider "bitbucket.org": did you mean bitbucket? ` + names,
		"svn":           `unknown provider "svn": use one of github, gitlab, azure, bitbucket, gitea (or forgejo, codeberg), git`,
	} {
		_, err := providerArg(typed)
		if exitCode(err) != exitUsageStore || err.Error() != want {
			t.Errorf("%q: exit %d, %v\nwant %s", typed, exitCode(err), err, want)
		}
	}
}

// TestSuggest: the nearest names within two edits, the names typed starts and those that start it.
func TestSuggest(t *testing.T) {
	t.Parallel()
	names := []string{"github", "gitlab", "azure", "bitbucket", "gitea", "forgejo", "codeberg"}
	for typed, want := range map[string][]string{
		"githb": {"github"}, "gtilab": {"gitlab"}, "GITEA ": {"gitea"}, "gi": {"github", "gitlab", "gitea"},
		"azuredevops": {"azure"}, "codberg": {"codeberg"}, "perforce": nil, "": nil, "bb": nil,
	} {
		if got := suggest(typed, names); !slices.Equal(got, want) {
			t.Errorf("suggest(%q) = %v, want %v", typed, got, want)
		}
	}
	for _, c := range []struct {
		a, b string
		d    int
	}{{"kitten", "sitting", 3}, {"gitlba", "gitlab", 1}, {"", "abc", 3}, {"forgejo", "forgejo", 0}, {"ab", "ba", 1}} {
		if d := editDistance(c.a, c.b); d != c.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, d, c.d)
		}
	}
}
