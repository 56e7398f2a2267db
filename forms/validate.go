// Package forms owns what an admin types: the huh forms of each provider, their help texts, and the
// pure validators every input goes through, shared by the command line and the terminal UI.
package forms

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"gitopscfg/providers"
)

// MaxTokenBytes bounds a token; real tokens are well under this.
const MaxTokenBytes = 4096

// MinTokenBytes is the shortest token accepted; real tokens are 20 characters and more.
const MinTokenBytes = 8

// Host checks a Git host: an absolute http(s) URL, plain http only for loopback addresses, no
// credentials, query or fragment in it. It returns the host normalised with a trailing slash.
func Host(id providers.ID, raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if err := PlainText(s, "the Git host"); err != nil {
		return "", err
	}
	if s == "" {
		p := providers.MustLookup(id)
		example := p.DefaultHost
		if f, ok := p.Field(providers.FieldHost); ok && example == "" {
			example = f.Placeholder // self-hosted only (Gitea): no public default
		}
		return "", errors.New("the Git host is empty: enter its address, e.g. " + example)
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("%q is not an absolute URL: write it with its scheme, e.g. https://%s", s, strings.TrimPrefix(strings.TrimPrefix(s, "//"), "/"))
	}
	if u.User != nil {
		return "", errors.New("the Git host must not contain a username or password: enter them in their own fields")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("the Git host %q must not have a query (?…) or fragment (#…)", s)
	}
	if err := providers.RequireSafeURL(u.String()); err != nil {
		return "", err
	}
	if id == providers.Azure && strings.EqualFold(u.Hostname(), "dev.azure.com") && strings.Trim(u.Path, "/") == "" {
		return "", errors.New("the Azure DevOps organisation URL needs the organisation: https://dev.azure.com/<organisation>")
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u.String(), nil
}

// APIURL checks the optional API URL override; empty is allowed.
func APIURL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if err := PlainText(s, "the API URL"); err != nil {
		return "", err
	}
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("the API URL %q is not an absolute URL: write it as https://host/path, or leave it empty", s)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", errors.New("the API URL must not contain credentials, a query or a fragment")
	}
	if err := providers.RequireSafeURL(s); err != nil {
		return "", err
	}
	return strings.TrimRight(s, "/"), nil
}

var (
	// Lengths are checked apart from these patterns: a counted repetition compiles into a large
	// program, paid for at every start of the binary.
	githubOrgRe   = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9])*$`)
	gitlabPathRe  = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$`)
	gitlabIDRe    = regexp.MustCompile(`^[1-9][0-9]*$`)
	workspaceRe   = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	giteaNameRe   = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9]|[-_.][A-Za-z0-9])*$`)
	projectKeyRe  = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	azureBadChars = `\/:*?"<>;#$%{}|+=[]@'` + "`,"
)

// Org checks the organisation / group / project / workspace field of provider id.
func Org(id providers.ID, raw string) (string, error) {
	s := strings.TrimSpace(raw)
	p := providers.MustLookup(id)
	label := p.Fields[1].Label
	if err := PlainText(s, "the "+p.OrgNoun); err != nil {
		return "", err
	}
	if s == "" {
		return "", fmt.Errorf("%s is empty: enter the %s that holds the GitOps repositories", label, p.OrgNoun)
	}
	switch id {
	case providers.GitHub:
		if len(s) > 39 || !githubOrgRe.MatchString(s) {
			return "", fmt.Errorf("%q is not a GitHub organisation name: use the name from https://github.com/<name> — letters, digits and single hyphens, at most 39 characters, not starting or ending with a hyphen", s)
		}
	case providers.GitLab:
		s = strings.Trim(s, "/")
		if len(s) <= 19 && gitlabIDRe.MatchString(s) {
			return s, nil
		}
		if strings.HasPrefix(s, "0") && strings.Trim(s, "0123456789") == "" {
			return "", fmt.Errorf("%q is not a GitLab group ID: numeric IDs do not start with 0", s)
		}
		if !gitlabPathRe.MatchString(s) || strings.Contains(s, "..") || strings.HasSuffix(s, ".git") || strings.HasSuffix(s, ".atom") {
			return "", fmt.Errorf("%q is not a GitLab group: enter its numeric ID (e.g. 81234567) or its full path as in its URL (e.g. acme/gitops); path parts use letters, digits, _, - and dots", s)
		}
	case providers.Azure:
		if len(s) > 64 {
			return "", fmt.Errorf("the Azure DevOps project name is %d characters long; at most 64 are allowed", len(s))
		}
		if i := strings.IndexAny(s, azureBadChars); i >= 0 {
			return "", fmt.Errorf("the Azure DevOps project name must not contain %q: enter the name as shown at https://dev.azure.com/<organisation>/<project>", s[i:i+1])
		}
		if strings.HasPrefix(s, "_") || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") {
			return "", errors.New("an Azure DevOps project name cannot start with an underscore or a dot, nor end with a dot")
		}
	case providers.Gitea:
		if len(s) > 40 || !giteaNameRe.MatchString(s) {
			return "", fmt.Errorf("%q is not a Gitea organisation name: use the name from <host>/<organisation> — letters, digits, and single -, _ or . between them, at most 40 characters", s)
		}
	case providers.Bitbucket:
		if strings.ToLower(s) != s && len(s) <= 62 && workspaceRe.MatchString(strings.ToLower(s)) {
			return "", fmt.Errorf("%q has upper-case letters: Bitbucket workspace IDs are lower case — use %q", s, strings.ToLower(s))
		}
		if len(s) > 62 || !workspaceRe.MatchString(s) {
			return "", fmt.Errorf("%q is not a Bitbucket workspace ID: use the ID from https://bitbucket.org/<workspace-id>/ — lower-case letters, digits, - and _", s)
		}
	}
	return s, nil
}

// ProjectKey checks the optional Bitbucket project key; empty means "the workspace's oldest project".
func ProjectKey(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if err := PlainText(s, "the project key"); err != nil {
		return "", err
	}
	if s == "" {
		return "", nil
	}
	if strings.ToUpper(s) != s && projectKeyRe.MatchString(strings.ToUpper(s)) {
		return "", fmt.Errorf("%q has lower-case letters: Bitbucket project keys are upper case — use %q", s, strings.ToUpper(s))
	}
	if !projectKeyRe.MatchString(s) || len(s) > 128 {
		return "", fmt.Errorf("%q is not a Bitbucket project key: upper-case letters, digits and _, starting with a letter (e.g. GITOPS); find it in the project's settings", s)
	}
	return s, nil
}

// Username checks the username; Bitbucket wants the Atlassian account e-mail for API tokens.
func Username(id providers.ID, raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if err := PlainText(s, "the username"); err != nil {
		return "", err
	}
	if s == "" {
		if id == providers.Bitbucket {
			return "", errors.New("the username is empty: enter the e-mail address of your Atlassian account")
		}
		return "", errors.New("the username is empty: enter your username (any non-empty value for Azure DevOps)")
	}
	if len(s) > 256 {
		return "", errors.New("the username is longer than 256 characters")
	}
	if strings.ContainsFunc(s, unicode.IsSpace) {
		return "", fmt.Errorf("the username %q contains whitespace: usernames have none", s)
	}
	if id == providers.Bitbucket && !strings.Contains(s, "@") {
		return "", fmt.Errorf("%q is not an e-mail address: Bitbucket API tokens authenticate with the e-mail address of your Atlassian account (app passwords with a username no longer work)", s)
	}
	return s, nil
}

// Token trims surrounding whitespace (a paste often brings a newline) and rejects what cannot be a
// token. Its errors never contain the token.
func Token(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	switch {
	case s == "":
		return "", errors.New("the token is empty: paste the personal access token")
	case len(s) < MinTokenBytes:
		return "", fmt.Errorf("the token is only %d characters long; personal access tokens are much longer: paste the whole token", len(s))
	case len(s) > MaxTokenBytes:
		return "", fmt.Errorf("the token is %d bytes long, over the %d-byte limit: paste only the token", len(s), MaxTokenBytes)
	case !utf8.ValidString(s):
		return "", errors.New("the token is not valid text: paste it again from the provider's page")
	}
	for i, r := range s {
		switch {
		case unicode.IsSpace(r):
			return "", fmt.Errorf("the token contains whitespace at character %d: paste it again without spaces or line breaks", utf8.RuneCountInString(s[:i])+1)
		case unicode.IsControl(r) || r == utf8.RuneError || !unicode.IsPrint(r):
			return "", fmt.Errorf("the token contains a control or invisible character at character %d: paste it again from the provider's page", utf8.RuneCountInString(s[:i])+1)
		}
	}
	return s, nil
}

// CABundle checks the optional CA bundle path (it must be an absolute path; the file itself is read
// by the check, which reports a missing or unreadable bundle).
func CABundle(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if err := PlainText(s, "the CA bundle path"); err != nil {
		return "", err
	}
	if s == "" {
		return "", nil
	}
	if !strings.HasPrefix(s, "/") {
		return "", fmt.Errorf("the CA bundle path %q must be absolute, e.g. /etc/ssl/certs/corp-ca.pem", s)
	}
	return s, nil
}

// PlainText refuses text that would not display as what it is: control characters (ESC, C1,
// tabs, line breaks…), bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069, the
// direction marks), zero-width and other invisible format characters (U+200B–U+200D, U+2060,
// U+FEFF, …, all of Unicode category Cf), unassigned or private-use code points, and invalid
// UTF-8. The error names the character by its code point and its position, and never repeats the
// text itself, so it is safe to show on any terminal.
func PlainText(s, what string) error {
	pos := 0
	for i, r := range s {
		pos++
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return fmt.Errorf("%s is not valid UTF-8 text (byte 0x%02X at character %d): type it again", what, s[i], pos)
			}
		}
		if name, bad := hiddenRune(r); bad {
			return fmt.Errorf("%s contains U+%04X (%s) at character %d, which would make it display differently from what is stored: type it again without it", what, r, name, pos)
		}
	}
	return nil
}

// hiddenRune reports whether r is a character PlainText refuses, with a name for the message.
func hiddenRune(r rune) (string, bool) {
	if name, ok := runeNames[r]; ok {
		return name, true
	}
	switch {
	case r < 0x20 || r == 0x7F:
		return "a control character", true
	case r >= 0x80 && r <= 0x9F:
		return "a C1 control character", true
	case unicode.Is(unicode.Cf, r):
		return "an invisible format character", true
	case unicode.Is(unicode.Co, r):
		return "a private-use character", true
	case unicode.IsSpace(r) && r != ' ':
		return "a space character other than the plain space", true
	case !unicode.IsPrint(r) && r != ' ':
		return "a character that cannot be displayed", true
	}
	return "", false
}

var runeNames = map[rune]string{
	0x00: "NUL", 0x07: "BEL", 0x08: "BACKSPACE", 0x09: "TAB", 0x0A: "LINE FEED", 0x0D: "CARRIAGE RETURN",
	0x1B: "ESC", 0x7F: "DELETE", 0x9B: "CSI", 0x9D: "OSC",
	0x061C: "ARABIC LETTER MARK", 0x200B: "ZERO WIDTH SPACE", 0x200C: "ZERO WIDTH NON-JOINER",
	0x200D: "ZERO WIDTH JOINER", 0x200E: "LEFT-TO-RIGHT MARK", 0x200F: "RIGHT-TO-LEFT MARK",
	0x2028: "LINE SEPARATOR", 0x2029: "PARAGRAPH SEPARATOR",
	0x202A: "LEFT-TO-RIGHT EMBEDDING", 0x202B: "RIGHT-TO-LEFT EMBEDDING", 0x202C: "POP DIRECTIONAL FORMATTING",
	0x202D: "LEFT-TO-RIGHT OVERRIDE", 0x202E: "RIGHT-TO-LEFT OVERRIDE", 0x2060: "WORD JOINER",
	0x2066: "LEFT-TO-RIGHT ISOLATE", 0x2067: "RIGHT-TO-LEFT ISOLATE", 0x2068: "FIRST STRONG ISOLATE",
	0x2069: "POP DIRECTIONAL ISOLATE", 0xFEFF: "ZERO WIDTH NO-BREAK SPACE", 0x180E: "MONGOLIAN VOWEL SEPARATOR",
	0x00AD: "SOFT HYPHEN", 0x115F: "HANGUL CHOSEONG FILLER", 0x3164: "HANGUL FILLER",
}
