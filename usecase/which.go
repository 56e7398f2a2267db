package usecase

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"gitopscfg/config"
	"gitopscfg/platforms"
	"gitopscfg/providers"
)

// CheckMatch is the id of Which's check of which credential serves the URL.
const CheckMatch = "match"

// Served is which stored credential serves a repository URL, and whether it may read it.
type Served struct {
	// URL is the repository URL asked about, as given (without credentials in it).
	URL string
	// Credential is the credential that serves it ("" none), Provider its provider.
	Credential string
	Provider   providers.ID
	// Prefix is the Argo CD URL prefix that matched ("" when the credential was found by host and
	// organisation, or none was).
	Prefix string
	// Readable is true when the Git server let the credential read the repository.
	Readable bool
	// Checks are what Which found: CheckMatch, then providers.CheckRead (when a credential serves
	// the URL), then a warning per credential whose prefix could not be made.
	Checks []providers.Check
}

// OK reports whether a credential serves the URL and may read it.
func (s Served) OK() bool { return s.Credential != "" && s.Readable }

// candidate is one stored credential Which considers.
type candidate struct {
	name   string
	creds  providers.Credentials
	prefix string
}

// Which finds the stored credential that serves repoURL, as Argo CD would choose it: the
// credential template with the longest URL prefix of the URL (prefixes normalised as Argo CD
// does); when none claims one, the credential of the URL's host whose organisation starts its
// path. Two that tie are ambiguous, and none serves. Then it asks the Git server whether that
// credential may read the repository (providers.CanRead). Errors: *UsageError for a URL that is
// not an absolute http(s) URL; everything else is in Served.Checks.
func (b *Backend) Which(ctx context.Context, d *config.Data, repoURL string) (Served, error) {
	u, err := repositoryURL(repoURL)
	if err != nil {
		return Served{}, err
	}
	out := Served{URL: u}
	env := b.Env(providers.DefaultTimeout)
	ctx, cancel := context.WithTimeout(ctx, env.Timeout)
	defer cancel()
	all, warnings := candidates(ctx, env, d)
	best, match := byPrefix(all, u)
	if len(best) == 0 {
		best = byOrg(all, u)
	}
	switch {
	case len(best) > 1:
		out.Checks = append(out.Checks, tied(best, match, u))
	case len(best) == 0:
		out.Checks = append(out.Checks, providers.Check{ID: CheckMatch, Status: providers.Fail, Message: noneServes(all, u)})
	default:
		c := best[0]
		out.Credential, out.Provider = c.name, c.creds.Provider
		if match {
			out.Prefix = c.prefix
		}
		out.Checks = append(out.Checks, serves(c, match))
		read := providers.CanRead(ctx, env, c.creds, u)
		out.Readable = read.Status == providers.Pass
		out.Checks = append(out.Checks, read)
	}
	out.Checks = append(out.Checks, warnings...)
	return out, nil
}

// candidates are the stored credentials with their Argo CD URL prefixes, and a warning for each
// whose prefix could not be made (it is then compared by host and organisation only).
func candidates(ctx context.Context, env *providers.Env, d *config.Data) ([]candidate, []providers.Check) {
	var all []candidate
	var warnings []providers.Check
	for _, name := range CredentialNames(d) {
		c := candidate{name: name, creds: providers.FromConfig(name, d.Credentials[name])}
		p, err := platforms.ArgoCDPrefix(ctx, env, c.creds)
		if err != nil {
			warnings = append(warnings, providers.Check{ID: "prefix:" + name, Status: providers.Warn,
				Message: c.creds.Seal(fmt.Sprintf("%s's Argo CD URL prefix is unknown, so it is compared by host and organisation only: %v", name, err))})
		}
		c.prefix = p
		all = append(all, c)
	}
	return all, warnings
}

// tied is the failed match of several credentials that serve u alike (by prefix when match, else
// by host and organisation), and how to settle it.
func tied(best []candidate, match bool, u string) providers.Check {
	names := make([]string, len(best))
	for i, c := range best {
		names[i] = c.name
	}
	how := fmt.Sprintf("Argo CD would give it either one's template: narrow one with `gitopscfg set %s --url-prefix URL`", names[len(names)-1])
	if !match {
		how = "neither's Argo CD template covers it: give the one that should serve it a --url-prefix that does"
	}
	return providers.Check{ID: CheckMatch, Status: providers.Fail,
		Message: fmt.Sprintf("the credentials %s both serve %s: %s", andList(names), u, how)}
}

// serves is the match of the one credential c that serves the URL: passed when its Argo CD
// prefix matched, a warning when only its host and organisation did (Argo CD would not use it).
func serves(c candidate, match bool) providers.Check {
	name := providers.MustLookup(c.creds.Provider).Name
	if match {
		return providers.Check{ID: CheckMatch, Status: providers.Pass,
			Message: fmt.Sprintf("%s (%s) serves it: its Argo CD template claims %s, the longest prefix of the URL", c.name, name, c.prefix)}
	}
	claims := "no Argo CD template"
	if c.prefix != "" {
		claims = "its Argo CD template claims " + c.prefix + ", which does not cover it"
	}
	return providers.Check{ID: CheckMatch, Status: providers.Warn,
		Message: fmt.Sprintf("%s (%s) serves it by host and organisation (%s on %s), but Argo CD would not give it this credential: %s", c.name, name, c.creds.Org, c.creds.Host, claims)}
}

// repositoryURL checks a repository URL as given to Which: an absolute http(s) URL without a
// query or fragment; credentials in it (Azure DevOps' clone URLs carry "user@") are dropped.
func repositoryURL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		// The URL is not repeated: it may hold a secret (user:token@…).
		return "", &UsageError{Msg: "the URL is not an HTTPS repository URL (e.g. https://github.com/acme/gitops): Argo CD's templates for these credentials match HTTPS URLs only"}
	}
	if u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(s, "?#") {
		return "", &UsageError{Msg: "a repository URL has no query (?…) or fragment (#…)"}
	}
	u.User = nil
	return u.String(), nil
}

// byPrefix are the credentials whose Argo CD prefixes cover u the longest (several: a tie), and
// whether any did.
func byPrefix(all []candidate, u string) ([]candidate, bool) {
	var best []candidate
	longest := 0
	for _, c := range all {
		n := platforms.ArgoCDMatch(c.prefix, u)
		switch {
		case n == 0 || n < longest:
		case n > longest:
			best, longest = []candidate{c}, n
		default:
			best = append(best, c)
		}
	}
	return best, len(best) > 0
}

// byOrg are the credentials whose Git host starts u and whose organisation (its path: GitLab
// subgroups, Azure DevOps' project) starts the rest of its path, the longest organisation first
// (several: a tie).
func byOrg(all []candidate, u string) []candidate {
	lu := strings.ToLower(u)
	var best []candidate
	longest := 0
	for _, c := range all {
		host := strings.ToLower(strings.TrimRight(strings.TrimSpace(c.creds.Host), "/")) + "/"
		org := strings.ToLower(strings.Trim(strings.TrimSpace(c.creds.Org), "/"))
		rest, ok := strings.CutPrefix(lu, host)
		if !ok || org == "" || !strings.HasPrefix(rest, org+"/") {
			continue
		}
		switch n := len(org); {
		case n < longest:
		case n > longest:
			best, longest = []candidate{c}, n
		default:
			best = append(best, c)
		}
	}
	return best
}

// noneServes says that no stored credential serves u, and what they claim.
func noneServes(all []candidate, u string) string {
	if len(all) == 0 {
		return fmt.Sprintf("no stored credential serves %s: none is stored (run `gitopscfg set PROVIDER …`)", u)
	}
	claims := make([]string, 0, len(all))
	for _, c := range all {
		p := c.prefix
		if p == "" {
			p = c.creds.Org + " on " + c.creds.Host
		}
		claims = append(claims, c.name+" "+p)
	}
	return fmt.Sprintf("no stored credential serves %s: no Argo CD template claims a prefix of it, and none is of its host and organisation (%s)", u, strings.Join(claims, ", "))
}
