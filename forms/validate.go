// Package forms owns what an admin types: the huh forms of each provider, their help texts, and the
// pure validators every input goes through, shared by the command line and the terminal UI.
package forms

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"gitopscfg/providers"
)

// MaxTokenBytes bounds a token; real tokens are well under this.
const MaxTokenBytes = 4096

// minTokenBytes is the shortest token accepted; real tokens are 20 characters and more.
const minTokenBytes = 8

// checkValue checks and normalises raw as field k of provider id: the rules every field of k's kind
// follows, then the provider's own rule for the field (providers.Field.Check).
func checkValue(id providers.ID, k providers.FieldKey, raw string) (string, error) {
	switch k {
	case providers.FieldProxyPassword, providers.FieldClientKey:
		s, _, err := checkNetValue(k, raw) // secrets: no token-shape rule
		return s, err
	}
	if k != providers.FieldToken && k != providers.FieldSSHKey && tokenShaped(raw) {
		return "", looksLikeToken(id, k)
	}
	var s string
	var err error
	switch k {
	case providers.FieldHost:
		return checkHost(id, raw)
	case providers.FieldOrg:
		return checkOrg(id, raw)
	case providers.FieldProjectKey:
		return checkProjectKey(id, raw)
	case providers.FieldUsername:
		return checkUsername(id, raw)
	case providers.FieldToken:
		if f, _ := providers.MustLookup(id).Field(k); f.Optional && strings.TrimSpace(raw) == "" {
			return "", nil
		}
		s, err = TokenOf(cmp.Or(providers.MustLookup(id).TokenNoun, GenericTokenNoun), raw)
	default:
		rule, ok := valueRules[k]
		if !ok {
			return "", fmt.Errorf("unknown field %q", k)
		}
		s, err = rule(raw)
	}
	if err != nil {
		return "", err
	}
	return own(id, k, s)
}

// valueRules are the rules of the settings whose rule is the same for every provider.
var valueRules = map[providers.FieldKey]func(raw string) (string, error){
	providers.FieldURL: func(raw string) (string, error) {
		s := strings.TrimSpace(raw)
		err := plainText(s, "the repository URL")
		if err == nil && s == "" {
			err = errors.New("the repository URL is empty: enter it as you would clone it, e.g. https://git.example.com/acme/gitops.git")
		}
		return s, err
	},
	providers.FieldSSHKey:     SSHKey,
	providers.FieldSSHURL:     checkSSHURL,
	providers.FieldSSHHostKey: checkHostKeyLine,
	// made by gitopscfg (RegisterSSHKey), never typed
	providers.FieldSSHKeyRef: func(raw string) (string, error) { return strings.TrimSpace(raw), nil },
	providers.FieldAPIURL:    checkAPIURL,
	providers.FieldCABundle:  CABundle,
	providers.FieldURLPrefix: checkURLPrefix,
	providers.FieldAppID:     func(raw string) (string, error) { return checkNumericID("the GitHub App ID", raw, false) },
	providers.FieldInstallationID: func(raw string) (string, error) {
		return checkNumericID("the installation ID", raw, true)
	},
	providers.FieldProxy:         netRule(providers.FieldProxy),
	providers.FieldProxyUsername: netRule(providers.FieldProxyUsername),
	providers.FieldNoProxy:       netRule(providers.FieldNoProxy),
	providers.FieldClientCert:    netRule(providers.FieldClientCert),
	providers.FieldTenantID:      checkTenantID,
	providers.FieldClientID: func(raw string) (string, error) {
		return checkGUID("the client ID", "the Application (client) ID on the app registration's Overview page", raw)
	},
	providers.FieldAuthorityURL: checkAuthorityURL,
	providers.FieldRepo: func(raw string) (string, error) {
		s := strings.TrimSpace(raw)
		return s, plainText(s, "the repository")
	},

	providers.FieldClientCertPath: netRule(providers.FieldClientCertPath),
	providers.FieldClientKeyPath:  netRule(providers.FieldClientKeyPath),
}

// netRule is the rule of the network setting k.
func netRule(k providers.FieldKey) func(string) (string, error) {
	return func(raw string) (string, error) {
		s, _, err := checkNetValue(k, raw)
		return s, err
	}
}

// checkHost checks a Git host: an absolute http(s) URL, plain http only for loopback addresses, no
// credentials, query or fragment in it. It returns the host normalised with a trailing slash.
func checkHost(id providers.ID, raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if err := plainText(s, "the Git host"); err != nil {
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
		if maySecret(s) {
			return "", fmt.Errorf("the Git host %s is not an absolute URL: write it with its scheme, e.g. %s", notShown, hostExample(id))
		}
		return "", fmt.Errorf("%s is not an absolute URL: write it with its scheme, e.g. https://%s", shown(s), cut(strings.TrimPrefix(strings.TrimPrefix(s, "//"), "/")))
	}
	if u.User != nil {
		return "", errors.New("the Git host must not contain a username or password: enter them in their own fields")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("the Git host %s must not have a query (?…) or fragment (#…)", shown(s))
	}
	if err := providers.RequireSafeURL(u.String()); err != nil {
		return "", conceal(err, s, u.String())
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return own(id, providers.FieldHost, u.String())
}

// own applies provider id's own rule for field k (Field.Check) to a value that passed the rules
// of k's kind.
func own(id providers.ID, k providers.FieldKey, s string) (string, error) {
	f, _ := providers.MustLookup(id).Field(k)
	if f.Check == nil || s == "" {
		return s, nil
	}
	out, err := f.Check(s)
	if err != nil {
		return "", conceal(err, s)
	}
	return out, nil
}

// checkAPIURL checks the optional API URL override; empty is allowed.
func checkAPIURL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if err := plainText(s, "the API URL"); err != nil {
		return "", err
	}
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("the API URL %s is not an absolute URL: write it as https://host/path, or leave it empty", shown(s))
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", errors.New("the API URL must not contain credentials, a query or a fragment")
	}
	if err := providers.RequireSafeURL(s); err != nil {
		return "", conceal(err, s)
	}
	return strings.TrimRight(s, "/"), nil
}

// checkURLPrefix checks the optional Argo CD URL prefix on its own: an absolute http(s) URL with a
// path, without credentials, query or fragment, over https (plain http to loopback only), kept as
// typed (Argo CD matches prefixes as strings: https://github.com/acme/team- is one). That it lies
// under the credential's host is checked with the host (underHost).
func checkURLPrefix(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if err := plainText(s, "the Argo CD URL prefix"); err != nil {
		return "", err
	}
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("the Argo CD URL prefix %s is not an absolute URL: write it as https://host/organisation/, or leave it empty", shown(s))
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "#") {
		return "", errors.New("the Argo CD URL prefix must not contain credentials, a query or a fragment")
	}
	if err := providers.RequireSafeURL(s); err != nil {
		return "", conceal(err, s)
	}
	return s, nil
}

// underHost checks that the URL prefix lies under the Git host (both valid and normalised): a
// credential claims repositories of its own server only, never another's.
func underHost(prefix, host string) error {
	if prefix == "" || strings.HasPrefix(strings.ToLower(prefix), strings.ToLower(host)) {
		return nil
	}
	return fmt.Errorf("the Argo CD URL prefix %s is not under the Git host %s: it must start with it, e.g. %sacme/", shown(prefix), shown(host), host)
}

// checkOrg checks the organisation / group / project / workspace field of provider id.
func checkOrg(id providers.ID, raw string) (string, error) {
	s := strings.TrimSpace(raw)
	p := providers.MustLookup(id)
	f, _ := p.Field(providers.FieldOrg)
	label := f.Label
	if err := plainText(s, "the "+p.OrgNoun); err != nil {
		return "", err
	}
	if s == "" {
		return "", fmt.Errorf("%s is empty: enter the %s that holds the GitOps repositories", label, p.OrgNoun)
	}
	return own(id, providers.FieldOrg, s)
}

// checkProjectKey checks the optional project key of provider id; empty means "the provider's default
// project" (Bitbucket: the workspace's oldest).
func checkProjectKey(id providers.ID, raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if err := plainText(s, "the project key"); err != nil {
		return "", err
	}
	return own(id, providers.FieldProjectKey, s)
}

// checkUsername checks the username, then provider id's own rule for it (Bitbucket wants the Atlassian
// account e-mail for API tokens).
func checkUsername(id providers.ID, raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if err := plainText(s, "the username"); err != nil {
		return "", err
	}
	if s == "" {
		if f, _ := providers.MustLookup(id).Field(providers.FieldUsername); f.Empty != "" {
			return "", errors.New(f.Empty)
		}
		return "", errors.New("the username is empty: enter your username (any non-empty value for Azure DevOps)")
	}
	if len(s) > 256 {
		return "", errors.New("the username is longer than 256 characters")
	}
	if strings.ContainsFunc(s, unicode.IsSpace) {
		return "", fmt.Errorf("the username %s contains whitespace: usernames have none", shown(s))
	}
	return own(id, providers.FieldUsername, s)
}

// Token trims surrounding whitespace (a paste often brings a newline) and rejects what cannot be a
// token, calling it a personal access token (see TokenOf). Its errors never contain the token.
func Token(raw string) (string, error) { return TokenOf(GenericTokenNoun, raw) }

// GenericTokenNoun is what Token calls a token whose provider it does not know.
const GenericTokenNoun = "personal access token"

// TokenOf is Token for a token that its provider calls noun ("API token"), as its messages say.
func TokenOf(noun, raw string) (string, error) {
	s := strings.TrimSpace(raw)
	switch {
	case s == "":
		return "", fmt.Errorf("the token is empty: paste the %s", noun)
	case len(s) < minTokenBytes:
		return "", fmt.Errorf("the token is only %d characters long; %ss are much longer: paste the whole token", len(s), noun)
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
	return FilePath(raw, "the CA bundle path", "/etc/ssl/certs/corp-ca.pem")
}

// FilePath checks an optional path of a file that stays where it is (noun names it, example is
// one): it must be absolute; the file itself is read by whatever uses it.
func FilePath(raw, noun, example string) (string, error) {
	s := strings.TrimSpace(raw)
	if err := plainText(s, noun); err != nil {
		return "", err
	}
	if s == "" {
		return "", nil
	}
	if !strings.HasPrefix(s, "/") {
		return "", fmt.Errorf("%s %s must be absolute, e.g. %s", noun, shown(s), example)
	}
	return s, nil
}

// Values in errors.
//
// An error about a field may be shown anywhere: under the input, after "Not saved:", on standard
// error, in a script's log. Its value may be a token that landed in the wrong field (piped answers
// one line off, a paste into the wrong input), so an error quotes a value only when it cannot be a
// secret, and otherwise says notShown instead. maySecret is that rule: a value may be a secret when
//
//   - it contains a well-known token prefix anywhere (tokenPrefixes: every provider's
//     TokenPrefixes and the other credential prefixes of GitHub, GitLab and Atlassian), or
//   - one of its words is minOpaqueWord characters or longer, a word being what lies between
//     whitespace and the characters that structure addresses and paths (wordBreak: . / : @ ? # &
//     = , ;). Tokens are long unbroken runs of letters, digits, '_' and '-' (Gitea 40 characters,
//     GitHub 40 and more, Azure DevOps 52 or 84, Atlassian 20 and more), while host names, paths,
//     e-mail addresses, organisation and user names are broken into shorter words by those
//     characters; a long one is hidden too, which costs only the echo of what was typed.
//
// A secret shorter than that and without a known prefix cannot be told from ordinary text; none
// of the supported providers issues one. A value that is shown is cut to maxShown characters.
// Errors from elsewhere (a provider's own field rule, the URL safety rule) go through conceal.
//
// Beyond hiding, a value of another field that is token-shaped (tokenShaped: a word that starts
// with a well-known prefix and is minOpaqueWord characters or longer) is refused outright, so a
// misplaced token is never saved as, say, a username, nor sent to a server or shown by a check.

// hostExample is an example Git host of provider id for an error that cannot repeat the value.
func hostExample(id providers.ID) string {
	p := providers.MustLookup(id)
	if p.DefaultHost != "" {
		return p.DefaultHost
	}
	if f, ok := p.Field(providers.FieldHost); ok && f.Placeholder != "" {
		return f.Placeholder
	}
	return "https://git.example.com/"
}
