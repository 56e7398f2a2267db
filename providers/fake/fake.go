// Package fake runs local emulators of the providers' APIs on loopback, answering with the
// status codes, headers and JSON shapes the real APIs document. Tests and `gitopscfg --demo` use
// them. The token of a request selects its scenario (full access, a missing scope, revoked, ...);
// see each provider's file for its tokens, and Common* below for the faults every emulator shares.
// Each provider's file registers its emulator (see register); Start runs one per provider.
package fake

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"gitopscfg/providers"
)

// Fault markers: a token containing one of these makes any emulator misbehave that way, whatever
// the rest of the token says.
const (
	MarkServerError = "-fault500"   // 500 with a JSON error body
	MarkSlow        = "-faultslow"  // answers only after SlowDelay (longer than any check timeout in tests)
	MarkReset       = "-faultreset" // the connection is reset without an answer
	MarkMalformed   = "-faultjson"  // 200 with truncated JSON
	// MarkEcho: every request is answered 400 with the presented token echoed back in the JSON
	// error body (message, error.message, error_description) and in the WWW-Authenticate and
	// X-TFS-ServiceError headers (the latter URL-encoded), as some servers and proxies do; it
	// exercises redaction.
	MarkEcho = "-faultecho"
	// MarkEchoWrite: reads are served as for the token without the marker; writes (POST, PUT,
	// PATCH, DELETE) are answered as MarkEcho answers: the round trip's redaction is exercised.
	MarkEchoWrite = "-faultechowrite"
	// MarkRedirect: every request is answered 307 Temporary Redirect to the same path on
	// Elsewhere, another host, which must never see the token.
	MarkRedirect = "-faultredirect"
	// MarkStrayClone: served as for the token without the marker, but the answer to a creation
	// (POST) names URLs on Elsewhere instead of this emulator, so its clone URL points at another
	// host, where the token must never be sent.
	MarkStrayClone = "-faultstrayclone"
)

// Request is one request an emulator received, as its request log records it (the credential
// itself is never kept).
type Request struct {
	Method, Path, Query, Host string
	// Credentials reports whether the request carried a credential (an Authorization or
	// PRIVATE-TOKEN header).
	Credentials bool
}

// requestLog is an emulator's request log; safe for concurrent use.
type requestLog struct {
	mu   sync.Mutex
	reqs []Request
}

func (l *requestLog) add(r *http.Request) {
	rq := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Host: r.Host,
		Credentials: r.Header.Get("Authorization") != "" || r.Header.Get("PRIVATE-TOKEN") != ""}
	l.mu.Lock()
	l.reqs = append(l.reqs, rq)
	l.mu.Unlock()
}

func (l *requestLog) list() []Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.reqs)
}

// SlowDelay is how long a MarkSlow request waits (or until the client gives up).
const SlowDelay = 30 * time.Second

// Options configures the emulators.
type Options struct {
	// Latency is added to every response, REST and Git alike (for benchmarks).
	Latency time.Duration
}

// emulator is one provider's emulator, registered by its own file (providers/fake/<id>.go).
type emulator struct {
	id providers.ID
	// handler builds a fresh emulator; one with a repository lifecycle implements repoHost.
	handler func() http.Handler
	// demo are the emulator's full-access credentials, without host or API URL.
	demo providers.Credentials
	// hostPath follows the emulator's base URL in the Git host, apiPath in the API URL; the API
	// URL is the one the provider derives from the host for its self-hosted form
	// (providers.Provider.APIBase).
	hostPath, apiPath string
	// urlPath, when set, follows the base URL in the credential's repository URL (the generic
	// provider names one repository).
	urlPath string
}

// emulators holds every registered emulator by provider.
var emulators = map[providers.ID]emulator{}

// register adds a provider's emulator; a second one for the same provider is a bug of the build.
func register(e emulator) {
	if _, dup := emulators[e.id]; dup {
		panic(fmt.Sprintf("fake: emulator %q registered twice", e.id))
	}
	emulators[e.id] = e
}

// Emulators are the provider emulators, one per provider, each on its own loopback listener, sharing one Git
// backend whose repositories live in a private temporary directory that Close removes.
type Emulators struct {
	servers  map[providers.ID]*http.Server
	urls     map[providers.ID]string
	handlers map[providers.ID]http.Handler
	logs     map[providers.ID]*requestLog
	opts     Options
	root     string
	// elsewhere is a listener on another host (port) that answers 404 to everything and logs what
	// it gets: where the redirect and stray-clone faults point.
	elsewhereURL string
	elsewhereLog requestLog
	git          *gitBackend
	wg           sync.WaitGroup
}

// repoHost is implemented by an emulator that has a repository lifecycle (create, get, delete
// through its API) and serves Git for those repositories. Start calls useGit once, before the
// emulator serves anything; the emulator keeps its repositories under the backend sub-directory
// named after its provider id (e.g. "azure/…"), and routes Git smart-HTTP requests (see
// splitGitPath) through its own Basic-auth rules to gitBackend.ServeHTTP.
type repoHost interface {
	useGit(b *gitBackend)
	// addRepo creates a repository of that name in the emulator's organisation / group /
	// project / workspace, as if someone had created it before (for the name-taken scenario).
	addRepo(name string) error
	// repoNames lists the names of the repositories that exist now, sorted.
	repoNames() []string
}

// Start starts one emulator per provider on 127.0.0.1 with random ports.
func Start(opts Options) (*Emulators, error) {
	e := &Emulators{servers: map[providers.ID]*http.Server{}, urls: map[providers.ID]string{}, opts: opts,
		logs: map[providers.ID]*requestLog{}}
	root, err := os.MkdirTemp("", "gitopscfg-emulators-")
	if err != nil {
		return nil, fmt.Errorf("create the emulators' repository directory: %w", err)
	}
	e.root = root
	if e.git, err = newGitBackend(root); err != nil {
		e.Close()
		return nil, err
	}
	e.handlers = map[providers.ID]http.Handler{}
	for _, id := range providers.IDs {
		em, ok := emulators[id]
		if !ok {
			e.Close()
			return nil, fmt.Errorf("no emulator for provider %s", id)
		}
		e.handlers[id] = em.handler()
	}
	for _, h := range e.handlers {
		if rh, ok := h.(repoHost); ok {
			rh.useGit(e.git)
		}
	}
	handlers := e.handlers
	ids := append([]providers.ID{elsewhereID}, providers.IDs...)
	for _, id := range ids {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			e.Close()
			return nil, fmt.Errorf("start the %s emulator: %w", id, err)
		}
		var h http.Handler
		if id == elsewhereID {
			e.elsewhereURL = "http://" + ln.Addr().String()
			h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				e.elsewhereLog.add(r)
				WriteJSON(w, http.StatusNotFound, map[string]any{"message": "Not Found"})
			})
		} else {
			e.logs[id] = &requestLog{}
			h = e.wrap(e.logs[id], handlers[id])
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		e.servers[id] = srv
		if id != elsewhereID {
			e.urls[id] = "http://" + ln.Addr().String()
		}
		e.wg.Add(1)
		go func() { defer e.wg.Done(); _ = srv.Serve(ln) }()
	}
	return e, nil
}

// elsewhereID names the listener on another host in the server map.
const elsewhereID providers.ID = "elsewhere"

// Requests is provider id's request log: every request its emulator received, in order.
func (e *Emulators) Requests(id providers.ID) []Request {
	if l := e.logs[id]; l != nil {
		return l.list()
	}
	return nil
}

// Elsewhere is the base URL of a listener on another host than any emulator's (a different
// port of 127.0.0.1), where the redirect and stray-clone faults point.
func (e *Emulators) Elsewhere() string { return e.elsewhereURL }

// ElsewhereRequests is every request the Elsewhere listener received: a test asserts it is
// empty, i.e. that nothing (and no token) went anywhere but the emulator it was meant for.
func (e *Emulators) ElsewhereRequests() []Request { return e.elsewhereLog.list() }

// URL is the base URL of a provider's emulator, e.g. http://127.0.0.1:41234 (no trailing slash).
func (e *Emulators) URL(id providers.ID) string { return e.urls[id] }

// Handler is provider id's emulator (its API and Git, sharing the state of the one at URL(id)),
// for a test to serve it elsewhere: behind TLS, under another host name.
func (e *Emulators) Handler(id providers.ID) http.Handler { return e.handlers[id] }

// Close stops every emulator and removes their repositories.
func (e *Emulators) Close() {
	for _, s := range e.servers {
		_ = s.Close()
	}
	e.wg.Wait()
	if e.root != "" {
		_ = os.RemoveAll(e.root)
	}
}

// Root is the directory holding every emulated repository (GIT_PROJECT_ROOT); Close removes it.
func (e *Emulators) Root() string { return e.root }

// AddRepo creates a repository named name in provider id's organisation / group / project /
// workspace, as if it existed before: the round trip's name-taken scenario.
func (e *Emulators) AddRepo(id providers.ID, name string) error {
	rh, ok := e.handlers[id].(repoHost)
	if !ok {
		return fmt.Errorf("the %s emulator has no repository lifecycle", id)
	}
	return rh.addRepo(name)
}

// orgRepoHost is a repoHost with more than one organisation (GitHub: GitHubOrg and
// GitHubOrgInfra).
type orgRepoHost interface {
	addOrgRepo(org, name string) error
}

// AddOrgRepo creates a repository named name in organisation org of provider id's emulator, as
// if it existed before (for a provider with one organisation, org must be that one's).
func (e *Emulators) AddOrgRepo(id providers.ID, org, name string) error {
	if rh, ok := e.handlers[id].(orgRepoHost); ok {
		return rh.addOrgRepo(org, name)
	}
	if em, ok := emulators[id]; ok && strings.EqualFold(org, em.demo.Org) {
		return e.AddRepo(id, name)
	}
	return fmt.Errorf("the %s emulator has no organisation %q", id, org)
}

// Repos lists the names of provider id's repositories that exist now, sorted (nil when the
// emulator has no repository lifecycle), so tests can assert that nothing was left behind.
func (e *Emulators) Repos(id providers.ID) []string {
	rh, ok := e.handlers[id].(repoHost)
	if !ok {
		return nil
	}
	names := rh.repoNames()
	slices.Sort(names)
	return names
}

// Credentials returns credentials for provider id on its emulator with the given token: the Git
// host and API URL point at the emulator, the org is the emulator's known organisation.
func (e *Emulators) Credentials(id providers.ID, token string) providers.Credentials {
	em, ok := emulators[id]
	if !ok {
		em = emulator{demo: providers.Credentials{Provider: id}, hostPath: "/"}
	}
	c := em.demo
	c.Token = token
	c.Host = e.URL(id) + em.hostPath
	c.APIURL = e.URL(id) + em.apiPath
	if em.urlPath != "" {
		c.URL, c.APIURL = e.URL(id)+em.urlPath, ""
	}
	return c
}

// DemoCredentials are full-access credentials for every provider, as `--demo` stores them.
func (e *Emulators) DemoCredentials(id providers.ID) providers.Credentials {
	return e.Credentials(id, emulators[id].demo.Token)
}
