package providers

import (
	"fmt"
	"net/http"
	"strings"
)

// What GitHub's tokens are, by their prefixes, and what GitHub says about a fine-grained token
// that a request needed more of (ARCHITECTURE.md: the provider's check).

// gitHubTokenKind names a GitHub token for what it is, by its prefix ("" for an unknown one).
func gitHubTokenKind(tok string) string {
	switch {
	case strings.HasPrefix(tok, "github_pat_"):
		return "fine-grained personal access token"
	case strings.HasPrefix(tok, "ghp_"):
		return "classic personal access token"
	case strings.HasPrefix(tok, "gho_"):
		return "OAuth app token"
	case strings.HasPrefix(tok, "ghu_"):
		return "GitHub App user access token"
	case strings.HasPrefix(tok, "ghs_"):
		return "GitHub App installation token"
	}
	return ""
}

// gitHubAppToken reports whether tok is a token a GitHub App issued (ghu_, ghs_), whose
// permissions are the App's.
func gitHubAppToken(tok string) bool {
	return strings.HasPrefix(tok, "ghu_") || strings.HasPrefix(tok, "ghs_")
}

// gitHubAccepted renders X-Accepted-GitHub-Permissions, which GitHub sends to a fine-grained
// token (or an App's) to say what the endpoint needs: sets separated by ";", any one of which
// suffices, each a ","-separated list of permission=level, all of which it needs. "" when absent.
func gitHubAccepted(h http.Header) string {
	v := strings.TrimSpace(h.Get("X-Accepted-GitHub-Permissions"))
	if v == "" {
		return ""
	}
	var sets []string
	for set := range strings.SplitSeq(v, ";") {
		var perms []string
		for p := range strings.SplitSeq(set, ",") {
			name, level, ok := strings.Cut(strings.TrimSpace(p), "=")
			if !ok || name == "" {
				continue
			}
			perms = append(perms, gitHubPermName(name)+": "+strings.TrimSpace(level))
		}
		if len(perms) > 0 {
			sets = append(sets, strings.Join(perms, " and "))
		}
	}
	return strings.Join(sets, ", or ")
}

// gitHubPermName is a permission's name as GitHub's pages write it ("pull_requests": "Pull requests").
func gitHubPermName(p string) string {
	p = strings.ReplaceAll(strings.TrimSpace(p), "_", " ")
	if p == "" {
		return p
	}
	return strings.ToUpper(p[:1]) + p[1:]
}

// gitHubUnseenOrg says why a fine-grained token may not see organisation org's resources: GitHub
// answers alike to a token an owner has not approved yet and to one of another resource owner.
func gitHubUnseenOrg(s *session, org string) string {
	host := gitHubWebHost(s)
	return fmt.Sprintf("either an owner of %s has not approved the token yet (pending requests: %s/organizations/%s/settings/"+
		"personal-access-token-requests), or its resource owner is another account, your own say (a fine-grained token reaches "+
		"one resource owner's resources only: make one whose Resource owner is %s at %s/settings/personal-access-tokens); "+
		"GitHub's answers do not tell these apart", org, host, org, org, host)
}

// gitHubMembershipRefused is the org check's message for a fine-grained token (or an App's) that
// may not read the caller's membership (HTTP 403), with the permission GitHub says it needs.
func gitHubMembershipRefused(s *session, name string, h http.Header) string {
	need := gitHubAccepted(h)
	if need == "" {
		need = "Members: read"
	}
	tok := s.Creds.Token
	if gitHubAppToken(tok) {
		return fmt.Sprintf("organisation %s exists, but this %s may not read the membership (HTTP 403; GitHub asks for %s): its "+
			"permissions are the App's. Store the App itself (set --app-id ID --app-key FILE) rather than a token it issued",
			name, gitHubTokenKind(tok), need)
	}
	return fmt.Sprintf("organisation %s exists, but this %s may not read your membership in it (HTTP 403; GitHub asks for the "+
		"organisation permission %s), so whether you may create repositories there cannot be confirmed. Either the token lacks "+
		"that permission, or it cannot see %s's resources at all: %s. The round-trip check (--deep) proves what it may do",
		name, cmpKind(tok, "fine-grained token"), need, name, gitHubUnseenOrg(s, name))
}

// cmpKind is tok's kind in words, or dflt when the prefix says nothing.
func cmpKind(tok, dflt string) string {
	if k := gitHubTokenKind(tok); k != "" {
		return k
	}
	return dflt
}

// gitHubAppTokenScopes records the scope checks of a token a GitHub App issued: its permissions
// are the App's, which no API shows to the token.
func gitHubAppTokenScopes(s *session) {
	kind := gitHubTokenKind(s.Creds.Token)
	for _, sc := range s.Provider.Scopes {
		id := ScopeCheckID(sc.Name)
		need, ok := gitHubFineGrainedNeeds[sc.Name]
		if !ok || sc.Advisory {
			s.Add(id, Skip, fmt.Sprintf("%s: %s is a classic scope, and no GitOps call needs it", kind, sc.Name))
			continue
		}
		s.Add(id, Warn, fmt.Sprintf("cannot be confirmed: this is a %s, whose permissions are those of its App (and, for a user "+
			"access token, its user's); in place of the classic scope %s it needs %s. Check the App's permissions on its settings "+
			"page, or run the round-trip check (--deep)", kind, sc.Name, need))
	}
}

// gitHubFineGrainedScopes records the scope checks of a fine-grained token: GitHub offers no API
// that lists its permissions.
func gitHubFineGrainedScopes(s *session) {
	page := strings.TrimSuffix(s.TokenURL(), "/settings/tokens") + "/settings/personal-access-tokens"
	for _, sc := range s.Provider.Scopes {
		id := ScopeCheckID(sc.Name)
		need, ok := gitHubFineGrainedNeeds[sc.Name]
		if !ok || sc.Advisory {
			s.Add(id, Skip, fmt.Sprintf("fine-grained token: %s has no fine-grained counterpart, and no GitOps call needs it", sc.Name))
			continue
		}
		s.Add(id, Warn, fmt.Sprintf("cannot be confirmed: this is a fine-grained token, and GitHub offers no API that lists its "+
			"permissions. In place of the classic scope %s (%s) it needs %s on the organisation; check them at %s, "+
			"or run the round-trip check (--deep), which proves them", sc.Name, sc.Why, need, page))
	}
}
