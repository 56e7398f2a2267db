package providers

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"gitopscfg/config/safe"
)

// DefaultTimeout bounds one live check as a whole.
const DefaultTimeout = 15 * time.Second

// Env is what a check needs from its process: the shared HTTP clients and the clock.
type Env struct {
	Clients *Clients
	Timeout time.Duration
	Now     func() time.Time
	// RepoNames, when set, names the round trip's throw-away repositories (tests inject it to
	// force a collision); nil means RepoPrefix + 6 random [a-z0-9] from crypto/rand.
	RepoNames func() string
	// orgs, when set (WithOrgMemo), remembers ResolveOrg's answers.
	orgs *orgMemo
}

// NewEnv returns an Env with a fresh client pool for the given program version.
func NewEnv(version string) *Env {
	return &Env{Clients: newClients(version), Timeout: DefaultTimeout, Now: time.Now}
}

// session is one check run of one provider, as handed to that provider's checker.
type session struct {
	Creds    Credentials
	Provider Provider
	// APIBase is the REST API base URL without a trailing slash.
	APIBase string
	// APIHost is APIBase's host, for messages.
	APIHost string
	HTTP    *http.Client
	Now     time.Time
	// bearer is an access token the check obtained for the credential (an Azure service
	// principal's, from Microsoft Entra ID); requests then carry it instead of the secret.
	bearer string
	env    *Env

	mu     sync.Mutex
	result *Result
	// minted are secrets the check made from the credential (a GitHub App's JWT and installation
	// token): Add masks them as it masks the credential's own.
	minted []string
	// deferRevoke leaves the revocation of a GitHub App's installation token to the caller
	// (RunDeferred), which pendingRevoke then does.
	deferRevoke   bool
	pendingRevoke func(context.Context) string
}

// redact masks the credential's secret and the ones the check minted in msg.
func (s *session) redact(msg string) string {
	msg = s.Creds.Redact(msg)
	for _, m := range s.minted {
		msg = safe.Redact(msg, m)
	}
	return msg
}

// mint records a secret the check made, so that no message shows it.
func (s *session) mint(secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.minted = append(s.minted, secret)
}

// Add records a check; safe for concurrent use by a checker's parallel requests.
func (s *session) Add(id string, st Status, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.result.Add(id, st, s.redact(msg))
}

// SetUser records who the token authenticates as.
func (s *session) SetUser(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.result.User = u
}

// SetExpiry records when the token expires.
func (s *session) SetExpiry(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t = t.UTC()
	s.result.ExpiresAt = &t
}

// exchange sends req on the shared client and reads at most limit bytes of the answer; err is a
// transport error (status is then 0).
func (s *session) exchange(req *http.Request, limit int64) (status int, header http.Header, body []byte, err error) {
	resp, err := s.HTTP.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err = io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return 0, nil, nil, err
	}
	if int64(len(body)) > limit {
		e := &AnswerTooLargeError{Host: req.URL.Host, Method: req.Method, Path: req.URL.Path, Limit: limit}
		noteTooLarge(req.Context(), e)
		return 0, nil, nil, e
	}
	return resp.StatusCode, resp.Header, body, nil
}

// TokenURL is the page where this provider's tokens are created, for messages.
func (s *session) TokenURL() string { return s.Provider.TokenURL(s.Creds.Host) }

// NetworkFailure records a failing network check for err if err is a network error, and reports
// whether it did. A checker calls it on the first failing request and stops if it returns true.
func (s *session) NetworkFailure(err error) bool {
	msg := DescribeNetworkError(err, s.APIHost)
	if msg == "" {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.result.Find(CheckNetwork); !dup {
		s.result.Add(CheckNetwork, Fail, s.redact(msg))
	}
	return true
}

// tooLargeFailure makes the network check a failure saying which answer was too large, whatever
// the checker made of the read error.
func (s *session) tooLargeFailure(e *AnswerTooLargeError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, c := range s.result.Checks {
		if c.ID == CheckNetwork {
			s.result.Checks[i] = Check{ID: CheckNetwork, Status: Fail, Message: e.Error()}
			return
		}
	}
	s.result.Add(CheckNetwork, Fail, e.Error())
}

// checker is one provider's live check: it adds checks to the session's result.
type checker func(ctx context.Context, s *session)

// Run checks one provider's credentials against its API within env's deadline. It never returns
// an error: every problem, including an unreachable host, is a failing check in the result.
// Everything the check did is done when it returns (a GitHub App's installation token is revoked).
func Run(ctx context.Context, env *Env, c Credentials) Result {
	r, _ := run(ctx, env, c, false)
	return r
}

// run is Run; with deferRevoke, a GitHub App's installation token is left for pending to revoke
// (RunDeferred).
func run(ctx context.Context, env *Env, c Credentials, deferRevoke bool) (r Result, pending Pending) {
	start := time.Now()
	r = Result{Provider: c.Provider, Credential: c.CredentialName(), Kind: c.CredentialKind(), Host: cmp.Or(c.Host, c.URL)} // the generic provider over SSH: its URL
	defer func() {
		r.DurationMS = time.Since(start).Milliseconds()
		r.Finish()
		r = r.Sealed(c) // nothing leaves unsealed, whatever a checker put in it
	}()
	p, err := Lookup(string(c.Provider))
	if err != nil {
		r.Add(CheckAuth, Fail, err.Error())
		return r, nil
	}
	if !p.TakesKind(c.Kind) {
		r.Add(CheckAuth, Fail, fmt.Sprintf("%s takes no credential of kind %q: use one of %s", p.Name, c.Kind, strings.Join(p.KindNames(), ", ")))
		return r, nil
	}
	s, ok := newSession(env, p, c, &r)
	if !ok {
		return r, nil
	}
	s.deferRevoke = deferRevoke
	defer func() { pending = s.pending() }()
	timeout := env.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ctx, answers := watchAnswers(ctx)
	p.check(ctx, s)
	if UsesSSH(c) && !p.gitOnly {
		s.checkSSHKey(ctx)
	}
	if e := answers.tooLarge(); e != nil {
		s.tooLargeFailure(e)
	} else if ctx.Err() != nil {
		if _, done := r.Find(CheckNetwork); !done {
			s.NetworkFailure(ctx.Err())
		}
	}
	sortChecks(p, r.Checks)
	forMode(p, c, &r)
	return r, nil
}

// newSession validates what must be true before any request is sent; on failure it records why.
func newSession(env *Env, p Provider, c Credentials, r *Result) (*session, bool) {
	if p.gitOnly {
		return gitOnlySession(env, p, c, r)
	}
	base, err := p.APIBase(c.Host, c.APIURL)
	if err == nil {
		err = RequireSafeURL(base)
	}
	if err == nil && c.Host != "" && c.APIURL == "" {
		err = RequireSafeURL(c.Host)
	}
	if err != nil {
		r.Add(CheckNetwork, Fail, c.Redact(err.Error()))
		return nil, false
	}
	t := TransportOf(c.Settings)
	if px := env.Clients.Proxy(t, base); px != "" {
		r.Proxy = &px
	}
	if c.Net().HasClientCert() {
		addClientCertCheck(r, c.Settings, now(env))
	}
	hc, err := env.Clients.ForTransport(t)
	if err != nil {
		r.Add(CheckNetwork, Fail, c.Redact(err.Error()))
		return nil, false
	}
	u, _ := url.Parse(base)
	return &session{Creds: c, Provider: p, APIBase: base, APIHost: u.Host, HTTP: hc, Now: now(env), result: r}, true
}

// now is env's clock, or the system's.
func now(env *Env) time.Time {
	if env.Now != nil {
		return env.Now()
	}
	return time.Now()
}

// sortChecks puts checks in a stable, readable order: network, auth, scopes in registry order,
// org, project-key, expiry, then anything else in the order added.
func sortChecks(p Provider, cs []Check) {
	rank := map[string]int{CheckNetwork: 0, CheckAuth: 1}
	for i, sc := range p.Scopes {
		rank[ScopeCheckID(sc.Name)] = 2 + i
	}
	n := 2 + len(p.Scopes)
	rank[CheckOrg], rank[CheckProjectKey], rank[CheckExpiry], rank[CheckClientCert] = n, n+1, n+2, n+3
	order := func(c Check) int {
		if v, ok := rank[c.ID]; ok {
			return v
		}
		if strings.HasPrefix(c.ID, "permission:") {
			return 2 // a GitHub App's permissions stand where a token's scopes do
		}
		return n + 4
	}
	// insertion sort: tiny slices, and stable.
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && order(cs[j]) < order(cs[j-1]); j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}

// gitOnlySession is the session of a provider without an API (the generic one): no API base to
// check; its Git URL is checked by its own check.
func gitOnlySession(env *Env, p Provider, c Credentials, r *Result) (*session, bool) {
	hc, err := env.Clients.ForTransport(TransportOf(c.Settings))
	if err != nil {
		r.Add(CheckNetwork, Fail, c.Redact(err.Error()))
		return nil, false
	}
	host := c.URL
	if u, err := url.Parse(strings.TrimSpace(c.URL)); err == nil {
		host = u.Host
	}
	return &session{Creds: c, Provider: p, APIHost: host, HTTP: hc, Now: now(env), result: r, env: env}, true
}
