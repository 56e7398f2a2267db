package providers

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"gitopscfg/assets"
	"gitopscfg/config"
)

// The live check of an Azure DevOps service principal: its Microsoft Entra token first (see
// azure_entra.go), then the three concurrent GETs of a token's check with that token as bearer.
// The longest chain of dependent requests is 2. Azure DevOps answers a principal that is not a
// user of the organisation with 401 TF401444 ("Please sign-in at least once as …"). What the
// principal may do in the project comes from its groups there, not from scopes: reading code is
// checked, writing (create, push, delete) only the round trip confirms.

// azServicePrincipalFields are a service principal's own fields: its tenant, its application
// (client) ID, its client secret or certificate with its key (PEM: the credential's secret) and the
// authority URL.
var azServicePrincipalFields = []Field{
	{Key: FieldTenantID, Label: "Tenant ID", Example: "00000000-0000-0000-0000-000000000000",
		Help: assets.FieldHelp("azure", "tenant_id"), Kinds: []string{config.CredentialServicePrincipal}},
	{Key: FieldClientID, Label: "Client ID", Example: "00000000-0000-0000-0000-000000000000",
		Help: assets.FieldHelp("azure", "client_id"), Kinds: []string{config.CredentialServicePrincipal}},
	{Key: FieldToken, Label: "Client Secret or Certificate", Help: assets.FieldHelp("azure", "client_secret"), Secret: true,
		Kinds: []string{config.CredentialServicePrincipal}},
	{Key: FieldAuthorityURL, Label: "Authority URL", Example: DefaultAuthorityURL, Optional: true, Advanced: true,
		Help: assets.FieldHelp("azure", "authority_url"), Kinds: []string{config.CredentialServicePrincipal}},
}

// azServicePrincipal reports whether the session's credential is a service principal.
func azServicePrincipal(s *session) bool { return s.Creds.Kind == config.CredentialServicePrincipal }

// azSignIn gets the service principal's Entra token into the session; when it cannot, it records
// why and reports false.
func azSignIn(ctx context.Context, s *session) bool {
	a := requestEntraToken(ctx, s)
	if a.err != nil {
		msg := DescribeNetworkError(a.err, cmp.Or(a.host, "Microsoft Entra ID"))
		if msg == "" {
			msg = fmt.Sprintf("could not ask Microsoft Entra ID (%s) for a token: %v", EntraTokenURL(s.Creds), a.err)
		}
		s.Add(CheckNetwork, Fail, msg)
		return false
	}
	if a.local != "" {
		s.Add(CheckAuth, Fail, a.local)
		const why = "not checked: the service principal could not sign in"
		s.Add(ScopeCheckID("vso.code_manage"), Skip, why)
		s.Add(CheckOrg, Skip, why)
		if !spCertExpiry(s) {
			s.Add(CheckExpiry, Skip, why)
		}
		return false
	}
	if a.token == "" {
		s.Add(CheckAuth, Fail, entraRefused(s.Creds, a))
		const why = "not checked: the service principal could not sign in"
		s.Add(ScopeCheckID("vso.code_manage"), Skip, why)
		s.Add(CheckOrg, Skip, why)
		switch {
		case a.refusal.code() == aadstsExpiredSecret:
			s.Add(CheckExpiry, Fail, "expired: the client secret has expired (AADSTS7000222); make a new one on the app "+
				"registration's Certificates & secrets page")
		case spCertExpiry(s):
		default:
			s.Add(CheckExpiry, Skip, why)
		}
		return false
	}
	s.bearer = a.token
	s.mint(a.token) // no message shows it
	return true
}

// checkAzureSP records the checks of a service principal from Azure DevOps' answers to its token.
func checkAzureSP(s *session, project string, conn, proj, repos azAnswer) {
	if !azSPAuth(s, project, conn) {
		const why = "not checked: Azure DevOps did not accept the service principal"
		s.Add(ScopeCheckID("vso.code_manage"), Skip, why)
		s.Add(CheckOrg, Skip, why)
		azSPExpiry(s)
		return
	}
	azSPExpiry(s)
	if project == "" {
		s.Add(CheckOrg, Fail, "no project given: enter the Azure DevOps Project Name (the project that will hold the GitOps "+
			"repositories); the projects of the organisation are listed at "+azProjectsURL(s))
		s.Add(ScopeCheckID("vso.code_manage"), Skip, "not checked: no project given")
		return
	}
	azOrg(s, project, proj, repos)
	azSPCode(s, project, repos)
}

// azSPUsers is where an organisation's users, service principals among them, are added.
func azSPUsers(s *session) string { return strings.TrimRight(s.Creds.Host, "/") + "/_settings/users" }

// azSPAuth records the auth check of a service principal from the connection data.
func azSPAuth(s *session, project string, a azAnswer) bool {
	c := s.Creds
	add := fmt.Sprintf("add it as a user of the organisation at %s (Add users: search the app registration's name; access level "+
		"Basic) and to project %q's Contributors", azSPUsers(s), cmp.Or(project, "<project>"))
	switch {
	case a.status == http.StatusUnauthorized && strings.Contains(a.serviceError(), "TF401444"):
		s.Add(CheckAuth, Fail, fmt.Sprintf("Microsoft Entra ID signed the service principal in, but it is not a member of the "+
			"organisation %s (TF401444%s): %s", c.Host, azQuote(a.serviceError()), add))
		return false
	case a.signIn() || a.status == http.StatusUnauthorized:
		s.Add(CheckAuth, Fail, fmt.Sprintf("Azure DevOps refused the service principal's Microsoft Entra token (HTTP %d%s): the "+
			"organisation %s must be connected to tenant %s and have the principal as a user; %s",
			a.status, azQuote(a.serviceError()), c.Host, c.TenantID, add))
		return false
	case a.status != http.StatusOK:
		s.Add(CheckAuth, Fail, fmt.Sprintf("%s answered HTTP %d to the connection-data request%s: the server has a problem; "+
			"try again later (if it persists, check the organisation URL %s)", s.APIHost, a.status, azQuote(a.serviceError()), c.Host))
		return false
	}
	var cd azConnectionData
	if err := json.Unmarshal(a.body, &cd); err != nil || cd.AuthenticatedUser.ID == "" {
		s.Add(CheckAuth, Fail, fmt.Sprintf("%s answered the connection-data request without the service principal's identity: "+
			"is %s an Azure DevOps organisation URL?", s.APIHost, c.Host))
		return false
	}
	who := cmp.Or(cd.AuthenticatedUser.ProviderDisplayName, c.ClientID)
	s.SetUser(who)
	s.Add(CheckAuth, Pass, fmt.Sprintf("authenticated as %s, the service principal of application %s in tenant %s (Microsoft "+
		"Entra ID issued its token; the platforms fetch their own, which live about an hour)", who, c.ClientID, c.TenantID))
	return true
}

// azSPExpiry: a principal cannot read its own secret's expiry date; a certificate's is in it.
func azSPExpiry(s *session) {
	if spCertExpiry(s) {
		return
	}
	s.Add(CheckExpiry, Skip, "unknown: the service principal cannot read its client secret's expiry date (Microsoft Graph can); "+
		"see it on the app registration's Certificates & secrets page. An expired secret fails with AADSTS7000222")
}

// azSPCode records what the principal may do with the project's code: reading is checked, writing
// only the round trip confirms.
func azSPCode(s *session, project string, repos azAnswer) {
	id := ScopeCheckID("vso.code_manage")
	perms := fmt.Sprintf("project %q's Contributors may create repositories and push; deleting one needs Project Administrators "+
		"or the Delete or disable repository permission (Project settings > Repositories > Security)", project)
	switch {
	case repos.status == http.StatusOK && repos.json():
		var rs azRepositories
		_ = json.Unmarshal(repos.body, &rs)
		s.Add(id, Warn, fmt.Sprintf("unconfirmed: the service principal can read code (repositories visible in %q: %d), but "+
			"creating, pushing to and deleting repositories cannot be confirmed without writing: the round-trip check "+
			"(gitopscfg check --deep) confirms them; %s", project, rs.Count, perms))
	case repos.status == http.StatusUnauthorized || repos.status == http.StatusForbidden || repos.signIn():
		s.Add(id, Fail, fmt.Sprintf("the service principal may not read the repositories of project %q%s: add it to the "+
			"project's Contributors group (Project settings > Permissions); %s", project, azQuote(repos.serviceError()), perms))
	case repos.status == http.StatusNotFound:
		s.Add(id, Skip, fmt.Sprintf("not checked: project %q was not found", project))
	default:
		s.Add(id, Fail, fmt.Sprintf("could not list the repositories of project %q: %s answered HTTP %d; try again later",
			project, s.APIHost, repos.status))
	}
}
