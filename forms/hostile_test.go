package forms

import (
	"fmt"
	"strings"
	"testing"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// hostileRunes are characters that make text display differently from what it is.
var hostileRunes = []rune{0x202E, 0x202D, 0x2066, 0x2067, 0x2069, 0x200F, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x1B, 0x07, 0x9B, 0x00, 0x0D, 0x00AD}

// TestHiddenCharactersRefused: every free-text field refuses bidi overrides, zero-width characters
// and control characters with a message naming the code point and its position, and the message
// never carries the character itself.
func TestHiddenCharactersRefused(t *testing.T) {
	t.Parallel()
	fields := []struct {
		name  string
		clean string
		at    int // where the character goes (0-based rune index); its position in the message is at+1
		check func(string) (string, error)
	}{
		{"github username", "octocat", 3, func(s string) (string, error) { return checkUsername(providers.GitHub, s) }},
		{"bitbucket username", "jdoe@example.com", 4, func(s string) (string, error) { return checkUsername(providers.Bitbucket, s) }},
		{"github host", "https://ghe.example.com/", 12, func(s string) (string, error) { return checkHost(providers.GitHub, s) }},
		{"gitlab host", "https://gitlab.example.com/", 9, func(s string) (string, error) { return checkHost(providers.GitLab, s) }},
		{"github org", "acme", 2, func(s string) (string, error) { return checkOrg(providers.GitHub, s) }},
		{"gitlab group", "acme/gitops", 5, func(s string) (string, error) { return checkOrg(providers.GitLab, s) }},
		{"azure project", "GitOps Project", 6, func(s string) (string, error) { return checkOrg(providers.Azure, s) }},
		{"bitbucket workspace", "acme", 1, func(s string) (string, error) { return checkOrg(providers.Bitbucket, s) }},
		{"project key", "GITOPS", 3, func(s string) (string, error) { return checkProjectKey(providers.Bitbucket, s) }},
		{"api url", "https://api.example.com/v3", 10, checkAPIURL},
		{"ca bundle", "/etc/ssl/certs/corp-ca.pem", 8, CABundle},
	}
	n := 0
	for _, f := range fields {
		if _, err := f.check(f.clean); err != nil {
			t.Fatalf("%s: the clean value %q is refused: %v", f.name, f.clean, err)
		}
		for _, r := range hostileRunes {
			rs := []rune(f.clean)
			in := string(rs[:f.at]) + string(r) + string(rs[f.at:])
			_, err := f.check(in)
			n++
			if err == nil {
				t.Errorf("%s with U+%04X: accepted", f.name, r)
				continue
			}
			msg := err.Error()
			if want := fmt.Sprintf("U+%04X", r); !strings.Contains(msg, want) {
				t.Errorf("%s with U+%04X: message %q does not name %s", f.name, r, msg, want)
			}
			if want := fmt.Sprintf("at character %d", f.at+1); !strings.Contains(msg, want) {
				t.Errorf("%s with U+%04X: message %q does not say %q", f.name, r, msg, want)
			}
			if strings.ContainsRune(msg, r) || strings.ContainsFunc(msg, func(c rune) bool { _, bad := hiddenRune(c); return bad }) {
				t.Errorf("%s with U+%04X: message %q echoes a hidden character", f.name, r, msg)
			}
		}
	}
	t.Logf("%d hostile values refused", n)
}

// TestHiddenCharactersInCredentials: Credentials (the path of `set` and of both UIs) refuses them too.
func TestHiddenCharactersInCredentials(t *testing.T) {
	t.Parallel()
	c := providers.Credentials{Provider: providers.GitHub, Settings: config.Settings{Host: "https://github.com/", Org: "acme", Username: "oct\u202eocat", Token: "ghp_0123456789abcdefghij"}}
	_, err := Credentials(c)
	if err == nil || !strings.Contains(err.Error(), "U+202E (RIGHT-TO-LEFT OVERRIDE) at character 4") {
		t.Fatalf("Credentials: %v", err)
	}
}

func TestPlainTextInvalidUTF8(t *testing.T) {
	t.Parallel()
	err := plainText("ab\xffc", "the username")
	if err == nil || !strings.Contains(err.Error(), "0xFF at character 3") {
		t.Fatalf("PlainText: %v", err)
	}
	if err := plainText("Grüße 東京 ok", "x"); err != nil {
		t.Fatalf("ordinary text refused: %v", err)
	}
}
