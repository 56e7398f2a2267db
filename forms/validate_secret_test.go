package forms

import (
	"strings"
	"testing"
	"testing/iotest"

	"gitopscfg/config"
	"gitopscfg/e2e/kit"
	"gitopscfg/providers"
)

// secretSamples are token-like values: prefixed tokens of each kind, and prefix-less ones (Azure
// DevOps, Gitea, a 20-character opaque word).
func secretSamples(t *testing.T) map[string]string {
	return map[string]string{
		"github classic":      kit.RandomCanary(t),
		"github fine-grained": "github_pat_11CANARY0000_" + strings.Repeat("q", 59),
		"gitlab":              "glpat-CANARYgitlab0000000",
		"gitlab runner":       "glrt-CANARYrunner000000000",
		"atlassian":           "ATATT3xFfGF0CANARYatlassian0000",
		"azure devops":        "V5IK5G2V6VRE3BC3TAXJ3GDFAYTQM6L5JNOIMSRX33NJWQER44Q26UFOTNK7KYSNQRNZQLU5TBSQAZDOMJYG",
		"gitea":               "7891365b842732398108696c6d57fbd216235fd6",
		"opaque word":         "Q9zX7wV5uT3sR1pN0mLk",
	}
}

// leaks reports whether msg shows secret, or a long word of it, in any case.
func leaks(msg, secret string) bool {
	low := strings.ToLower(msg)
	if strings.Contains(low, strings.ToLower(secret)) {
		return true
	}
	for _, w := range words(secret) {
		if len(w) >= 12 && strings.Contains(low, strings.ToLower(w)) {
			return true
		}
	}
	return false
}

func TestMaySecretRule(t *testing.T) {
	t.Parallel()
	for name, s := range secretSamples(t) {
		if !maySecret(s) {
			t.Errorf("%s %q: not taken for a possible secret", name, s)
		}
	}
	for _, s := range []string{
		"ghp_", "xx glpat-x", "https://h/?t=ATCTT1", // a prefix anywhere
		"https://git.example.com/" + strings.Repeat("k", 20), // a long word in a URL
		"u " + strings.Repeat("9", 20),                       // a long word after a space
	} {
		if !maySecret(s) {
			t.Errorf("%q: not taken for a possible secret", s)
		}
	}
	for _, s := range []string{
		"", "github.com", "https://github.example.com/api/v3", "jdoe@example.com", "octo cat",
		"etc/ssl/certs/corp-ca.pem", "acme-gitops", strings.Repeat("a", 19),
		"https://very-long-host-name.dept.example.com/a/b/c/d/e/f/g/h/i/j/k/l/m/n",
	} {
		if maySecret(s) {
			t.Errorf("%q: taken for a possible secret", s)
		}
	}
}

// Every error a field's value can get hides a value that may be a secret, wherever it sits in
// the value and whichever rule refuses it, and says that it is not shown.
func TestErrorsNeverShowAPossibleSecret(t *testing.T) {
	t.Parallel()
	for name, secret := range secretSamples(t) {
		upper := strings.ToUpper(secret)
		cases := []struct {
			what string
			run  func() error
		}{
			{"host without scheme", func() error { _, err := checkHost(providers.GitHub, secret); return err }},
			{"host with a query", func() error { _, err := checkHost(providers.GitHub, "https://github.com/?t="+secret); return err }},
			{"host over plain http", func() error { _, err := checkHost(providers.GitHub, "http://"+secret+".example.com/"); return err }},
			{"host with another scheme", func() error { _, err := checkHost(providers.GitHub, "ftp://"+secret+".example.com/"); return err }},
			{"api url", func() error { _, err := checkAPIURL(secret); return err }},
			{"api url over plain http", func() error { _, err := checkAPIURL("http://" + secret + ".example.com/api"); return err }},
			{"username with whitespace", func() error { _, err := checkUsername(providers.GitHub, "octocat "+secret); return err }},
			{"bitbucket username", func() error { _, err := checkUsername(providers.Bitbucket, secret); return err }},
			{"bitbucket workspace", func() error { _, err := checkOrg(providers.Bitbucket, upper); return err }},
			{"bitbucket project key", func() error { _, err := checkProjectKey(providers.Bitbucket, strings.ToLower(secret)); return err }},
			{"ca bundle", func() error { _, err := CABundle(secret); return err }},
		}
		for _, c := range cases {
			err := c.run()
			if err == nil {
				t.Errorf("%s in %s: accepted", name, c.what)
				continue
			}
			if leaks(err.Error(), secret) {
				t.Errorf("%s in %s: the error shows it: %v", name, c.what, err)
			}
			if !strings.Contains(err.Error(), "not shown") && !strings.Contains(err.Error(), "…") {
				t.Errorf("%s in %s: the error does not say the value is not shown: %v", name, c.what, err)
			}
		}
	}
}

func TestErrorsStillQuoteOrdinaryValues(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		run  func() error
		want string
	}{
		{func() error { _, err := checkHost(providers.GitHub, "github.example.com"); return err },
			`"github.example.com" is not an absolute URL: write it with its scheme, e.g. https://github.example.com`},
		{func() error { _, err := checkHost(providers.GitHub, "https://github.com/?x=1"); return err },
			`the Git host "https://github.com/?x=1" must not have a query`},
		{func() error { _, err := checkAPIURL("api.example.com/v3"); return err },
			`the API URL "api.example.com/v3" is not an absolute URL`},
		{func() error { _, err := checkUsername(providers.GitHub, "octo cat"); return err },
			`the username "octo cat" contains whitespace`},
		{func() error { _, err := CABundle("certs/corp-ca.pem"); return err },
			`the CA bundle path "certs/corp-ca.pem" must be absolute`},
		{func() error { _, err := checkOrg(providers.Bitbucket, "Acme"); return err },
			`"Acme" has upper-case letters: Bitbucket workspace IDs are lower case — use "acme"`},
	} {
		if err := c.run(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v; want it to contain %s", err, c.want)
		}
	}
}

// A long ordinary value is cut in an error.
func TestErrorsCutLongValues(t *testing.T) {
	t.Parallel()
	long := "git." + strings.Repeat("example.", 30) + "com"
	_, err := checkHost(providers.GitHub, long)
	if err == nil || strings.Contains(err.Error(), long) || !strings.Contains(err.Error(), `…"`) {
		t.Fatalf("error %v: want the value cut", err)
	}
	if n := len([]rune(err.Error())); n > 2*maxShown+120 {
		t.Errorf("error of %d characters: %v", n, err)
	}
}

// A token typed into any other field is refused (never saved there, never sent to a server as a
// host, name or path, never shown by a check), and the error does not show it.
func TestTokenInAnotherFieldIsRefused(t *testing.T) {
	t.Parallel()
	secret := kit.RandomCanary(t)
	for _, p := range providers.All() {
		for _, f := range p.Fields {
			if f.Secret {
				continue
			}
			for _, v := range []string{secret, "https://" + secret + ".example.com/", "/etc/ssl/" + secret} {
				_, err := checkValue(p.ID, f.Key, v)
				if err == nil || !strings.Contains(err.Error(), "looks like a token (not shown)") || leaks(err.Error(), secret) {
					t.Errorf("%s %s = %q: %v", p.ID, f.Key, v, err)
				}
			}
		}
	}
	c := providers.Credentials{Provider: providers.GitHub, Settings: config.Settings{Host: "https://github.com/", Org: "acme", Username: secret, Token: "octocat1"}}
	if _, err := Credentials(c); err == nil || !strings.Contains(err.Error(), "Username: this looks like a token") || leaks(err.Error(), secret) {
		t.Fatalf("Credentials: %v", err)
	}
	// A token of another kind, or a word that merely starts like one, is no token.
	for _, v := range []string{"ghp_short", "octocat"} {
		if _, err := checkValue(providers.GitHub, providers.FieldUsername, v); err != nil {
			t.Errorf("username %q: %v", v, err)
		}
	}
}

// From a pipe, the accessible form's token prompt reads exactly one line, like every other
// prompt, and no prompt re-prompts (the next line is the next question's answer); nothing shows
// the token.
func TestPipedAccessibleFormReadsOneLinePerQuestion(t *testing.T) {
	t.Parallel()
	secret := kit.RandomCanary(t)
	gh := providers.MustLookup(providers.GitHub)
	for _, c := range []struct {
		name    string
		draft   providers.Credentials
		answers []string
		want    providers.Credentials
		prompt  string
	}{
		{"new token", providers.Credentials{Settings: config.Settings{Host: "https://github.com/"}},
			[]string{"", "acme", "octocat", secret, "", "", ""},
			providers.Credentials{Settings: config.Settings{Host: "https://github.com/", Org: "acme", Username: "octocat", Token: secret}}, "Personal Access Token"},
		{"the token kept", providers.Credentials{Settings: config.Settings{Host: "https://github.com/", Org: "acme", Username: "octocat", Token: "ghp_keptToken0000000000000000000000a1b2"}},
			[]string{"", "", "", "", "", "", ""},
			providers.Credentials{Settings: config.Settings{Host: "https://github.com/", Org: "acme", Username: "octocat", Token: "ghp_keptToken0000000000000000000000a1b2"}},
			"Personal Access Token [Enter keeps ghp_…a1b2]"},
		{"invalid answers do not re-prompt", providers.Credentials{},
			[]string{"github.com", "acme", "octo cat", "short", secret, "relative.pem", ""},
			providers.Credentials{Settings: config.Settings{Host: "github.com", Org: "acme", Username: "octo cat", Token: "short", APIURL: secret, CABundle: "relative.pem"}},
			"Personal Access Token"},
		{"an over-long token takes one line", providers.Credentials{},
			[]string{"https://github.com/", "acme", "octocat", "ghp_" + strings.Repeat("x", MaxTokenBytes+10), "", "", ""},
			providers.Credentials{Settings: config.Settings{Host: "https://github.com/", Org: "acme", Username: "octocat", Token: "ghp_" + strings.Repeat("x", MaxTokenBytes+10)}},
			"Personal Access Token"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var out strings.Builder
			d := c.draft
			in := strings.Join(append(c.answers, "the next question's answer"), "\n") + "\n"
			rest := strings.NewReader(in)
			f := New(gh, &d, Accessible(), Piped()).WithInput(iotest.OneByteReader(rest)).WithOutput(&out)
			if err := f.Run(); err != nil {
				t.Fatal(err)
			}
			c.want.Provider = providers.GitHub
			if d != c.want {
				t.Errorf("draft %+v\nwant  %+v", d, c.want)
			}
			if rest.Len() != len("the next question's answer\n") {
				t.Errorf("%d bytes left unread, want only the next question's line", rest.Len())
			}
			if !strings.Contains(out.String(), c.prompt) {
				t.Errorf("no prompt %q:\n%s", c.prompt, out.String())
			}
			if leaks(out.String(), secret) {
				t.Errorf("the output shows the token:\n%s", out.String())
			}
		})
	}
}
