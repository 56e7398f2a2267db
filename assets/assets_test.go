package assets

import "testing"

func TestEveryFieldHasHelp(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"github", "gitlab", "azure", "bitbucket"} {
		for _, field := range []string{"host", "org", "username", "token"} {
			if len(FieldHelp(file, field)) < 30 {
				t.Errorf("%s/%s: help too short: %q", file, field, FieldHelp(file, field))
			}
		}
	}
	for _, field := range []string{"api_url", "ca_bundle"} {
		if FieldHelp("advanced", field) == "" {
			t.Errorf("advanced/%s: no help", field)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("a missing help text did not panic")
		}
	}()
	FieldHelp("github", "nonexistent")
}
