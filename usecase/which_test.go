package usecase_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"gitopscfg/config"
	"gitopscfg/providers"
	"gitopscfg/providers/fake"
	"gitopscfg/usecase"
)

// which asks r's backend which credential serves u.
func (r *rig) which(u string) usecase.Served {
	r.t.Helper()
	s, err := r.b.Which(context.Background(), r.data(), u)
	if err != nil {
		r.t.Fatalf("which %s: %v", u, err)
	}
	return s
}

// checkOf is the check of s with id (zero when none).
func checkOf(s usecase.Served, id string) providers.Check {
	for _, c := range s.Checks {
		if c.ID == id {
			return c
		}
	}
	return providers.Check{}
}

// TestWhichChoosesAsArgoCD: the credential whose Argo CD prefix is the longest of the URL's serves
// it, whatever the URL's case or .git; a url_prefix narrows; two alike are refused; none found
// says what is stored; the chosen one's read access is asked of Git.
func TestWhichChoosesAsArgoCD(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	host := r.emu.URL(providers.GitHub) + "/"
	for _, org := range []string{fake.GitHubOrg, fake.GitHubOrgInfra} {
		if err := r.emu.AddOrgRepo(providers.GitHub, org, "gitops"); err != nil {
			t.Fatal(err)
		}
	}
	r.put("github", providers.GitHub, fake.GitHubTokenFull, "", true, nil)
	r.put("acme-infra", providers.GitHub, fake.GitHubTokenFull, fake.GitHubOrgInfra, false, nil)

	for u, want := range map[string]string{
		host + "acme/gitops":            "github",
		host + "acme-infra/gitops":      "acme-infra",
		host + "ACME-INFRA/gitops.git":  "acme-infra",
		host + "acme-infra/gitops.git/": "acme-infra",
	} {
		s := r.which(u)
		if s.Credential != want || s.Provider != providers.GitHub || !s.Readable || !s.OK() || checkOf(s, usecase.CheckMatch).Status != providers.Pass ||
			checkOf(s, providers.CheckRead).Status != providers.Pass || !strings.HasPrefix(strings.ToLower(u), s.Prefix) {
			t.Errorf("%s: %+v, want %s, readable", u, s, want)
		}
	}
	if s := r.which("https://x:secret@bitbucket.example.com/acme/gitops"); s.Credential != "" || s.Readable || s.OK() || len(s.Checks) != 1 ||
		s.Checks[0].Status != providers.Fail || !strings.Contains(s.Checks[0].Message, "no stored credential serves https://bitbucket.example.com/acme/gitops: ") ||
		!strings.Contains(s.Checks[0].Message, "acme-infra "+host+"acme-infra/") {
		t.Errorf("an unknown URL: %+v", s)
	}
	if s := r.which(host + "acme-infra/nothing"); s.Credential != "acme-infra" || s.Readable || checkOf(s, providers.CheckRead).Status != providers.Fail {
		t.Errorf("a missing repository: %+v", s)
	}

	// A token that may not read the repository.
	r.put("acme-infra", providers.GitHub, fake.GitHubTokenNotMember, fake.GitHubOrgInfra, true, nil)
	if s := r.which(host + "acme-infra/gitops"); s.Credential != "acme-infra" || s.Readable || s.OK() ||
		!strings.Contains(checkOf(s, providers.CheckRead).Message, "404") {
		t.Errorf("a token that cannot read: %+v", s)
	}

	// A narrower prefix wins where it applies; the organisation's elsewhere.
	r.put("team", providers.GitHub, fake.GitHubTokenNotAdmin, fake.GitHubOrg, true, func(s *config.Settings) { s.URLPrefix = host + "acme/git" })
	if s := r.which(host + "acme/gitops"); s.Credential != "team" || s.Prefix != host+"acme/git" || !s.Readable {
		t.Errorf("the narrower prefix: %+v", s)
	}
	if err := r.emu.AddOrgRepo(providers.GitHub, fake.GitHubOrg, "apps"); err != nil {
		t.Fatal(err)
	}
	if s := r.which(host + "acme/apps"); s.Credential != "github" || s.Prefix != host+"acme/" {
		t.Errorf("outside the narrower prefix: %+v", s)
	}

	// Two that claim one prefix: Argo CD would take either, so none is said to serve it.
	r.put("acme-2", providers.GitHub, fake.GitHubTokenFull, fake.GitHubOrg, true, nil)
	s := r.which(host + "acme/apps")
	if m := checkOf(s, usecase.CheckMatch); s.Credential != "" || s.OK() || m.Status != providers.Fail ||
		!strings.Contains(m.Message, "github and acme-2 both serve") || !strings.Contains(m.Message, "gitopscfg set acme-2 --url-prefix") ||
		checkOf(s, providers.CheckRead).ID != "" {
		t.Errorf("a tie: %+v", s)
	}

	for _, bad := range []string{"git@github.com:acme/gitops.git", "ftp://github.com/acme/gitops", host + "acme/gitops?ref=main", "acme/gitops", ""} {
		var ue *usecase.UsageError
		if _, err := r.b.Which(context.Background(), r.data(), bad); !errors.As(err, &ue) {
			t.Errorf("which %q: %v, want a usage error", bad, err)
		}
	}
}

// TestWhichFallsBackToHostAndOrganisation: when no Argo CD prefix covers the URL, the credential
// of its host whose organisation starts its path serves it (a warning: Argo CD would not use it);
// a credential whose prefix cannot be made is named in a warning.
func TestWhichFallsBackToHostAndOrganisation(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	host := r.emu.URL(providers.GitHub) + "/"
	if err := r.emu.AddOrgRepo(providers.GitHub, fake.GitHubOrg, "apps"); err != nil {
		t.Fatal(err)
	}
	r.put("team", providers.GitHub, fake.GitHubTokenFull, fake.GitHubOrg, true, func(s *config.Settings) { s.URLPrefix = host + "acme/team-" })
	r.put("gitlab", providers.GitLab, fake.GitLabTokenRevoked, strconv.Itoa(fake.GitLabGroupID), true, nil)
	s := r.which(host + "acme/apps")
	m := checkOf(s, usecase.CheckMatch)
	if s.Credential != "team" || s.Prefix != "" || !s.Readable || !s.OK() || m.Status != providers.Warn ||
		!strings.Contains(m.Message, "by host and organisation") || !strings.Contains(m.Message, host+"acme/team-, which does not cover it") {
		t.Errorf("by host and organisation: %+v", s)
	}
	if w := checkOf(s, "prefix:gitlab"); w.Status != providers.Warn || !strings.Contains(w.Message, "gitlab's Argo CD URL prefix is unknown") ||
		strings.Contains(w.Message, fake.GitLabTokenRevoked) {
		t.Errorf("the unknown prefix: %+v", w)
	}
	if s := r.which(host + "acme-infra/apps"); s.Credential != "" {
		t.Errorf("another organisation: %+v", s)
	}
}
