package providers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"gitopscfg/assets"
	"gitopscfg/config"
)

// Azure is Azure DevOps Services and Azure DevOps Server.
const Azure ID = "azure"

func init() {
	register(Provider{
		ID: Azure, Name: "Azure DevOps", DefaultHost: "https://dev.azure.com/", OrgNoun: "project",
		tokenPath: "/_usersSettings/tokens", helpHost: "https://dev.azure.com/<organisation>",
		TokenNoun: "personal access token",
		Fields: append(withAdvanced(
			Field{Key: FieldHost, Label: "Azure DevOps Organisation URL", Placeholder: "https://dev.azure.com/<organisation>",
				Example: "https://dev.azure.com/<organisation>", Help: assets.FieldHelp("azure", "host"), Check: azOrganisationURL},
			orgField("Azure DevOps Project Name", "gitops", assets.FieldHelp("azure", "org"), azProjectName),
			onlyKind(config.CredentialToken, usernameField(assets.FieldHelp("azure", "username"), "jdoe@example.com")),
			onlyKind(config.CredentialToken, tokenField("Azure DevOps Access Token", assets.FieldHelp("azure", "token"))),
		), append([]Field{urlPrefixField("https://dev.azure.com/acme/gitops/_git/", assets.FieldHelp("azure", "url_prefix")),
			repoField("gitops/gitops-apps", false, assets.FieldHelp("azure", "repo"))},
			append(slices.Clone(azServicePrincipalFields), azureSSHFields()...)...)...),
		Kinds: []string{config.CredentialServicePrincipal},
		Scopes: []Scope{
			{Name: "vso.code_manage", Why: "Code (read, write & manage): needed to create, clone, push to and delete repositories",
				Partly: "Code: Read & write (vso.code_write)"},
		},
		// https://dev.azure.com/<organisation> or an Azure DevOps Server collection URL.
		apiBase:   func(_ *url.URL, base string) string { return base },
		check:     checkAzure,
		repos:     newAzureRepos,
		gitAccess: azGitAccess,
		ssh:       azureSSH,
	})
}

// azOrganisationURL is the rule of the host field: on Azure DevOps Services the URL names the
// organisation.
func azOrganisationURL(s string) (string, error) {
	if u, err := url.Parse(s); err == nil && strings.EqualFold(u.Hostname(), "dev.azure.com") && strings.Trim(u.Path, "/") == "" {
		return "", errors.New("the Azure DevOps organisation URL needs the organisation: https://dev.azure.com/<organisation>")
	}
	return s, nil
}

// azProjectBadChars are the characters an Azure DevOps project name must not contain.
const azProjectBadChars = `\/:*?"<>;#$%{}|+=[]@'` + "`,"

// azProjectName is the rule of the project field.
func azProjectName(s string) (string, error) {
	if len(s) > 64 {
		return "", fmt.Errorf("the Azure DevOps project name is %d characters long; at most 64 are allowed", len(s))
	}
	if i := strings.IndexAny(s, azProjectBadChars); i >= 0 {
		return "", fmt.Errorf("the Azure DevOps project name must not contain %q: enter the name as shown at https://dev.azure.com/<organisation>/<project>", s[i:i+1])
	}
	if strings.HasPrefix(s, "_") || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") {
		return "", errors.New("an Azure DevOps project name cannot start with an underscore or a dot, nor end with a dot")
	}
	return s, nil
}

// azGitAccess names the likely cause of a refused Git request and where to fix it.
func azGitAccess(write bool, tokenURL string) string {
	if write {
		return "the PAT needs Code (read & write) and its user the Contribute permission on the repository (Project settings > Repositories > Security); a branch policy can also refuse the push. Fix the PAT at " + tokenURL
	}
	return "the PAT needs Code (read). Fix it at " + tokenURL
}

// Azure DevOps live check.
//
// Three independent GETs run concurrently (the longest chain of dependent requests is 1):
//   - {base}/_apis/connectionData?api-version=7.1-preview.1: who the token authenticates as;
//   - {base}/_apis/projects/{project}: the project exists;
//   - {base}/{project}/_apis/git/repositories: the token has the Code scope (read).
//
// Azure DevOps answers an invalid, malformed or expired credential on GET with HTTP 203 and its
// HTML sign-in page rather than 401; any answer that is not JSON is an authentication failure.
// Write access (Code: read, write & manage) cannot be confirmed without writing, and a PAT cannot
// read its own expiry date (the PAT lifecycle API needs a Microsoft Entra token), so both are
// reported honestly as unconfirmed.

const (
	// azAPIVersion is the api-version of every REST request but connectionData: Azure DevOps
	// refuses a request without one (400 VssVersionNotSpecifiedException).
	azAPIVersion = "api-version=7.1"
	// azConnectionDataVersion is connectionData's: the resource has no released version, so it
	// needs the -preview flag (without it: 400 VssInvalidPreviewVersionException); Microsoft's
	// clients send a preview version too (azure-devops-go-api: "5.1-preview.1" in v5).
	azConnectionDataVersion = "api-version=7.1-preview.1"
	// azBodyLimit bounds how much of an answer is read: these answers are small.
	azBodyLimit = 1 << 20
)

// azAnswer is one answer of the Azure DevOps API.
type azAnswer struct{ answer }

// signIn reports whether Azure DevOps answered with its sign-in page instead of data.
func (a azAnswer) signIn() bool {
	return a.status == http.StatusNonAuthoritativeInfo || (a.status < 300 && !a.json())
}

// serviceError is Azure DevOps' own explanation of a failure: the X-TFS-ServiceError header
// (URL-encoded on the wire) or else the "message" of the JSON error body.
func (a azAnswer) serviceError() string {
	if h := a.header.Get("X-TFS-ServiceError"); h != "" {
		if dec, err := url.PathUnescape(h); err == nil {
			return dec
		}
		return h
	}
	var e struct {
		Message string `json:"message"`
	}
	if a.decode(&e) {
		return e.Message
	}
	return ""
}

func azGet(ctx context.Context, s *session, path string) azAnswer {
	return azDo(ctx, s, http.MethodGet, path, nil)
}

type azConnectionData struct {
	AuthenticatedUser struct {
		ID                  string `json:"id"`
		ProviderDisplayName string `json:"providerDisplayName"`
		Properties          struct {
			Account struct {
				Value string `json:"$value"`
			} `json:"Account"`
		} `json:"properties"`
	} `json:"authenticatedUser"`
}

type azProject struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Visibility string `json:"visibility"`
}

type azRepositories struct {
	Count int `json:"count"`
}

// checkAzure is the live check of Azure DevOps credentials.
func checkAzure(ctx context.Context, s *session) {
	if azServicePrincipal(s) && !azSignIn(ctx, s) {
		return // a service principal without its Entra token can ask Azure DevOps nothing
	}
	project := strings.TrimSpace(s.Creds.Org)
	var conn, proj, repos azAnswer
	var g errgroup.Group
	g.Go(func() error { conn = azGet(ctx, s, "/_apis/connectionData?"+azConnectionDataVersion); return nil })
	if project != "" {
		p := url.PathEscape(project)
		g.Go(func() error { proj = azGet(ctx, s, "/_apis/projects/"+p+"?"+azAPIVersion); return nil })
		g.Go(func() error { repos = azGet(ctx, s, "/"+p+"/_apis/git/repositories?"+azAPIVersion); return nil })
	}
	_ = g.Wait()
	for _, a := range []azAnswer{conn, proj, repos} {
		if a.err != nil && s.NetworkFailure(a.err) {
			return
		}
	}
	if azServicePrincipal(s) {
		checkAzureSP(s, project, conn, proj, repos)
		return
	}
	if !azAuth(s, conn) {
		const why = "not checked: authentication failed"
		s.Add(ScopeCheckID("vso.code_manage"), Skip, why)
		s.Add(CheckOrg, Skip, why)
		return
	}
	azExpiry(s)
	if project == "" {
		s.Add(CheckOrg, Fail, "no project given: enter the Azure DevOps Project Name (the project that will hold the GitOps "+
			"repositories, as in "+s.Creds.Host+"/<project>); the projects of the organisation are listed at "+azProjectsURL(s))
		s.Add(ScopeCheckID("vso.code_manage"), Skip, "not checked: no project given")
		return
	}
	azOrg(s, project, proj, repos)
	azCodeScope(s, project, repos)
}

func azProjectsURL(s *session) string { return strings.TrimRight(s.Creds.Host, "/") + "/_projects" }

// azAuth records the auth check (and, for an expired token, the expiry check) and reports
// whether the token authenticated.
func azAuth(s *session, a azAnswer) bool {
	fix := "create a new personal access token at " + s.TokenURL() + " (Scopes: Custom defined, Code: Read, write, & manage)"
	switch {
	case a.err != nil:
		s.Add(CheckAuth, Fail, fmt.Sprintf("could not ask %s who the token belongs to: %v", s.APIHost, a.err))
		return false
	case a.signIn():
		s.Add(CheckAuth, Fail, fmt.Sprintf("Azure DevOps answered with its sign-in page (HTTP %d) instead of data: the token is "+
			"invalid, malformed, expired or not valid for this organisation (%s), so no GitOps operation can run; %s",
			a.status, s.Creds.Host, fix))
		return false
	case a.status == http.StatusUnauthorized:
		msg := a.serviceError()
		low := strings.ToLower(msg)
		switch {
		case strings.Contains(low, "expired"):
			s.Add(CheckAuth, Fail, "the personal access token has expired (Azure DevOps: \""+msg+"\"), so no GitOps operation can run; "+
				"renew it or "+fix)
			s.Add(CheckExpiry, Fail, "expired: renew the token at "+s.TokenURL())
		case strings.Contains(low, "revoked"):
			s.Add(CheckAuth, Fail, "the personal access token has been revoked (Azure DevOps: \""+msg+"\"); "+fix)
		default:
			detail := ""
			if msg != "" {
				detail = " (Azure DevOps: \"" + msg + "\")"
			}
			s.Add(CheckAuth, Fail, "Azure DevOps rejected the token (HTTP 401)"+detail+": it is invalid or not valid for this "+
				"organisation; "+fix)
		}
		return false
	case a.status != http.StatusOK:
		s.Add(CheckAuth, Fail, fmt.Sprintf("%s answered HTTP %d to the connection-data request%s: the server has a problem; "+
			"try again later (if it persists, check the organisation URL %s)", s.APIHost, a.status, azQuote(a.serviceError()), s.Creds.Host))
		return false
	}
	var cd azConnectionData
	if err := json.Unmarshal(a.body, &cd); err != nil {
		s.Add(CheckAuth, Fail, fmt.Sprintf("%s answered the connection-data request with unreadable JSON (%v): is %s an Azure "+
			"DevOps organisation URL?", s.APIHost, err, s.Creds.Host))
		return false
	}
	u := cd.AuthenticatedUser
	if u.ID == "" || u.ProviderDisplayName == "" {
		s.Add(CheckAuth, Fail, "Azure DevOps did not recognise the token (it answered as an anonymous user); "+fix)
		return false
	}
	who := u.ProviderDisplayName
	if acct := u.Properties.Account.Value; acct != "" {
		s.SetUser(acct)
		if acct != who {
			who += " (" + acct + ")"
		}
	} else {
		s.SetUser(who)
	}
	s.Add(CheckAuth, Pass, "authenticated as "+who)
	return true
}

func azExpiry(s *session) {
	s.Add(CheckExpiry, Skip, "unknown: Azure DevOps does not show a personal access token its own expiry date (only the PAT "+
		"lifecycle API, which needs a Microsoft Entra sign-in, does); see the date at "+s.TokenURL())
}

func azOrg(s *session, project string, proj, repos azAnswer) {
	notFound := fmt.Sprintf("project %q does not exist in %s, or your account cannot see it: the GitOps repositories are "+
		"created in it; check the Azure DevOps Project Name against %s", project, s.Creds.Host, azProjectsURL(s))
	switch {
	case proj.status == http.StatusOK && proj.json():
		var p azProject
		if err := json.Unmarshal(proj.body, &p); err != nil || p.ID == "" {
			s.Add(CheckOrg, Fail, fmt.Sprintf("%s answered the project request with unreadable JSON: is %s an Azure DevOps "+
				"organisation URL?", s.APIHost, s.Creds.Host))
			return
		}
		if strings.EqualFold(p.Visibility, "public") {
			s.Add(CheckOrg, Warn, fmt.Sprintf("project %q exists, but it is public, and an Azure DevOps repository takes its "+
				"project's visibility: the GitOps repositories created there would be readable by anyone; make the project "+
				"private (Project settings > Overview > Visibility) or use a private project (%s)", p.Name, azProjectsURL(s)))
			return
		}
		msg := fmt.Sprintf("project %q exists", p.Name)
		if p.Visibility != "" {
			msg += " (" + p.Visibility + ")"
		}
		s.Add(CheckOrg, Pass, msg)
	case proj.status == http.StatusNotFound:
		s.Add(CheckOrg, Fail, notFound)
	case repos.status == http.StatusOK && repos.json():
		// The token may lack "Project and Team (Read)", which GitOps does not need: the project
		// exists because its repositories could be listed.
		s.Add(CheckOrg, Pass, fmt.Sprintf("project %q exists (its repositories can be listed; the token cannot read the "+
			"project's details, which GitOps does not need)", project))
	case repos.status == http.StatusNotFound:
		s.Add(CheckOrg, Fail, notFound)
	case proj.status == http.StatusUnauthorized && repos.status == http.StatusUnauthorized:
		s.Add(CheckOrg, Skip, fmt.Sprintf("not checked: the token may read neither project %q nor its repositories (see the "+
			"Code scope check)", project))
	default:
		s.Add(CheckOrg, Fail, fmt.Sprintf("could not read project %q: %s answered HTTP %d%s; check the project name "+
			"(%s) and that the token may read it (%s)", project, s.APIHost, proj.status, azQuote(proj.serviceError()),
			azProjectsURL(s), s.TokenURL()))
	}
}

func azCodeScope(s *session, project string, repos azAnswer) {
	id := ScopeCheckID("vso.code_manage")
	switch {
	case repos.status == http.StatusOK && repos.json():
		var rs azRepositories
		if err := json.Unmarshal(repos.body, &rs); err != nil {
			s.Add(id, Fail, fmt.Sprintf("%s answered the repository list with unreadable JSON: try again later", s.APIHost))
			return
		}
		s.Add(id, Warn, fmt.Sprintf("unconfirmed: the token can read code (repositories visible in %q: %d), but write & "+
			"manage (create, push to and delete repositories) cannot be confirmed without writing: only the round-trip check "+
			"(gitopscfg check --deep) can confirm it; if it fails, edit the token at %s and tick Code: Read, write, & manage",
			project, rs.Count, s.TokenURL()))
	case repos.status == http.StatusUnauthorized || repos.status == http.StatusForbidden || repos.signIn():
		s.Add(id, Fail, fmt.Sprintf("missing: the token cannot read the repositories of project %q%s. Code (Read, write, & "+
			"manage) is needed to create, clone, push to and delete the GitOps repositories; edit the token at %s: Scopes, "+
			"Custom defined, tick Code: Read, write, & manage", project, azQuote(repos.serviceError()), s.TokenURL()))
	case repos.status == http.StatusNotFound:
		s.Add(id, Skip, fmt.Sprintf("not checked: project %q was not found", project))
	default:
		s.Add(id, Fail, fmt.Sprintf("could not list the repositories of project %q: %s answered HTTP %d; try again later "+
			"(the Code scope is edited at %s)", project, s.APIHost, repos.status, s.TokenURL()))
	}
}

func azQuote(msg string) string {
	if msg == "" {
		return ""
	}
	return " (Azure DevOps: \"" + msg + "\")"
}
