package providers

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// A Microsoft Entra ID service principal signs in to Azure DevOps with the OAuth 2.0
// client-credentials grant (learn.microsoft.com, "Microsoft identity platform and the OAuth 2.0
// client credentials flow"): POST {authority}{tenant}/oauth2/v2.0/token with the form client_id,
// client_secret, grant_type=client_credentials and scope {Azure DevOps}/.default answers 200
// {"token_type":"Bearer","expires_in":3599,"access_token":…}; a refusal is
// {"error":…,"error_description":"AADSTS<code>: …","error_codes":[<code>],…}. Azure DevOps then
// takes the access token as "Authorization: Bearer", on its REST API and on Git over HTTPS.

const (
	// DefaultAuthorityURL is Microsoft Entra ID's host in the public cloud (Argo CD's default
	// azureActiveDirectoryEndpoint); the tenant and /oauth2/v2.0/token are appended to it.
	DefaultAuthorityURL = "https://login.microsoftonline.com/"
	// AzureDevOpsScope asks Entra for a token for Azure DevOps, whose resource id is
	// 499b84ac-1321-427f-aa17-267ca6975798.
	AzureDevOpsScope = "499b84ac-1321-427f-aa17-267ca6975798/.default"
	// entraBodyLimit bounds how much of Entra's answer is read.
	entraBodyLimit = 64 << 10
)

// The AADSTS codes the check names (learn.microsoft.com, "Microsoft Entra authentication and
// authorization error codes").
const (
	aadstsInvalidSecret  = 7000215 // invalid client secret (often the secret's ID given for its value)
	aadstsExpiredSecret  = 7000222 // the client secret has expired
	aadstsTenantNotFound = 90002   // no such tenant (or another cloud's)
	aadstsUnknownApp     = 700016  // no such application in the tenant
)

// EntraTokenURL is the token endpoint of c's tenant at c's authority.
func EntraTokenURL(c Credentials) string {
	return strings.TrimRight(cmp.Or(strings.TrimSpace(c.AuthorityURL), DefaultAuthorityURL), "/") + "/" +
		url.PathEscape(strings.TrimSpace(c.TenantID)) + "/oauth2/v2.0/token"
}

// entraError is Entra's refusal of a token request.
type entraError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
	Codes       []int  `json:"error_codes"`
}

// code is the AADSTS code of the refusal (0 when Entra named none).
func (e entraError) code() int {
	if len(e.Codes) > 0 {
		return e.Codes[0]
	}
	if rest, ok := strings.CutPrefix(e.Description, "AADSTS"); ok {
		n, _ := strconv.Atoi(strings.SplitN(rest, ":", 2)[0])
		return n
	}
	return 0
}

// summary is the first line of the description: Entra appends trace and correlation ids and a
// timestamp on lines of their own.
func (e entraError) summary() string {
	line, _, _ := strings.Cut(strings.ReplaceAll(e.Description, "\r\n", "\n"), "\n")
	return strings.TrimSpace(line)
}

// entraAnswer is the outcome of one token request: the access token, or Entra's refusal (status
// and body), or the transport error that prevented an answer.
type entraAnswer struct {
	token   string
	expires time.Time
	status  int
	refusal entraError
	host    string
	err     error
	// local says why no request was sent: the certificate cannot sign, or is out of its validity.
	local string
}

// entraForm is the token request's form: the client secret, or a client assertion signed with
// the certificate (azure_spcert.go); or why the certificate cannot sign in, said before asking.
func entraForm(s *session, endpoint string) (url.Values, string) {
	clientID := strings.TrimSpace(s.Creds.ClientID)
	form := url.Values{"client_id": {clientID}, "grant_type": {"client_credentials"}, "scope": {AzureDevOpsScope}}
	if !UsesCertificate(s.Creds) {
		form.Set("client_secret", s.Creds.Token)
		return form, ""
	}
	sc, err := ParseSPCertificate(s.Creds.Token)
	if err != nil {
		return nil, "the stored client certificate cannot sign in: " + err.Error() + "; store it again with `gitopscfg set " +
			s.Creds.CredentialName() + " --sp-cert FILE`"
	}
	if why := spCertValidity(s.Creds, sc.Cert, s.Now); why != "" {
		return nil, why
	}
	assertion, err := EntraAssertion(sc, clientID, endpoint, s.Now)
	if err != nil {
		return nil, err.Error()
	}
	s.mint(assertion) // no message shows it
	form.Set("client_assertion_type", EntraAssertionType)
	form.Set("client_assertion", assertion)
	return form, ""
}

// requestEntraToken asks Entra for an Azure DevOps token for s's service principal.
func requestEntraToken(ctx context.Context, s *session) entraAnswer {
	endpoint := EntraTokenURL(s.Creds)
	u, err := url.Parse(endpoint)
	if err != nil {
		return entraAnswer{err: err}
	}
	a := entraAnswer{host: u.Host}
	if err := RequireSafeURL(endpoint); err != nil {
		a.err = err
		return a
	}
	form, why := entraForm(s, endpoint)
	if why != "" {
		a.local = why
		return a
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		a.err = err
		return a
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	status, _, body, err := s.exchange(req, entraBodyLimit)
	if err != nil {
		a.err = err
		return a
	}
	a.status = status
	var ok struct {
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
		AccessToken string `json:"access_token"`
	}
	if status == http.StatusOK && json.Unmarshal(body, &ok) == nil && ok.AccessToken != "" {
		a.token, a.expires = ok.AccessToken, s.Now.Add(time.Duration(ok.ExpiresIn)*time.Second)
		return a
	}
	_ = json.Unmarshal(body, &a.refusal)
	return a
}

// entraBearer signs c's service principal in and returns its Azure DevOps token, or why it could
// not (sealed: no secret in it).
func entraBearer(ctx context.Context, env *Env, c Credentials) (string, error) {
	var r Result
	s, ok := newSession(env, MustLookup(c.Provider), c, &r)
	if !ok {
		return "", errors.New(c.Seal(r.Checks[0].Message))
	}
	a := requestEntraToken(ctx, s)
	switch {
	case a.err != nil:
		if msg := DescribeNetworkError(a.err, cmp.Or(a.host, "Microsoft Entra ID")); msg != "" {
			return "", errors.New(c.Seal("the service principal could not sign in: " + msg))
		}
		return "", errors.New(c.Seal("the service principal could not sign in: " + a.err.Error()))
	case a.local != "":
		return "", errors.New(c.Seal("the service principal could not sign in: " + a.local))
	case a.token == "":
		return "", errors.New(c.Seal(entraRefused(c, a)))
	}
	return a.token, nil
}

// ClientSecretsPage is where a service principal's client secrets are made and deleted.
func ClientSecretsPage(c Credentials) string {
	return "the app registration's Certificates & secrets page (Azure portal > Microsoft Entra ID > App registrations > " +
		strings.TrimSpace(c.ClientID) + ")"
}

// entraRefused says why Entra refused the token request, naming the AADSTS code and what to do.
func entraRefused(c Credentials, a entraAnswer) string {
	secrets := ClientSecretsPage(c)
	said := ""
	if sum := a.refusal.summary(); sum != "" {
		said = fmt.Sprintf(" (Microsoft Entra ID: %q)", sum)
	}
	if msg, ok := entraCertRefused(c, a.refusal.code(), said); ok {
		return msg
	}
	switch code := a.refusal.code(); code {
	case aadstsInvalidSecret:
		return fmt.Sprintf("Microsoft Entra ID refused the client secret (AADSTS%d: invalid client secret)%s: give the secret's Value, "+
			"not its Secret ID, as shown once when it was made on %s, or make a new secret there", code, said, secrets)
	case aadstsExpiredSecret:
		return fmt.Sprintf("the client secret has expired (AADSTS%d)%s: make a new one on %s and store it with "+
			"`gitopscfg set %s --token-stdin`", code, said, secrets, c.CredentialName())
	case aadstsTenantNotFound:
		return fmt.Sprintf("Microsoft Entra ID does not know the tenant %q (AADSTS%d)%s: give the Directory (tenant) ID from the app "+
			"registration's Overview page; a tenant of another cloud needs that cloud's authority URL (--authority-url, now %s)",
			c.TenantID, code, said, cmp.Or(c.AuthorityURL, DefaultAuthorityURL))
	case aadstsUnknownApp:
		return fmt.Sprintf("Microsoft Entra ID does not know the application %q in tenant %q (AADSTS%d)%s: give the Application "+
			"(client) ID from the app registration's Overview page, and check that the app is registered in that tenant",
			c.ClientID, c.TenantID, code, said)
	case 0:
		if a.status >= 500 {
			return fmt.Sprintf("%s answered the token request with HTTP %d, a server-side error: try again later", a.host, a.status)
		}
		return fmt.Sprintf("%s answered the token request with HTTP %d and no Microsoft Entra error: check the authority URL "+
			"(%s; it is the Entra host without the tenant)", a.host, a.status, cmp.Or(c.AuthorityURL, DefaultAuthorityURL))
	default:
		return fmt.Sprintf("Microsoft Entra ID refused the token request (AADSTS%d, %s)%s: see %s?code=%d",
			code, a.refusal.Error, said, strings.TrimRight(cmp.Or(c.AuthorityURL, DefaultAuthorityURL), "/")+"/error", code)
	}
}
