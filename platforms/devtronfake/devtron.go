// Package devtronfake runs a local emulator of Devtron's GitOps configuration API
// (/orchestrator/gitops/...) on loopback, written from Devtron's source (devtron-labs/devtron
// c6520431: api/router/GitOpsConfigRouter.go, api/restHandler/GitOpsConfigRestHandler.go,
// pkg/gitops/GitOpsConfigService.go, pkg/deployment/gitOps/validation, api/restHandler/common
// apiError.go, the authenticator middleware and common-lib's Recovery middleware). It answers
// with Devtron's envelope, status codes and quirks, keeps a request log, and has scenario switches
// for what a real Devtron does when its validation against the Git provider fails, is slow, or
// its Argo CD registration fails. Tests and `gitopscfg --demo` use it.
package devtronfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// The API tokens the emulator knows. Any other non-empty token is refused as Devtron refuses a
// token its session manager cannot verify (401 "Unauthorized", with a cookie echoing the token).
const (
	// SuperAdminToken belongs to a super-admin: every GitOps endpoint answers.
	SuperAdminToken = "devtron-demo-superadmin-0000000000000000"
	// ViewerToken belongs to a user without super-admin: GitOps endpoints answer 403 (except
	// /configured, which checks no permission).
	ViewerToken = "devtron-demo-viewer-00000000000000000000"
)

// Stage names, in the order Devtron's validation runs them (pkg/deployment/gitOps/validation/bean).
var Stages = []string{"Create Repo", "Clone Http", "Create Readme", "Clone Ssh", "Commit On Rest", "Push", "Delete Repo"}

// Providers are the values Devtron's DTO validator accepts (oneof=GITLAB GITHUB AZURE_DEVOPS BITBUCKET_CLOUD).
var Providers = []string{"GITLAB", "GITHUB", "AZURE_DEVOPS", "BITBUCKET_CLOUD"}

// Options configures the emulator.
type Options struct {
	// Latency is added to every request before it is answered (for benchmarks).
	Latency time.Duration
	// ArgoCDMissing emulates a Devtron without its Argo CD module: every create or update is saved
	// with validationSkipped true.
	ArgoCDMissing bool
	// Tokens adds API tokens (true: a super-admin's, false: a viewer's), e.g. test canaries.
	Tokens map[string]bool
}

// TLSConfig is Devtron's api/bean TLSConfig.
type TLSConfig struct {
	CaData      string `json:"caData"`
	TLSCertData string `json:"tlsCertData"`
	TLSKeyData  string `json:"tlsKeyData"`
}

// Config is Devtron's GitOpsConfigDto, as its JSON reads.
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

// Row is one stored configuration, as Devtron's gitops_config table holds it.
type Row struct {
	Config
	CaCert, TLSCert, TLSKey string
	UpdatedOn               time.Time
}

type validation struct {
	SuccessfulStages  []string          `json:"successfulStages"`
	StageErrorMap     map[string]string `json:"stageErrorMap"`
	ValidatedOn       time.Time         `json:"validatedOn"`
	DeleteRepoFailed  bool              `json:"deleteRepoFailed"`
	ValidationSkipped bool              `json:"validationSkipped"`
}

// Request is one entry of the request log. Body is the raw request body: it holds the Git token
// as Devtron's own logs do, so tests may inspect it but never print it.
type Request struct {
	Method, Path, Query string
	Token               string
	Body                []byte
	Status              int
}

// Server is a running emulator.
type Server struct {
	opts Options
	srv  *http.Server
	url  string
	wg   sync.WaitGroup

	mu          sync.Mutex
	rows        []*Row
	nextID      int
	log         []Request
	stageErrors map[string]string
	deleteFails bool
	fail500     int
	hold        chan struct{}
	holding     chan struct{}
	now         func() time.Time
}

// Start runs an emulator on 127.0.0.1 with a random port.
func Start(opts Options) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start the Devtron emulator: %w", err)
	}
	s := &Server{opts: opts, nextID: 1, now: time.Now, url: "http://" + ln.Addr().String()}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.wg.Add(1)
	go func() { defer s.wg.Done(); _ = s.srv.Serve(ln) }()
	return s, nil
}

// URL is the emulator's base URL (no trailing slash), as a Devtron instance URL.
func (s *Server) URL() string { return s.url }

// Close releases held validations and stops the emulator.
func (s *Server) Close() {
	s.Release()
	_ = s.srv.Close()
	s.wg.Wait()
}

// FailStages makes every following validation fail with these stage errors (nil: pass again).
func (s *Server) FailStages(m map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stageErrors = m
}

// DeleteRepoFails makes the validation's last stage fail: Devtron saves all the same and answers
// deleteRepoFailed, leaving its dry-run repository behind.
func (s *Server) DeleteRepoFails(v bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleteFails = v
}

// Fail500 makes the next n creates or updates that pass validation fail with 500 and change
// nothing, as when Devtron's Argo CD registration fails and its transaction rolls back.
func (s *Server) Fail500(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail500 = n
}

// Hold makes validations wait until Release, as a real validation waits for the Git provider
// (minutes at worst). Holding returns a channel closed when the first held validation starts.
func (s *Server) Hold() (holding <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hold = make(chan struct{})
	s.holding = make(chan struct{})
	return s.holding
}

// Release lets held validations go on; a validation whose client gave up still completes and
// saves, as Devtron's does.
func (s *Server) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hold != nil {
		close(s.hold)
		s.hold = nil
	}
}

// Requests returns a copy of the request log.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

// Rows returns copies of the stored configurations, by id.
func (s *Server) Rows() []Row {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Row, 0, len(s.rows))
	for _, r := range s.rows {
		out = append(out, *r)
	}
	return out
}

// Put stores a configuration directly (a test's "someone configured it in the web page"); it
// becomes active if active is set, switching the others off. It returns the id.
func (s *Server) Put(r Row) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	r.ID = s.nextID
	s.nextID++
	r.UpdatedOn = s.now()
	if r.Active {
		for _, o := range s.rows {
			o.Active = false
		}
	}
	cp := r
	s.rows = append(s.rows, &cp)
	return r.ID
}

type apiError struct {
	Code            string `json:"code,omitempty"`
	InternalMessage string `json:"internalMessage,omitempty"`
	UserMessage     string `json:"userMessage,omitempty"`
}

type envelope struct {
	Code   int        `json:"code,omitempty"`
	Status string     `json:"status,omitempty"`
	Result any        `json:"result,omitempty"`
	Errors []apiError `json:"errors,omitempty"`
}

// recorder captures the status for the request log.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

const prefix = "/orchestrator/gitops"

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.opts.Latency > 0 {
		select {
		case <-time.After(s.opts.Latency):
		case <-r.Context().Done():
			return
		}
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	rec := &recorder{ResponseWriter: w}
	s.serve(rec, r, body)
	s.mu.Lock()
	s.log = append(s.log, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Token: r.Header.Get("token"), Body: body, Status: rec.status})
	s.mu.Unlock()
}

// serve is the authenticator middleware, the router (StrictSlash) and the Recovery middleware.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, body []byte) {
	// Authorizer: the "token" header (the argocd.token cookie wins when present).
	token := r.Header.Get("token")
	if c, err := r.Cookie("argocd.token"); err == nil && c.Value != "" {
		token = c.Value
		r.Header.Set("token", token)
	}
	if token == "" {
		middlewareAnswer(w, http.StatusUnauthorized, "UN-AUTHENTICATED")
		return
	}
	admin, known := s.opts.Tokens[token]
	switch token {
	case SuperAdminToken:
		admin, known = true, true
	case ViewerToken:
		admin, known = false, true
	}
	if !known {
		// The session manager cannot verify it: Devtron sets a cookie holding the token it refused.
		http.SetCookie(w, &http.Cookie{Name: "argocd.token", Value: token, Path: "/", MaxAge: -1})
		middlewareAnswer(w, http.StatusUnauthorized, "Unauthorized")
		return
	}
	p := r.URL.Path
	if !strings.HasPrefix(p, prefix+"/") {
		http.NotFound(w, r)
		return
	}
	sub := strings.TrimPrefix(p, prefix)
	methods := routeMethods(sub, r.URL.Query())
	if methods == nil && strings.HasSuffix(sub, "/") && routeMethods(strings.TrimRight(sub, "/"), r.URL.Query()) != nil {
		// StrictSlash(true): a trailing slash is redirected away, even for POST and PUT.
		u := *r.URL
		u.Path = strings.TrimRight(p, "/")
		http.Redirect(w, r, u.String(), http.StatusMovedPermanently)
		return
	}
	if methods == nil {
		http.NotFound(w, r)
		return
	}
	if !slices.Contains(methods, r.Method) {
		w.WriteHeader(http.StatusMethodNotAllowed) // gorilla/mux: 405 with an empty body
		return
	}
	defer func() {
		if v := recover(); v != nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"error":"internal server error"}`))
		}
	}()
	switch {
	case sub == "/config" && r.Method == http.MethodPost:
		s.create(w, admin, body)
	case sub == "/config" && r.Method == http.MethodPut:
		s.update(w, admin, body)
	case sub == "/config" && r.Method == http.MethodGet:
		s.list(w, admin)
	case strings.HasPrefix(sub, "/config/"):
		s.byID(w, admin, strings.TrimPrefix(sub, "/config/"))
	case sub == "/config-by-provider":
		s.byProvider(w, admin, r.URL.Query().Get("provider"))
	case sub == "/configured":
		s.configured(w)
	case sub == "/validate":
		s.validateOnly(w, admin, body)
	}
}

// routeMethods returns the methods routed at sub, or nil when no route matches the path.
func routeMethods(sub string, q url.Values) []string {
	switch {
	case sub == "/config":
		return []string{http.MethodPost, http.MethodPut, http.MethodGet}
	case strings.HasPrefix(sub, "/config/") && len(sub) > len("/config/") && !strings.Contains(sub[len("/config/"):], "/"):
		return []string{http.MethodGet}
	case sub == "/config-by-provider" && q.Has("provider"):
		return []string{http.MethodGet}
	case sub == "/configured":
		return []string{http.MethodGet}
	case sub == "/validate":
		return []string{http.MethodPost}
	}
	return nil
}

// middlewareAnswer is the authenticator's writeResponse: {"code":N,"result":"message"}, no status.
func middlewareAnswer(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(envelope{Code: status, Result: msg})
}

func writeJSON(w http.ResponseWriter, status int, env envelope) {
	env.Code = status
	env.Status = http.StatusText(status)
	b, _ := json.Marshal(env)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func ok(w http.ResponseWriter, result any) { writeJSON(w, http.StatusOK, envelope{Result: result}) }

// fail writes WriteJsonResp's answer for a plain error: code "000" and the message twice.
func fail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, envelope{Errors: []apiError{{Code: "000", InternalMessage: msg, UserMessage: msg}}})
}

// failAPI writes WriteJsonResp's answer for a util.ApiError (its code only when it has one).
func failAPI(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, envelope{Errors: []apiError{{Code: code, InternalMessage: msg, UserMessage: msg}}})
}

// notFound is WriteJsonResp's answer for pg.ErrNoRows.
func notFound(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotFound, envelope{Errors: []apiError{{Code: "11006", InternalMessage: "resource not found", UserMessage: "Requested resource not found"}}})
}

func forbidden(w http.ResponseWriter) { fail(w, http.StatusForbidden, "unauthorized") }
