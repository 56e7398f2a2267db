package fake

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"gitopscfg/config"
	"gitopscfg/providers"
)

// Microsoft Entra ID's token endpoint, served by the Azure DevOps emulator at
// /entra/{tenant}/oauth2/v2.0/token (the authority URL is the emulator's URL + AzureAuthorityPath),
// as learn.microsoft.com documents the client-credentials grant with a shared secret (or a
// certificate: azure_entra_cert.go): a POST of
// the form client_id, client_secret, grant_type=client_credentials and scope {resource}/.default
// answers 200 {"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":…};
// a refusal is {"error","error_description":"AADSTS<code>: …\r\nTrace ID: …\r\nCorrelation ID: …
// \r\nTimestamp: …","error_codes":[<code>],"timestamp","trace_id","correlation_id","error_uri"}
// with 400 (invalid_request, unauthorized_client, invalid_scope, unsupported_grant_type) or 401
// (invalid_client). An access token for Azure DevOps (scope AzureDevOpsScope) is then accepted by
// the emulator's REST API and Git as "Authorization: Bearer".

const (
	// AzureAuthorityPath is where the emulator serves Entra: the authority URL is its URL plus this.
	AzureAuthorityPath = "/entra/"
	// AzureTenantID is the emulator's one tenant; AzureTenantDomain a verified domain of it.
	AzureTenantID     = "4f1d2c3b-6a5e-4b7c-9d8e-0f1a2b3c4d5e"
	AzureTenantDomain = "acme.onmicrosoft.com"
	// AzureSPClientID is an app registration whose principal is a user of the organisation and a
	// Contributor of AzureProject who may also delete repositories: it passes the check and the
	// round trip with AzureSPSecret.
	AzureSPClientID = "6e2d1c0b-9a8f-4e7d-8c6b-5a4f3e2d1c0b"
	// AzureSPNotMemberClientID signs in with AzureSPSecret, but its principal is not a user of the
	// organisation: Azure DevOps answers 401 TF401444.
	AzureSPNotMemberClientID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	// AzureSPDisplayName is the app registration's name, as Azure DevOps shows its principal.
	AzureSPDisplayName = "gitops-argocd"
	// AzureSPSecret is the valid client secret of both app registrations; AzureSPExpiredSecret an
	// expired one (AADSTS7000222). Any other secret is refused (AADSTS7000215).
	AzureSPSecret = "Qx58Q~demoServicePrincipalSecret0000000aB"
	// AzureSPSecondSecret is a second valid secret of both registrations (for a rotation by hand).
	AzureSPSecondSecret  = "Zr71Q~demoSecondClientSecret0000000000cD"
	AzureSPExpiredSecret = "Qx58Q~demoExpiredClientSecret000000000aB"
)

// entraApps are the emulator's app registrations: client ID → whether its principal is a user of
// the organisation.
var entraApps = map[string]bool{AzureSPClientID: true, AzureSPNotMemberClientID: false}

// ServicePrincipal returns the credentials of the service principal clientID with secret on e's
// Azure DevOps emulator, its authority URL pointing at the emulator's Entra.
func (e *Emulators) ServicePrincipal(clientID, secret string) providers.Credentials {
	c := e.Credentials(providers.Azure, secret)
	c.Kind, c.Username = config.CredentialServicePrincipal, ""
	c.TenantID, c.ClientID, c.AuthorityURL = AzureTenantID, clientID, e.URL(providers.Azure)+AzureAuthorityPath
	return c
}

func (e *azureEmulator) serveEntra(w http.ResponseWriter, r *http.Request, segs []string) {
	if len(segs) != 4 || segs[1] != "oauth2" || segs[2] != "v2.0" || segs[3] != "token" {
		http.NotFound(w, r)
		return
	}
	tenant := segs[0]
	if r.Method != http.MethodPost {
		entraError(w, http.StatusBadRequest, "invalid_request", 900561, "The endpoint only accepts POST requests. Received a "+r.Method+" request.")
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		entraError(w, http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	_ = r.ParseForm()
	f := r.PostForm
	clientID, secret, scope := f.Get("client_id"), f.Get("client_secret"), f.Get("scope")
	member, known := entraApps[strings.ToLower(clientID)]
	switch {
	case !strings.EqualFold(tenant, AzureTenantID) && !strings.EqualFold(tenant, AzureTenantDomain):
		entraError(w, http.StatusBadRequest, "invalid_request", 90002, "Tenant '"+tenant+"' not found. Check to make sure you have "+
			"the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may "+
			"happen if there are no active subscriptions for the tenant.")
	case f.Get("grant_type") == "":
		entraError(w, http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
	case f.Get("grant_type") != "client_credentials":
		entraError(w, http.StatusBadRequest, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '"+f.Get("grant_type")+"'.")
	case !known:
		entraError(w, http.StatusBadRequest, "unauthorized_client", 700016, "Application with identifier '"+clientID+"' was not found "+
			"in the directory 'Acme'. This can happen if the application has not been installed by the administrator of the tenant "+
			"or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.")
	case f.Get("client_assertion") != "" || f.Get("client_assertion_type") != "":
		e.serveAssertion(w, r, tenant, clientID, member)
	case secret == "":
		entraError(w, http.StatusUnauthorized, "invalid_client", 7000218, "The request body must contain the following parameter: "+
			"'client_assertion' or 'client_secret'.")
	case secret == AzureSPExpiredSecret:
		entraError(w, http.StatusUnauthorized, "invalid_client", 7000222, "The provided client secret keys for app '"+clientID+"' "+
			"are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider "+
			"using certificate credentials for added security: https://aka.ms/certCreds.")
	case secret != AzureSPSecret && secret != AzureSPSecondSecret:
		entraError(w, http.StatusUnauthorized, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being "+
			"sent in the request is the client secret value, not the client secret ID, for a secret added to app '"+clientID+"'.")
	case !strings.HasSuffix(scope, "/.default"):
		entraError(w, http.StatusBadRequest, "invalid_scope", 1002012, "The provided value for scope "+scope+" is not valid. "+
			"Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).")
	default:
		e.issueEntraToken(w, strings.ToLower(clientID), member, strings.TrimSuffix(scope, "/.default"))
	}
}

// serveAssertion answers a token request that authenticates with a client assertion
// (azure_entra_cert.go).
func (e *azureEmulator) serveAssertion(w http.ResponseWriter, r *http.Request, tenant, clientID string, member bool) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	endpoint := scheme + "://" + r.Host + AzureAuthorityPath + tenant + "/oauth2/v2.0/token"
	if ref := verifyAssertion(r.PostForm, clientID, endpoint, time.Now()); ref != nil {
		entraError(w, ref.status, ref.kind, ref.code, ref.msg)
		return
	}
	scope := r.PostForm.Get("scope")
	if !strings.HasSuffix(scope, "/.default") {
		entraError(w, http.StatusBadRequest, "invalid_scope", 1002012, "The provided value for scope "+scope+" is not valid. "+
			"Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).")
		return
	}
	e.issueEntraToken(w, strings.ToLower(clientID), member, strings.TrimSuffix(scope, "/.default"))
}

// issueEntraToken answers with a new access token for resource; one for Azure DevOps is accepted
// by the emulator as the principal of clientID.
func (e *azureEmulator) issueEntraToken(w http.ResponseWriter, clientID string, member bool, resource string) {
	now := time.Now()
	claims, _ := json.Marshal(map[string]any{"aud": resource, "iss": "https://sts.windows.net/" + AzureTenantID + "/",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(), "appid": clientID, "tid": AzureTenantID,
		"oid": newUUID(), "idtyp": "app", "ver": "1.0"})
	sig := make([]byte, 32)
	_, _ = rand.Read(sig)
	b64 := base64.RawURLEncoding.EncodeToString
	tok := b64([]byte(`{"typ":"JWT","alg":"RS256"}`)) + "." + b64(claims) + "." + b64(sig)
	if strings.TrimSuffix(strings.ToLower(resource), "/") == strings.TrimSuffix(providers.AzureDevOpsScope, "/.default") {
		id := &azureIdentity{ID: newUUID(), DisplayName: AzureSPDisplayName}
		e.mu.Lock()
		e.tokens[tok] = &azureToken{user: id, scopes: map[azScope]bool{azScopeCodeManage: true, azScopeProject: true},
			entra: true, notMember: !member}
		e.mu.Unlock()
	}
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.Header().Set("Pragma", "no-cache")
	WriteJSON(w, http.StatusOK, map[string]any{"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": tok})
}

// entraError writes Entra's error JSON.
func entraError(w http.ResponseWriter, status int, kind string, code int, msg string) {
	now := time.Now().UTC().Format("2006-01-02 15:04:05Z")
	trace, corr := newUUID(), newUUID()
	w.Header().Set("Cache-Control", "no-store, no-cache")
	WriteJSON(w, status, map[string]any{
		"error": kind, "error_description": fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s", code, msg, trace, corr, now),
		"error_codes": []int{code}, "timestamp": now, "trace_id": trace, "correlation_id": corr,
		"error_uri": fmt.Sprintf("https://login.microsoftonline.com/error?code=%d", code),
	})
}

// isBearer reports whether the request authenticates with "Authorization: Bearer".
func isBearer(r *http.Request) bool {
	scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	return strings.EqualFold(scheme, "bearer")
}
