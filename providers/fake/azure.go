package fake

import (
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"gitopscfg/config"
	"gitopscfg/providers"
)

func init() {
	register(emulator{id: providers.Azure, handler: newAzure, hostPath: "/" + AzureOrganisation, apiPath: "/" + AzureOrganisation,
		demo: providers.Credentials{Provider: providers.Azure, Settings: config.Settings{Org: AzureProject, Username: AzureUser, Token: AzureTokenFull}}})
}

// Azure DevOps emulator identities and tokens. The emulator serves one organisation at
// /{AzureOrganisation}/ (as https://dev.azure.com/{organisation}/ does). Personal access tokens are
// 84 characters with the fixed signature "AZDO" at positions 76-79 (the format since July 2024;
// older PATs had 52). The token of a request selects its scenario; any other token gets the HTTP
// 203 HTML sign-in page, as Azure DevOps answers an invalid or malformed PAT on GET.
const (
	AzureOrganisation = "acme"
	AzureProject      = "gitops"
	AzureProjectID    = "8c6bf0a4-43f5-4c35-a7b2-59b6d4c0a5e1"
	// AzurePublicProject is a public project of the organisation: a repository created there is
	// public too (a repository takes its project's visibility).
	AzurePublicProject   = "opensource"
	AzurePublicProjectID = "0d1e2f30-4a5b-4c6d-8e9f-a0b1c2d3e4f5"
	AzureUser            = "jdoe@example.com"
	AzureDisplayName     = "Jane Doe"

	// AzureTokenFull has Code (read, write & manage) and Project and Team (read).
	AzureTokenFull = "V5IK5G2V6VRE3BC3TAXJ3GDFAYTQM6L5JNOIMSRX33NJWQER44Q26UFOTNK7KYSNQRNZQLU5TBSQAZDOMJYG"
	// AzureTokenNoCode has Project and Team (read) but no Code scope: repository requests get 401
	// TF400813.
	AzureTokenNoCode = "D7QTOQIGRKBC6NFGYYSZ5AJSR7L432JUITELZCDEA7DVTPB6N2RB7YJXIEDIVARPGSTMMJM6QEZIAZDO7V6N"
	// AzureTokenExpired gets 401 with X-TFS-ServiceError "Access Denied: The Personal Access Token
	// used has expired."
	AzureTokenExpired = "PWKADJZCOJLSK6BKVUIHAFBUZW6KUZ7GJUNTZ6JKP35WW563U7QX3FABU4RHEVZFPAVK2EDQCQ2MAZDO3PFK"
	// AzureTokenRevoked gets 401 "Access Denied: The Personal Access Token used has been revoked."
	AzureTokenRevoked = "CLUT2EPLZJZ2SREYALL5WSMVPQLC2XV5WFFMEXFLAABIYVURD6QRF2J5CHV4U45JISMAFV63JGKXAZDOYFRN"
	// AzureTokenInvalid (like any unknown token) gets HTTP 203 with the HTML sign-in page.
	AzureTokenInvalid = "3F73Q6L6CH5ULUAIQRN3N4YFHCQOTT4EMC3SSI2GWYGMXTW7FYMNS75YPF7BD62F2AEIIW5W6MCTAZDORIHJ"

	// Round-trip scenarios (see azure_repos.go).

	// AzureTokenNoManage has Code (read & write) but not (read, write & manage): it can clone and
	// push, but creating a repository gets 401 TF400813.
	AzureTokenNoManage = "F7QCAJ6XUBR7M2GMQF3VFX2Q4GMSGCMX7MBXP3TWHFMHRTMY6OINAMKBVTXYYSI7DL3ZG4PF44YEAZDO36T2"
	// AzureTokenPushDenied has every scope, but its user lacks the Contribute permission on the
	// project's repositories: Git answers the push with 403 (TF401027).
	AzureTokenPushDenied = "FMR47LBBHQXMQ4VQ227R667JY7T5UXKYRUZ7KSA4DLBHXX7DMJRA37E6OGXXJPUJCGGC65EBIFKQAZDO47BI"
	// AzureTokenNoDelete has every scope, but its user lacks the Delete repository permission:
	// DELETE gets 403 TF401027.
	AzureTokenNoDelete = "M4644R6ESXSXCFRRR634XCFPPCLVXCDN3VEKHZI57EIEWBLJLSJYOOI2KUPAYMUY4AZIOXRLJKIYAZDOEDAC"
	// AzureTokenLaggy has every scope; a repository it creates is answered 404 by GET for the
	// first AzureLagPolls reads (the API is slow to show it).
	AzureTokenLaggy = "6DHGXCDO2OSF6EDK4HHLDB3SQ4OMNRAQVFCXXHOBXV3DWIBAVE7A5QFROII2LPY36RQITCM4GLGAAZDOKHJZ"
)

// AzureLagPolls is how many reads miss a repository created with AzureTokenLaggy.
const AzureLagPolls = 2

// azScope is a PAT scope as Azure DevOps names it.
type azScope string

const (
	azScopeCode       azScope = "vso.code"
	azScopeCodeWrite  azScope = "vso.code_write"
	azScopeCodeManage azScope = "vso.code_manage"
	azScopeProject    azScope = "vso.project"
)

// azureToken is what the emulator knows of one PAT.
type azureToken struct {
	user    *azureIdentity
	scopes  map[azScope]bool
	expired bool
	revoked bool
	// Round-trip scenarios: project permissions the user lacks, and a slow repository API.
	noContribute, noDelete, laggy bool
	// entra marks a Microsoft Entra access token (a service principal's, taken as Bearer only);
	// notMember: its principal is not a user of the organisation (401 TF401444).
	entra, notMember bool
}

// can reports whether the PAT grants scope; Code scopes nest (manage ⊃ write ⊃ read).
func (t *azureToken) can(scope azScope) bool {
	switch scope {
	case azScopeCode:
		return t.scopes[azScopeCode] || t.scopes[azScopeCodeWrite] || t.scopes[azScopeCodeManage]
	case azScopeCodeWrite:
		return t.scopes[azScopeCodeWrite] || t.scopes[azScopeCodeManage]
	}
	return t.scopes[scope]
}

type azureIdentity struct {
	ID, DisplayName, Account string
}

// azureRepo is one Git repository.
type azureRepo struct {
	ID, Name, DefaultBranch string
	// hiddenReads is how many more GETs answer 404 (AzureTokenLaggy).
	hiddenReads int
}

type azureProject struct {
	ID, Name, Visibility string
	repos                []*azureRepo
}

// azureEmulator is the state of the Azure DevOps emulator: one organisation, its projects and
// their repositories, and the PATs it accepts. Its mutex guards every field.
type azureEmulator struct {
	mu       sync.Mutex
	org      string
	projects map[string]*azureProject // by lower-case name (project names are case-insensitive)
	tokens   map[string]*azureToken
	git      *gitBackend // set by Start (useGit) before serving
}

func newAzure() http.Handler {
	jdoe := &azureIdentity{ID: "2f8e6a4c-1b9d-4f53-9c7e-0d5a3b8e1f24", DisplayName: AzureDisplayName, Account: AzureUser}
	full := map[azScope]bool{azScopeCodeManage: true, azScopeProject: true}
	return &azureEmulator{
		org: AzureOrganisation,
		projects: map[string]*azureProject{
			strings.ToLower(AzureProject): {ID: AzureProjectID, Name: AzureProject, Visibility: "private",
				repos: []*azureRepo{{ID: "5febef5a-833d-4e14-b9c0-14cb638f91e6", Name: "gitops-bootstrap", DefaultBranch: "refs/heads/main"}}},
			strings.ToLower(AzurePublicProject): {ID: AzurePublicProjectID, Name: AzurePublicProject, Visibility: "public"},
		},
		tokens: map[string]*azureToken{
			AzureTokenFull:       {user: jdoe, scopes: full},
			AzureTokenNoCode:     {user: jdoe, scopes: map[azScope]bool{azScopeProject: true}},
			AzureTokenExpired:    {user: jdoe, scopes: full, expired: true},
			AzureTokenRevoked:    {user: jdoe, scopes: full, revoked: true},
			AzureTokenNoManage:   {user: jdoe, scopes: map[azScope]bool{azScopeCodeWrite: true, azScopeProject: true}},
			AzureTokenPushDenied: {user: jdoe, scopes: full, noContribute: true},
			AzureTokenNoDelete:   {user: jdoe, scopes: full, noDelete: true},
			AzureTokenLaggy:      {user: jdoe, scopes: full, laggy: true},
		},
	}
}

func (e *azureEmulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(segs) > 1 && segs[0] == strings.Trim(AzureAuthorityPath, "/") {
		e.serveEntra(w, r, segs[1:])
		return
	}
	if len(segs) < 2 || segs[0] != e.org {
		// dev.azure.com answers an unknown organisation with a 404 page.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("<!DOCTYPE html><html><head><title>Azure DevOps Services | 404</title></head><body>The resource cannot be found.</body></html>"))
		return
	}
	rest := segs[1:]
	if len(rest) >= 3 && rest[1] == "_git" {
		e.serveGit(w, r, rest[0], rest[2], "/"+strings.Join(rest[3:], "/"))
		return
	}
	tok, ok := e.authenticate(w, r)
	if !ok {
		return
	}
	preview := len(rest) == 2 && rest[0] == "_apis" && rest[1] == "connectionData"
	if !azureVersionSupplied(w, r, preview) {
		return
	}
	if len(rest) >= 4 && rest[1] == "_apis" && rest[2] == "git" && rest[3] == "repositories" && (len(rest) == 5 || r.Method == http.MethodPost) {
		e.repositoryLifecycle(w, r, tok, rest[0], rest[4:])
		return
	}
	if r.Method != http.MethodGet {
		azureMethodNotAllowed(w, r)
		return
	}
	switch {
	case len(rest) == 2 && rest[0] == "_apis" && rest[1] == "connectionData":
		e.connectionData(w, tok)
	case len(rest) == 3 && rest[0] == "_apis" && rest[1] == "projects":
		if !tok.scopes[azScopeProject] && !tok.scopes[azScopeCodeManage] {
			azureNotAuthorized(w, tok)
			return
		}
		e.project(w, rest[2])
	case len(rest) == 4 && rest[1] == "_apis" && rest[2] == "git" && rest[3] == "repositories":
		if !tok.can(azScopeCode) {
			azureNotAuthorized(w, tok)
			return
		}
		e.repositories(w, r, rest[0])
	default:
		azureError(w, http.StatusNotFound, "", "The controller for path '"+r.URL.Path+"' was not found or does not implement IController.",
			"System.Web.HttpException", "HttpException")
	}
}

// azureAPIVersion is the api-version a request names, in its query or its Accept header
// ("application/json; api-version=7.1"), or "".
func azureAPIVersion(r *http.Request) string {
	if v := r.URL.Query().Get("api-version"); v != "" {
		return v
	}
	for _, accept := range r.Header.Values("Accept") {
		for part := range strings.SplitSeq(accept, ",") {
			if _, params, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && params["api-version"] != "" {
				return params["api-version"]
			}
		}
	}
	return ""
}

// azureVersionSupplied answers a REST request without an api-version as Azure DevOps does (400
// VssVersionNotSpecifiedException), and one for a preview-only resource (preview: connectionData,
// which has no released version) without the -preview flag with 400
// VssInvalidPreviewVersionException; it reports whether the request may go on.
func azureVersionSupplied(w http.ResponseWriter, r *http.Request, preview bool) bool {
	v := azureAPIVersion(r)
	switch {
	case v == "":
		azureError(w, http.StatusBadRequest, "", "No api-version was supplied for the \""+r.Method+"\" request. The version must "+
			"be supplied either as part of the Accept header (e.g. \"application/json; api-version=1.0\") or as a query "+
			"parameter (e.g. \"?api-version=1.0\").",
			"Microsoft.VisualStudio.Services.WebApi.VssVersionNotSpecifiedException, Microsoft.VisualStudio.Services.WebApi",
			"VssVersionNotSpecifiedException")
		return false
	case preview && !strings.Contains(strings.ToLower(v), "-preview"):
		azureError(w, http.StatusBadRequest, "", "The requested version \""+v+"\" of the resource is under preview. The -preview "+
			"flag must be supplied in the api-version for such requests. For example: \""+v+"-preview\"",
			"Microsoft.VisualStudio.Services.WebApi.VssInvalidPreviewVersionException, Microsoft.VisualStudio.Services.WebApi",
			"VssInvalidPreviewVersionException")
		return false
	}
	return true
}

func azureMethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	azureError(w, http.StatusMethodNotAllowed, "", "The requested resource does not support http method '"+r.Method+"'.",
		"System.Web.Http.HttpResponseException", "HttpResponseException")
}

// authenticate answers a request whose PAT is missing, unknown, expired or revoked as Azure
// DevOps does, and otherwise returns the token.
func (e *azureEmulator) authenticate(w http.ResponseWriter, r *http.Request) (*azureToken, bool) {
	if r.Header.Get("Authorization") == "" {
		w.Header().Set("WWW-Authenticate", `Bearer authorization_uri=https://login.microsoftonline.com/common, Basic realm="https://dev.azure.com/", TFS-Federated`)
		azureError(w, http.StatusUnauthorized, "", "TF400813: Resource not available for anonymous access. Client authentication required.",
			"Microsoft.TeamFoundation.Framework.Server.UnauthorizedRequestException, Microsoft.TeamFoundation.Framework.Server", "UnauthorizedRequestException")
		return nil, false
	}
	e.mu.Lock()
	tok := e.tokens[RequestToken(r)]
	e.mu.Unlock()
	if tok != nil && tok.entra && !isBearer(r) {
		tok = nil // an Entra token goes as Bearer
	}
	switch {
	case tok == nil:
		if r.Method == http.MethodGet || r.Method == http.MethodPost {
			azureSignInPage(w)
		} else {
			azureError(w, http.StatusUnauthorized, "", "TF400813: Resource not available for anonymous access. Client authentication required.",
				"Microsoft.TeamFoundation.Framework.Server.UnauthorizedRequestException, Microsoft.TeamFoundation.Framework.Server", "UnauthorizedRequestException")
		}
		return nil, false
	case tok.expired, tok.revoked:
		msg := "Access Denied: The Personal Access Token used has expired."
		if tok.revoked {
			msg = "Access Denied: The Personal Access Token used has been revoked."
		}
		w.Header().Set("WWW-Authenticate", `Bearer authorization_uri=https://login.microsoftonline.com/common, Basic realm="https://dev.azure.com/", TFS-Federated`)
		azureError(w, http.StatusUnauthorized, msg, msg,
			"Microsoft.VisualStudio.Services.Security.AccessCheckException, Microsoft.VisualStudio.Services.WebApi", "AccessCheckException")
		return nil, false
	case tok.notMember:
		msg := "TF401444: Please sign-in at least once as " + AzureTenantID + "\\" + AzureTenantID + "\\" + tok.user.ID +
			" in a web browser to enable access to the service."
		azureError(w, http.StatusUnauthorized, msg, msg,
			"Microsoft.TeamFoundation.Framework.Server.UnauthorizedRequestException, Microsoft.TeamFoundation.Framework.Server", "UnauthorizedRequestException")
		return nil, false
	}
	return tok, true
}

// azureSignInPage is Azure DevOps' answer to an invalid or malformed credential on GET and POST:
// HTTP 203 Non-Authoritative Information with the HTML sign-in page, not 401.
func azureSignInPage(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNonAuthoritativeInfo)
	_, _ = w.Write([]byte(`<!DOCTYPE html><html><head><title>Azure DevOps Services | Sign In</title>` +
		`<meta http-equiv="X-UA-Compatible" content="IE=11;"/></head><body><form method="post" action="https://login.microsoftonline.com/">` +
		`<p>Sign in to your account</p></form></body></html>`))
}

// azureNotAuthorized is the 401 a PAT without the needed scope gets.
func azureNotAuthorized(w http.ResponseWriter, tok *azureToken) {
	msg := "TF400813: The user '" + tok.user.ID + "' is not authorized to access this resource."
	azureError(w, http.StatusUnauthorized, msg, msg,
		"Microsoft.TeamFoundation.Framework.Server.UnauthorizedRequestException, Microsoft.TeamFoundation.Framework.Server", "UnauthorizedRequestException")
}

// azureError writes Azure DevOps' JSON error body and, when serviceError is set, its
// X-TFS-ServiceError header (URL-encoded, as the service sends it).
func azureError(w http.ResponseWriter, status int, serviceError, msg, typeName, typeKey string) {
	if serviceError != "" {
		w.Header().Set("X-TFS-ServiceError", strings.ReplaceAll(url.PathEscape(serviceError), ":", "%3A"))
	}
	WriteJSON(w, status, map[string]any{
		"$id": "1", "innerException": nil, "message": msg, "typeName": typeName, "typeKey": typeKey,
		"errorCode": 0, "eventId": 3000,
	})
}

func (e *azureEmulator) connectionData(w http.ResponseWriter, tok *azureToken) {
	u := map[string]any{
		"id":                  tok.user.ID,
		"descriptor":          "Microsoft.IdentityModel.Claims.ClaimsIdentity;72f988bf-86f1-41af-91ab-2d7cd011db47\\" + tok.user.Account,
		"subjectDescriptor":   "aad.MmY4ZTZhNGMtMWI5ZC03ZjUzLTljN2UtMGQ1YTNiOGUxZjI0",
		"providerDisplayName": tok.user.DisplayName,
		"isActive":            true,
		"properties":          map[string]any{},
		"resourceVersion":     2,
		"metaTypeId":          0,
	}
	if tok.user.Account != "" {
		u["properties"] = map[string]any{"Account": map[string]any{"$type": "System.String", "$value": tok.user.Account}}
	}
	WriteJSON(w, http.StatusOK, map[string]any{
		"authenticatedUser": u, "authorizedUser": u,
		"instanceId": "3e2c5b1a-9f04-4d7c-8a6e-1b2c3d4e5f60", "deploymentId": "a1b2c3d4-0000-4000-8000-000000000001",
		"deploymentType": "hosted",
		"locationServiceData": map[string]any{"serviceOwner": "00025394-6065-48ca-87d9-7f5672854ef7",
			"defaultAccessMappingMoniker": "PublicAccessMapping", "lastChangeId": 1, "lastChangeId64": 1},
	})
}

// lookup returns the project with the given name (or ID), if any.
func (e *azureEmulator) lookup(nameOrID string) (azureProject, bool) {
	name, _ := url.PathUnescape(nameOrID)
	e.mu.Lock()
	defer e.mu.Unlock()
	if p, ok := e.projects[strings.ToLower(name)]; ok {
		return *p, true
	}
	for _, p := range e.projects {
		if strings.EqualFold(p.ID, name) {
			return *p, true
		}
	}
	return azureProject{}, false
}

func azureProjectNotFound(w http.ResponseWriter, name string) {
	name, _ = url.PathUnescape(name)
	azureError(w, http.StatusNotFound, "", "TF200016: The following project does not exist: "+name+
		". Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server.",
		"Microsoft.TeamFoundation.Core.WebApi.ProjectDoesNotExistWithNameException, Microsoft.TeamFoundation.Core.WebApi",
		"ProjectDoesNotExistWithNameException")
}

func (e *azureEmulator) projectJSON(p azureProject) map[string]any {
	return map[string]any{
		"id": p.ID, "name": p.Name, "url": "https://dev.azure.com/" + e.org + "/_apis/projects/" + p.ID,
		"state": "wellFormed", "revision": 11, "visibility": p.Visibility, "lastUpdateTime": "2026-01-12T09:30:00.000Z",
	}
}

func (e *azureEmulator) project(w http.ResponseWriter, name string) {
	p, ok := e.lookup(name)
	if !ok {
		azureProjectNotFound(w, name)
		return
	}
	out := e.projectJSON(p)
	out["defaultTeam"] = map[string]any{"id": "d1f0e0b4-5c1d-4c4e-9a0e-2f6b1c0d9e11", "name": p.Name + " Team"}
	WriteJSON(w, http.StatusOK, out)
}

func (e *azureEmulator) repositories(w http.ResponseWriter, r *http.Request, project string) {
	p, ok := e.lookup(project)
	if !ok {
		azureProjectNotFound(w, project)
		return
	}
	values := make([]map[string]any, 0, len(p.repos))
	e.mu.Lock()
	for _, repo := range p.repos {
		values = append(values, e.repoJSON(r, p, repo))
	}
	e.mu.Unlock()
	WriteJSON(w, http.StatusOK, map[string]any{"value": values, "count": len(values)})
}
