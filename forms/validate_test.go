package forms

import (
	"strings"
	"testing"
	"unicode/utf8"

	"gitopscfg/config"
	"gitopscfg/providers"
)

func TestHost(t *testing.T) {
	t.Parallel()
	cases := []struct {
		id       providers.ID
		in, want string
		errPart  string
	}{
		{providers.GitHub, "https://github.com", "https://github.com/", ""},
		{providers.GitHub, "  https://ghe.example.com/  ", "https://ghe.example.com/", ""},
		{providers.GitLab, "http://127.0.0.1:8080", "http://127.0.0.1:8080/", ""},
		{providers.GitLab, "http://localhost:8080/", "http://localhost:8080/", ""},
		{providers.GitLab, "http://[::1]:8080/", "http://[::1]:8080/", ""},
		{providers.Azure, "https://dev.azure.com/acme", "https://dev.azure.com/acme/", ""},
		{providers.GitHub, "", "", "empty"},
		{providers.GitHub, "github.com", "", "not an absolute URL"},
		{providers.GitHub, "http://github.com/", "", "refusing plain http"},
		{providers.GitHub, "ftp://github.com/", "", "scheme"},
		{providers.GitHub, "https://user:pw@github.com/", "", "must not contain a username"},
		{providers.GitHub, "https://github.com/?x=1", "", "query"},
		{providers.Azure, "https://dev.azure.com/", "", "needs the organisation"},
	}
	for _, c := range cases {
		got, err := checkHost(c.id, c.in)
		if c.errPart != "" {
			if err == nil || !strings.Contains(err.Error(), c.errPart) {
				t.Errorf("Host(%s, %q) error %v; want it to mention %q", c.id, c.in, err, c.errPart)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Host(%s, %q) = %q, %v; want %q", c.id, c.in, got, err, c.want)
		}
	}
}

func TestOrg(t *testing.T) {
	t.Parallel()
	ok := map[providers.ID][]string{
		providers.GitHub:    {"acme", "acme-gitops", "a", strings.Repeat("a", 39)},
		providers.GitLab:    {"81234567", "acme", "acme/gitops", "acme/sub.group/deep_one", "/acme/gitops/"},
		providers.Azure:     {"gitops", "GitOps Project", "my-project.v2"},
		providers.Bitbucket: {"acme", "acme-team", "acme_2"},
	}
	bad := map[providers.ID]map[string]string{
		providers.GitHub:    {"": "empty", "-acme": "hyphen", "acme--x": "hyphen", strings.Repeat("a", 40): "39", "ac me": "not a GitHub"},
		providers.GitLab:    {"0123": "do not start with 0", "acme//x": "not a GitLab group", "a/../b": "not a GitLab group", "x.git": "not a GitLab group"},
		providers.Azure:     {"a/b": `"/"`, "_x": "cannot start", "x.": "end with", strings.Repeat("p", 65): "at most 64"},
		providers.Bitbucket: {"Acme": "lower case", "ac me": "not a Bitbucket workspace", "-x": "not a Bitbucket workspace"},
	}
	for id, ins := range ok {
		for _, in := range ins {
			if _, err := checkOrg(id, in); err != nil {
				t.Errorf("Org(%s, %q): %v", id, in, err)
			}
		}
	}
	for id, ins := range bad {
		for in, part := range ins {
			if _, err := checkOrg(id, in); err == nil || !strings.Contains(err.Error(), part) {
				t.Errorf("Org(%s, %q) error %v; want it to mention %q", id, in, err, part)
			}
		}
	}
}

func TestProjectKeyAndUsername(t *testing.T) {
	t.Parallel()
	for in, part := range map[string]string{"gitops": "upper case", "1ABC": "not a Bitbucket project key", "A-B": "not a Bitbucket project key"} {
		if _, err := checkProjectKey(providers.Bitbucket, in); err == nil || !strings.Contains(err.Error(), part) {
			t.Errorf("ProjectKey(%q) error %v; want %q", in, err, part)
		}
	}
	if k, err := checkProjectKey(providers.Bitbucket, " GITOPS_2 "); err != nil || k != "GITOPS_2" {
		t.Errorf("ProjectKey: %q %v", k, err)
	}
	if k, err := checkProjectKey(providers.Bitbucket, ""); err != nil || k != "" {
		t.Errorf("empty project key must be allowed: %v", err)
	}
	if _, err := checkUsername(providers.Bitbucket, "jdoe"); err == nil || !strings.Contains(err.Error(), "e-mail") {
		t.Errorf("Bitbucket username without @: %v", err)
	}
	if _, err := checkUsername(providers.GitHub, "oct ocat"); err == nil || !strings.Contains(err.Error(), "whitespace") {
		t.Errorf("username with a space: %v", err)
	}
	if u, err := checkUsername(providers.GitHub, " octocat\n"); err != nil || u != "octocat" {
		t.Errorf("Username trims: %q %v", u, err)
	}
}

func TestToken(t *testing.T) {
	t.Parallel()
	const tok = "ghp_CANARYtoken0123456789abcdefghijklmn"
	for _, in := range []string{tok, " " + tok, tok + "\n", "\t" + tok + "\r\n"} {
		if got, err := Token(in); err != nil || got != tok {
			t.Errorf("Token(%q) = %q, %v", in, got, err)
		}
	}
	bad := map[string]string{
		"":                           "empty",
		"   \n":                      "empty",
		tok[:10] + " " + tok[10:]:    "whitespace at character 11",
		tok[:5] + "\x00" + tok[5:]:   "control",
		tok[:5] + "\u200b" + tok[5:]: "invisible",
		strings.Repeat("a", 4097):    "over the 4096-byte limit",
		"abcd\xffefgh":               "not valid text",
		"ghp_123":                    "only 7 characters long",
	}
	for in, part := range bad {
		_, err := Token(in)
		if err == nil || !strings.Contains(err.Error(), part) {
			t.Errorf("Token(%q) error %v; want %q", in, err, part)
			continue
		}
		if len(in) > 8 && strings.Contains(err.Error(), strings.TrimSpace(in)[:8]) {
			t.Errorf("the error for %q repeats the token", in)
		}
	}
}

func TestCredentialsJoinsFieldErrors(t *testing.T) {
	t.Parallel()
	_, err := Credentials(providers.Credentials{Provider: providers.GitHub, Settings: config.Settings{Host: "http://x.example/", Org: "", Username: "u", Token: "t o k"}})
	if err == nil {
		t.Fatal("no error")
	}
	for _, part := range []string{"Git Host:", "GitHub Organisation Name:", "Personal Access Token:"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q lacks %q", err, part)
		}
	}
	c, err := Credentials(providers.Credentials{Provider: providers.GitHub, Settings: config.Settings{Host: "https://github.com", Org: "acme", Username: "u", Token: "token123\n", ProjectKey: "IGNORED"}})
	if err != nil || c.Host != "https://github.com/" || c.Token != "token123" || c.ProjectKey != "" {
		t.Fatalf("normalised %+v, %v", c, err)
	}
}

// FuzzValidators: no validator panics, and none echoes a rejected token or accepts inner whitespace.
func FuzzValidators(f *testing.F) {
	for _, s := range []string{"", "acme", "https://github.com/", "http://127.0.0.1:1/", "ghp_x y", "a/b/c", "\x00", "ΑΒΓ", "GITOPS", "x@y.z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, id := range providers.IDs {
			_, _ = checkHost(id, s)
			_, _ = checkOrg(id, s)
			_, _ = checkUsername(id, s)
			_, _ = checkProjectKey(id, s)
		}
		_, _ = checkAPIURL(s)
		_, _ = CABundle(s)
		_, _ = checkURLPrefix(s)
		tok, err := Token(s)
		if err == nil {
			if strings.ContainsAny(tok, " \t\r\n") || tok == "" || len(tok) > MaxTokenBytes || !utf8.ValidString(tok) {
				t.Fatalf("Token accepted %q", tok)
			}
		} else if len(strings.TrimSpace(s)) >= 12 && strings.Contains(err.Error(), strings.TrimSpace(s)) {
			t.Fatalf("Token error echoes the input: %v", err)
		}
	})
}

func TestFieldHelpKeepsAddressesWhole(t *testing.T) {
	t.Parallel()
	for _, p := range providers.All() {
		for _, f := range p.Fields {
			if f.CommandLineOnly {
				continue // no form shows it
			}
			help := FieldHelp(p, f, "")
			for _, line := range strings.Split(help, "\n") {
				if i := strings.Index(line, "://"); i > 0 {
					start := strings.LastIndex(line[:i], " ") + 1
					if start != 0 && !strings.HasPrefix(line, "(") {
						t.Errorf("%s %s: an address does not start its line: %q", p.ID, f.Key, line)
					}
				}
			}
		}
	}
}

func TestHelpFitKeepsTheEndAndCutsTheProse(t *testing.T) {
	t.Parallel()
	gh := providers.MustLookup(providers.GitHub)
	tok, _ := gh.Field(providers.FieldToken)
	what, where := fieldHelpParts(gh, tok, "")
	for _, lines := range []int{2, 4, 6, 10} {
		got := HelpFit{Width: 70, Lines: lines}.fit(what, where)
		if n := strings.Count(got, "\n") + 1; n > lines {
			t.Errorf("%d lines: got %d:\n%s", lines, n, got)
		}
		if !strings.Contains(got, "…") || !strings.HasSuffix(got, scopeList(gh)) {
			t.Errorf("%d lines: the cut is not marked or the scopes are lost:\n%s", lines, got)
		}
	}
	if got := (HelpFit{Width: 70, Lines: 0}).fit(what, where); got != what+where {
		t.Error("no bound must keep the whole help")
	}
}

// The Argo CD URL prefix is optional, an absolute https URL (http to loopback) kept as typed, and
// it must lie under the credential's Git host.
func TestURLPrefix(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want, errPart string }{
		{"", "", ""},
		{"  https://github.com/acme/team-a-  ", "https://github.com/acme/team-a-", ""},
		{"https://github.com/acme/", "https://github.com/acme/", ""},
		{"http://127.0.0.1:8080/acme/", "http://127.0.0.1:8080/acme/", ""},
		{"github.com/acme/", "", "not an absolute URL"},
		{"ssh://git@github.com/acme/", "", "not an absolute URL"},
		{"http://github.com/acme/", "", "refusing plain http"},
		{"https://u:p@github.com/acme/", "", "credentials"},
		{"https://github.com/acme/?x=1", "", "query"},
		{"https://github.com/acme/#x", "", "fragment"},
		{"https://github.com/acme/\u202e", "", "U+202E"},
	} {
		got, err := checkValue(providers.GitHub, providers.FieldURLPrefix, c.in)
		if c.errPart != "" {
			if err == nil || !strings.Contains(err.Error(), c.errPart) {
				t.Errorf("url_prefix %q: error %v, want it to mention %q", c.in, err, c.errPart)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("url_prefix %q = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	base := config.Settings{Org: "acme", Username: "u", Token: "token1234"}
	for _, c := range []struct {
		id           providers.ID
		host, prefix string
		ok           bool
	}{
		{providers.GitHub, "https://github.com", "https://github.com/acme/team-a-", true},
		{providers.GitHub, "https://github.com/", "HTTPS://GitHub.com/acme/", true},
		{providers.GitHub, "https://github.com/", "https://github.com/", true},
		{providers.GitHub, "https://github.com/", "https://gitlab.com/acme/", false},
		{providers.GitHub, "https://github.com/", "https://github.com.evil.example/acme/", false},
		{providers.GitHub, "https://ghe.example.com/", "https://ghe.example.com:8443/acme/", false},
		{providers.Azure, "https://dev.azure.com/acme", "https://dev.azure.com/acme/gitops/_git/infra-", true},
		{providers.Azure, "https://dev.azure.com/acme", "https://dev.azure.com/other/gitops/_git/", false},
	} {
		s := base
		s.Host, s.URLPrefix = c.host, c.prefix
		if c.id == providers.Azure {
			s.Org = "gitops"
		}
		got, err := Credentials(providers.Credentials{Provider: c.id, Settings: s})
		switch {
		case c.ok && (err != nil || got.URLPrefix != strings.TrimSpace(c.prefix)):
			t.Errorf("%s host %s, prefix %s: %+v, %v", c.id, c.host, c.prefix, got.Settings, err)
		case !c.ok && (err == nil || !strings.Contains(err.Error(), "Argo CD URL prefix: ") || !strings.Contains(err.Error(), "not under the Git host")):
			t.Errorf("%s host %s, prefix %s: error %v, want the prefix refused for not being under the host", c.id, c.host, c.prefix, err)
		}
	}
	// A host that is wrong itself is reported once, not again through the prefix.
	_, err := Credentials(providers.Credentials{Provider: providers.GitHub, Settings: config.Settings{Host: "github.com", Org: "acme", Username: "u", Token: "token1234", URLPrefix: "https://github.com/acme/"}})
	if err == nil || strings.Contains(err.Error(), "URL prefix") {
		t.Errorf("error %v", err)
	}
}

// A token's messages call it what its provider does: a Bitbucket API token is no "personal
// access token".
func TestTokenMessagesNameTheProvidersToken(t *testing.T) {
	t.Parallel()
	for id, want := range map[providers.ID]string{providers.Bitbucket: "paste the API token", providers.GitHub: "paste the personal access token"} {
		_, err := checkValue(id, providers.FieldToken, "  ")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", id, err, want)
		}
		_, err = checkValue(id, providers.FieldToken, "abc")
		if id == providers.Bitbucket && (err == nil || strings.Contains(err.Error(), "personal access token")) {
			t.Errorf("%s: a short token: %v", id, err)
		}
	}
}
