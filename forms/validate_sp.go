package forms

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"gitopscfg/providers"
)

// A Microsoft Entra ID service principal's fields: its tenant (a GUID, or a verified domain such
// as contoso.onmicrosoft.com), its application (client) ID (a GUID) and the authority URL, the
// Entra host its tokens come from, without the tenant (Argo CD's azureActiveDirectoryEndpoint).

var (
	guidRe   = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)
	domainRe = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$`)
)

// checkGUID checks a required GUID, lower-cased; where says where the admin finds it.
func checkGUID(what, where, raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if err := plainText(s, what); err != nil {
		return "", err
	}
	switch {
	case s == "":
		return "", fmt.Errorf("%s is empty: enter %s (a GUID such as 00000000-0000-0000-0000-000000000000)", what, where)
	case !guidRe.MatchString(s):
		return "", fmt.Errorf("%s %s is not a GUID: copy %s (it looks like 00000000-0000-0000-0000-000000000000)", what, shown(s), where)
	}
	return strings.ToLower(s), nil
}

// checkTenantID checks the tenant: its GUID (Directory (tenant) ID) or a verified domain name.
func checkTenantID(raw string) (string, error) {
	const where = "the Directory (tenant) ID on the app registration's Overview page"
	s := strings.TrimSpace(raw)
	if len(s) <= 253 && domainRe.MatchString(s) {
		return strings.ToLower(s), nil
	}
	return checkGUID("the tenant ID", where+", or a verified domain of the tenant such as contoso.onmicrosoft.com", raw)
}

// checkAuthorityURL checks the optional authority URL: an https URL (plain http to loopback
// only) of the Entra host alone; empty is Microsoft's public cloud.
func checkAuthorityURL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if err := plainText(s, "the authority URL"); err != nil {
		return "", err
	}
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("the authority URL %s is not an absolute URL: write it as %s, or leave it empty for "+
			"Microsoft's public cloud", shown(s), providers.DefaultAuthorityURL)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", errors.New("the authority URL must not contain credentials, a query or a fragment")
	}
	if strings.Contains(strings.ToLower(u.Path), "oauth2") {
		return "", fmt.Errorf("the authority URL %s names the token endpoint: give the Entra host alone (e.g. %s); the tenant "+
			"and /oauth2/v2.0/token are added to it", shown(s), providers.DefaultAuthorityURL)
	}
	if err := providers.RequireSafeURL(s); err != nil {
		return "", conceal(err, s)
	}
	if !strings.HasSuffix(s, "/") {
		s += "/"
	}
	return s, nil
}
