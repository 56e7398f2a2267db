package platforms

import "testing"

// ArgoCDMatch follows Argo CD's choice of a credential template: both sides normalised (case,
// a trailing .git), a plain string prefix, measured by the prefix's length.
func TestArgoCDMatch(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		prefix, repo string
		want         int
	}{
		{"https://github.com/acme/", "https://github.com/acme/gitops", len("https://github.com/acme/")},
		{"https://github.com/acme/", "https://GitHub.com/ACME/gitops.git", len("https://github.com/acme/")},
		{"https://github.com/acme/team-", "https://github.com/acme/team-a", len("https://github.com/acme/team-")},
		{"https://github.com/acme/", "https://github.com/acme-infra/gitops", 0},
		{"https://github.com/acme", "https://github.com/acme-infra/gitops", len("https://github.com/acme")},
		{"https://github.com/acme/", "http://github.com/acme/gitops", 0},
		{"https://github.com/acme/", "https://gitlab.com/acme/gitops", 0},
		{"", "https://github.com/acme/gitops", 0},
	} {
		if got := ArgoCDMatch(c.prefix, c.repo); got != c.want {
			t.Errorf("ArgoCDMatch(%q, %q) = %d, want %d", c.prefix, c.repo, got, c.want)
		}
	}
}
