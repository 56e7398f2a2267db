// Package platforms delivers verified Git credentials to the GitOps platforms: Devtron through
// its GitOps configuration API, Argo CD and Flux as Kubernetes manifests. It sits beside
// providers/ and imports only providers and config; its emulator is platforms/devtronfake.
package platforms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"gitopscfg/providers"
)

// Devtron is a client of one Devtron instance's GitOps configuration API.
type Devtron struct {
	in   Instance
	base string // https://devtron.example.com (no trailing slash)
	host string
	http *http.Client
	env  *providers.Env
}

// Deliver is Push: Devtron's delivery of one credential.
func (d *Devtron) Deliver(ctx context.Context, c providers.Credentials, o PushOptions) (PushResult, error) {
	return d.Push(ctx, c, o)
}

// bodyLimit bounds what is read of an answer.
const bodyLimit = 1 << 20

// NewDevtron returns a client for in, refusing an unsafe URL or an empty token before any
// request. Requests go through env's shared clients (one per CA bundle); redirects are never
// followed (Devtron answers a trailing slash with 301, and a POST must not turn into a GET).
func NewDevtron(env *providers.Env, in Instance) (*Devtron, error) {
	raw := strings.TrimSpace(in.URL)
	if err := providers.RequireSafeURL(raw); err != nil {
		return nil, fmt.Errorf("the Devtron URL: %w", err)
	}
	if strings.TrimSpace(in.Token) == "" {
		return nil, errors.New("no Devtron API token is stored: run `gitopscfg devtron set --url URL --token-stdin`")
	}
	u, _ := url.Parse(raw)
	hc, err := env.Clients.ForTransport(providers.Transport{CABundle: in.CABundle, Net: in.Net})
	if err != nil {
		return nil, fmt.Errorf("the Devtron CA bundle, proxy or client certificate: %w", err)
	}
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	base := u.Scheme + "://" + u.Host + strings.TrimRight(u.Path, "/")
	return &Devtron{in: in, base: base, host: u.Host, http: &c, env: env}, nil
}

// Host is the Devtron host, for messages.
func (d *Devtron) Host() string { return d.host }

// APIError is an answer of Devtron that is not a success, or no answer at all. Msg is written for
// the admin and never holds a token or a raw body.
type APIError struct {
	Status int
	Msg    string
	// Err is the transport error when no answer came (Status 0).
	Err error
}

func (e *APIError) Error() string {
	if e.Status == 0 {
		return e.Msg
	}
	return fmt.Sprintf("%s (HTTP %d)", e.Msg, e.Status)
}

func (e *APIError) Unwrap() error { return e.Err }

// envelope is Devtron's response body: {"code","status","result","errors":[...]}; the
// authenticator's own answers carry only code and result (a string).
type envelope struct {
	Code   int             `json:"code"`
	Status string          `json:"status"`
	Result json.RawMessage `json:"result"`
	Errors []struct {
		Code            string          `json:"code"`
		InternalMessage string          `json:"internalMessage"`
		UserMessage     json.RawMessage `json:"userMessage"`
	} `json:"errors"`
}

// answer is one exchange with Devtron.
type answer struct {
	status int
	body   []byte
	env    *envelope // nil when the body is not Devtron's JSON envelope
}

// userMessage is Devtron's first error message, redacted with both tokens and cut short; "" when
// there is none. It is the only part of an error body ever shown.
func (a answer) userMessage(redact func(string) string) string {
	if a.env == nil || len(a.env.Errors) == 0 {
		if a.env != nil && len(a.env.Result) > 0 && a.env.Result[0] == '"' {
			var s string
			_ = json.Unmarshal(a.env.Result, &s)
			return clip(redact(s))
		}
		return ""
	}
	e := a.env.Errors[0]
	var msg string
	if err := json.Unmarshal(e.UserMessage, &msg); err != nil || msg == "" {
		msg = e.InternalMessage
	}
	return clip(redact(msg))
}

func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// do sends one request to path (under /orchestrator/gitops) with the token header and reads the
// answer. extra masks another secret (the Git token inside a body) in what comes back.
func (d *Devtron) do(ctx context.Context, method, path string, body any) (answer, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return answer{}, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, d.base+"/orchestrator/gitops"+path, rd)
	if err != nil {
		return answer{}, &APIError{Msg: "cannot build the request to Devtron: " + d.in.Redact(err.Error())}
	}
	req.Header.Set("token", d.in.Token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := d.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return answer{}, &APIError{Msg: "stopped waiting for Devtron at " + d.host, Err: ctx.Err()}
		}
		msg := providers.DescribeNetworkError(err, d.host)
		if msg == "" {
			msg = "cannot reach Devtron at " + d.host
		}
		return answer{}, &APIError{Msg: d.in.Redact(strings.ReplaceAll(msg, "Git host", "Devtron URL")), Err: errNetwork}
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(io.LimitReader(resp.Body, bodyLimit))
	if err != nil {
		if ctx.Err() != nil {
			return answer{}, &APIError{Msg: "stopped waiting for Devtron at " + d.host, Err: ctx.Err()}
		}
		return answer{}, &APIError{Msg: "the answer of Devtron at " + d.host + " was cut off; try again", Err: errNetwork}
	}
	a := answer{status: resp.StatusCode, body: b}
	var env envelope
	if json.Unmarshal(b, &env) == nil && (env.Code != 0 || env.Result != nil || env.Errors != nil) {
		a.env = &env
	}
	return a, nil
}

// errNetwork marks an APIError for which no answer came.
var errNetwork = errors.New("no answer")

// isNetwork reports whether err means Devtron could not be reached.
func isNetwork(err error) bool { return errors.Is(err, errNetwork) }

// failure explains a non-2xx answer to op (e.g. "read the GitHub configuration") precisely.
func (d *Devtron) failure(a answer, op string, redact func(string) string) *APIError {
	um := a.userMessage(redact)
	say := func(format string, args ...any) *APIError {
		msg := fmt.Sprintf(format, args...)
		if um != "" {
			msg += " (Devtron: " + um + ")"
		}
		return &APIError{Status: a.status, Msg: msg}
	}
	switch a.status {
	case http.StatusUnauthorized:
		um = "" // the authenticator's word ("Unauthorized") adds nothing
		return say("Devtron at %s refused the API token: it is invalid, expired or revoked; create one under Global Configurations > Authorization > API tokens and store it with `gitopscfg devtron set --url %s --token-stdin`", d.host, d.base)
	case http.StatusForbidden:
		um = ""
		return say("could not %s: the Devtron API token is not a super-admin's, and all of Devtron's GitOps settings need super-admin; give the token's user Super admin under Global Configurations > Authorization > User Permissions, or use a super-admin's token", op)
	case http.StatusNotFound:
		if a.env == nil {
			return &APIError{Status: a.status, Msg: fmt.Sprintf("could not %s: %s has no Devtron GitOps API at %s/orchestrator/gitops: check the Devtron URL (the address of its dashboard, without /dashboard)", op, d.host, d.base)}
		}
		return say("could not %s: Devtron has no such configuration", op)
	case http.StatusConflict:
		return say("could not %s: Devtron already holds a configuration for this provider (created meanwhile?): run the push again, it will update that one", op)
	case http.StatusPreconditionFailed:
		return say("could not %s: Devtron refused the TLS settings (a client certificate without its key, or TLS verification on with no certificate at all); nothing was saved", op)
	case http.StatusMethodNotAllowed, http.StatusMovedPermanently, http.StatusFound, http.StatusPermanentRedirect, http.StatusTemporaryRedirect:
		return &APIError{Status: a.status, Msg: fmt.Sprintf("could not %s: %s does not answer like Devtron's GitOps API (HTTP %d): check the Devtron URL", op, d.host, a.status)}
	case http.StatusBadRequest:
		return say("could not %s: Devtron refused the request as malformed", op)
	}
	if a.status >= 500 {
		return say("could not %s: Devtron failed with an internal error", op)
	}
	return say("could not %s: Devtron answered unexpectedly", op)
}

// result decodes a 200 answer's result into v.
func (d *Devtron) result(a answer, op string, v any) error {
	if a.env == nil || a.env.Result == nil {
		return &APIError{Status: a.status, Msg: fmt.Sprintf("could not %s: %s answered without Devtron's JSON envelope: check the Devtron URL", op, d.host)}
	}
	if err := json.Unmarshal(a.env.Result, v); err != nil {
		return &APIError{Status: a.status, Msg: fmt.Sprintf("could not %s: Devtron's answer is not the expected JSON", op)}
	}
	return nil
}

// Check ids of the Devtron instance check.
const (
	CheckReachable  = "devtron:reachable"
	CheckToken      = "devtron:token"
	CheckSuperAdmin = "devtron:super-admin"
)

// Check tests the instance: reachable, the API token valid, its user a super-admin. GET
// /configured needs only a valid token; GET /config needs super-admin.
func (d *Devtron) Check(ctx context.Context) (r providers.Result) {
	start := time.Now()
	r = providers.Result{Host: d.base + "/"}
	if px := d.env.Clients.Proxy(providers.Transport{CABundle: d.in.CABundle, Net: d.in.Net}, d.base); px != "" {
		r.Proxy = &px
	}
	defer func() {
		r.DurationMS = time.Since(start).Milliseconds()
		if d.in.HasClientCert() {
			r.Checks = append(r.Checks, providers.ClientCertCheck(d.in.Net, time.Now()))
		}
		r.Finish()
	}()
	a, err := d.do(ctx, http.MethodGet, "/configured", nil)
	if err != nil {
		r.Add(CheckReachable, providers.Fail, err.Error())
		return r
	}
	switch {
	case a.status == http.StatusUnauthorized:
		r.Add(CheckReachable, providers.Pass, "Devtron answers at "+d.host)
		r.Add(CheckToken, providers.Fail, d.failure(a, "", d.in.Redact).Msg)
		r.Add(CheckSuperAdmin, providers.Skip, "not checked: the token was refused")
		return r
	case a.status != http.StatusOK || a.env == nil:
		r.Add(CheckReachable, providers.Fail, d.failure(a, "read Devtron's GitOps state", d.in.Redact).Error())
		return r
	}
	r.Add(CheckReachable, providers.Pass, "Devtron answers at "+d.host)
	r.Add(CheckToken, providers.Pass, "the API token is valid")
	a, err = d.do(ctx, http.MethodGet, "/config", nil)
	switch {
	case err != nil:
		r.Add(CheckSuperAdmin, providers.Fail, err.Error())
	case a.status == http.StatusOK:
		r.Add(CheckSuperAdmin, providers.Pass, "the token's user is a super-admin (needed for the GitOps settings)")
	default:
		r.Add(CheckSuperAdmin, providers.Fail, d.failure(a, "read the GitOps settings", d.in.Redact).Msg)
	}
	return r
}

// Config is Devtron's GitOpsConfigDto as it travels (api/bean/gitOps/GitOpsConfig.go).
type Config struct {
	ID                    int        `json:"id,omitempty"`
	Provider              string     `json:"provider"`
	Username              string     `json:"username"`
	Token                 string     `json:"token"`
	GitLabGroupID         string     `json:"gitLabGroupId"`
	GitHubOrgID           string     `json:"gitHubOrgId"`
	Host                  string     `json:"host"`
	Active                bool       `json:"active"`
	AzureProjectName      string     `json:"azureProjectName"`
	BitBucketWorkspaceID  string     `json:"bitBucketWorkspaceId"`
	BitBucketProjectKey   string     `json:"bitBucketProjectKey"`
	AllowCustomRepository bool       `json:"allowCustomRepository"`
	EnableTLSVerification bool       `json:"enableTLSVerification"`
	TLSConfig             *TLSConfig `json:"tlsConfig"`
	IsCADataPresent       bool       `json:"isCADataPresent"`
	IsTLSCertDataPresent  bool       `json:"isTLSCertDataPresent"`
	IsTLSKeyDataPresent   bool       `json:"isTLSKeyDataPresent"`
}

// TLSConfig is Devtron's TLS data (PEM strings).
type TLSConfig struct {
	CaData      string `json:"caData"`
	TLSCertData string `json:"tlsCertData"`
	TLSKeyData  string `json:"tlsKeyData"`
}

// List returns every configuration Devtron holds (tokens masked by Devtron).
func (d *Devtron) List(ctx context.Context) ([]Config, error) {
	const op = "list Devtron's GitOps configurations"
	a, err := d.do(ctx, http.MethodGet, "/config", nil)
	if err != nil {
		return nil, err
	}
	if a.status != http.StatusOK {
		return nil, d.failure(a, op, d.in.Redact)
	}
	var out []Config
	if err := d.result(a, op, &out); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Token = "" // masked by Devtron; never keep one
	}
	return out, nil
}

// ByProvider returns Devtron's configuration for provider (GITHUB, ...), with its token in
// plaintext as Devtron returns it: callers compare it, never show it. found is false on 404.
func (d *Devtron) ByProvider(ctx context.Context, provider string) (cfg Config, found bool, err error) {
	op := "read Devtron's " + provider + " configuration"
	a, err := d.do(ctx, http.MethodGet, "/config-by-provider?provider="+url.QueryEscape(provider), nil)
	if err != nil {
		return Config{}, false, err
	}
	switch {
	case a.status == http.StatusNotFound && a.env != nil:
		return Config{}, false, nil
	case a.status != http.StatusOK:
		return Config{}, false, d.failure(a, op, d.in.Redact)
	}
	if err := d.result(a, op, &cfg); err != nil {
		return Config{}, false, err
	}
	if cfg.ID == 0 {
		return Config{}, false, &APIError{Status: a.status, Msg: "could not " + op + ": Devtron's answer has no id"}
	}
	return cfg, true, nil
}
